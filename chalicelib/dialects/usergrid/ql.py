"""Usergrid's query language (the ``ql=`` parameter) parsed into the core's query AST.

Usergrid clients send text such as ``select * where name = 'mil*' order by created desc``.
This dialect only knows that syntax: it turns the text into the dialect-neutral nodes of
``chalicelib.core.query`` and leaves planning, indexing and matching to the core, so every
dialect's queries run through one planner. A small hand-written tokenizer and recursive-descent
parser, no dependencies; every failure is an ``InvalidQuery`` naming the 0-based character
offset where parsing stopped.

Grammar (keywords are case-insensitive)::

    query     := [SELECT projection] [WHERE] [or_expr] [ORDER BY order (',' order)*]
    projection:= '*' | field (',' field)* | '{' alias ':' field (',' alias ':' field)* '}'
    or_expr   := and_expr ((OR | '||') and_expr)*
    and_expr  := not_expr ((AND | '&&') not_expr)*
    not_expr  := NOT not_expr | '(' or_expr ')' | condition
    condition := field op value | field CONTAINS string | field WITHIN number OF number ',' number
    order     := field [ASC | DESC]

A keyword followed by an operator is a field name (``desc contains 'x'``, ``order = 2``).
As in Usergrid 2.x (its CpQueryFilter grammar), there is no "not equal": ``!=`` and ``ne`` are
errors (write ``not a = 1``). Field names are lower-cased, as Usergrid lower-cases the whole query
(reference 4.1), and the query is marked `fold_case`: the core matches them in any case
(core/casefold.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ...core import validate
from ...core.errors import InvalidInput, InvalidQuery
from ...core.query import And, Compare, Contains, Exists, Node, Not, Or, Prefix, Query, Within

MAX_LENGTH = 4000
MAX_DEPTH = 64  # nesting of parentheses and `not`: keeps recursion far from Python's limit

_SYMBOL_OPS = {"=": "eq", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
_WORD_OPS = {"eq": "eq", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte"}
_OP_WORDS = {*_WORD_OPS, "contains", "within"}
_CLAUSE_WORDS = {"select", "where", "and", "or", "order", "by", "of"}  # never a field unless an operator follows
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r"}
_IDENT = r"[A-Za-z_$][A-Za-z0-9_$]*"
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_TOKEN = re.compile(
    rf"""(?P<ws>\s+)
    |(?P<uuid>[0-9a-fA-F]{{8}}(?:-[0-9a-fA-F]{{4}}){{3}}-[0-9a-fA-F]{{12}})(?![A-Za-z0-9_$.-])
    |(?P<num>-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    |(?P<word>{_IDENT}(?:\.{_IDENT})*)
    |(?P<op><=|>=|[=<>])
    |(?P<bool>&&|\|\|)
    |(?P<punct>[(),*{{}}:])
    |(?P<quote>')""",
    re.VERBOSE | re.ASCII,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # word, num, uuid, str, op, punct, eof
    text: str  # the source text, for messages
    pos: int
    value: Any = None
    star: bool = False  # a string literal whose last character is an unescaped '*'


def _error(pos: int, near: str, expected: str) -> InvalidQuery:
    shown = f"'{near[:20]}'" if near else "end of input"
    return InvalidQuery(f"ql syntax error at position {pos} near {shown}: {expected}", position=pos)


def _string(src: str, start: int) -> _Token:
    quote, out, star, i = src[start], [], False, start + 1
    while i < len(src):
        c = src[i]
        if c == "\\" and i + 1 < len(src):
            e = src[i + 1]
            if e == "u":
                digits = src[i + 2 : i + 6]
                if not _HEX4.fullmatch(digits) or 0xD800 <= int(digits, 16) <= 0xDFFF:
                    raise _error(i, src[i : i + 6], "invalid \\u escape")
                out.append(chr(int(digits, 16)))
                i += 6
            else:
                out.append(_ESCAPES.get(e, e))
                i += 2
            star = False
        elif c == quote and src[i + 1 : i + 2] == quote:
            out.append(quote)
            i, star = i + 2, False
        elif c == quote:
            return _Token("str", src[start : i + 1], start, "".join(out), star)
        else:
            out.append(c)
            i, star = i + 1, c == "*"
    raise _error(start, src[start:], "unterminated string")


def _number(text: str, pos: int) -> int | float:
    try:
        return validate.finite(text, "number")
    except InvalidInput:
        raise _error(pos, text[:40], "number out of range") from None


def _tokenize(src: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(src):
        m = _TOKEN.match(src, i)
        if m is None:
            raise _error(i, src[i], "unexpected character")
        kind, text = m.lastgroup or "", m.group()
        follow = src[m.end() : m.end() + 1]
        if kind == "quote":
            tok = _string(src, i)
            tokens.append(tok)
            i += len(tok.text)
            continue
        if kind == "num" and follow and (follow.isalnum() or follow in "_$."):
            raise _error(i, src[i : m.end() + 1], "malformed number")
        if kind == "word" and (follow == "." or re.match(r"-[A-Za-z_$]", src[m.end() : m.end() + 2])):
            raise _error(i, src[i : m.end() + 1], "malformed field name (letters, digits, _, $ and dots only)")
        if kind == "num":
            tokens.append(_Token("num", text, i, _number(text, i)))
        elif kind != "ws":
            tokens.append(_Token(kind, text, i, text))
        i = m.end()
    tokens.append(_Token("eof", "", len(src)))
    return tokens


def _field(name: str) -> str:
    """Lower-cased, as Usergrid lower-cases the whole query: the core matches it in any case."""
    return name.lower()


def _join(kind: type[And] | type[Or], nodes: list[Node]) -> Node:
    """One And/Or over all children, absorbing nested nodes of the same kind."""
    if len(nodes) == 1:
        return nodes[0]
    flat: list[Node] = []
    for n in nodes:
        flat.extend(n.children if isinstance(n, kind) else (n,))
    return kind(tuple(flat))


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.toks, self.i, self.depth = tokens, 0, 0

    def peek(self, k: int = 0) -> _Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self) -> _Token:
        tok = self.peek()
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def fail(self, expected: str, tok: _Token | None = None) -> InvalidQuery:
        tok = tok or self.peek()
        return _error(tok.pos, tok.text, expected)

    def word(self, word: str, k: int = 0) -> bool:
        tok = self.peek(k)
        return tok.kind == "word" and tok.text.lower() == word

    def is_op(self, k: int) -> bool:
        tok = self.peek(k)
        return tok.kind == "op" or (tok.kind == "word" and tok.text.lower() in _OP_WORDS)

    def keyword(self, word: str) -> bool:
        """`word` here is the keyword, not a field name that starts a condition."""
        return self.word(word) and not (self.is_op(1) and not self.is_op(2))

    def punct(self, text: str) -> bool:
        return self.peek().kind == "punct" and self.peek().text == text

    def expect_punct(self, text: str, what: str) -> None:
        if not self.punct(text):
            raise self.fail(f"expected {what}")
        self.next()

    def check_limit(self) -> None:
        if self.keyword("limit"):
            raise self.fail("ql has no limit clause; use the limit parameter")

    def query(self) -> Query:
        select: list[str] | None = None
        aliases: dict[str, str] | None = None
        if self.keyword("select"):
            self.next()
            if self.punct("{"):
                aliases = self.rename_list()
                select = list(aliases.values())
            else:
                select = self.select_list()
        where: Node | None = None
        if self.keyword("where"):
            self.next()
            where = self.or_expr()
        elif not (self.peek().kind == "eof" or self.keyword("order") or self.keyword("limit")):
            where = self.or_expr()
        order: list[tuple[str, bool]] = []
        if self.keyword("order"):
            self.next()
            if not self.word("by"):
                raise self.fail("expected 'by'")
            self.next()
            order = self.order_list()
        self.check_limit()
        if self.peek().kind != "eof":
            raise self.fail("expected ',' or end of query" if order else
                            "expected 'and', 'or', 'order by' or end of query" if where else
                            "expected 'where', a condition, 'order by' or end of query")
        return Query(where=where, order=order, select=select, aliases=aliases)

    def rename_list(self) -> dict[str, str]:
        """`select {alias: field, ...}`: the documented form (reference section 4.4), alias first."""
        self.next()
        aliases: dict[str, str] = {}
        while True:
            alias = self.field_name("expected an alias", clause_words=False)
            self.expect_punct(":", "':' between an alias and its field")
            aliases[alias] = self.field_name("expected a field name", clause_words=False)
            if self.punct("}"):
                self.next()
                return aliases
            self.expect_punct(",", "',' or '}'")

    def select_list(self) -> list[str]:
        if self.punct("*"):
            self.next()
            return ["*"]
        fields = [self.field_name("expected '*' or a field name")]
        while self.punct(","):
            self.next()
            fields.append(self.field_name("expected a field name"))
        return fields

    def field_name(self, expected: str, clause_words: bool = True) -> str:
        """A field; in a select list `where` and `order` end the list instead."""
        tok = self.peek()
        if tok.kind != "word" or (clause_words and (self.keyword("where") or self.keyword("order"))):
            raise self.fail(expected)
        self.next()
        return _field(tok.text)

    def order_list(self) -> list[tuple[str, bool]]:
        order: list[tuple[str, bool]] = []
        while True:
            name = self.field_name("expected a field name", clause_words=False)
            descending = False
            if self.word("asc") or self.word("desc"):
                descending = self.next().text.lower() == "desc"
            order.append((name, descending))
            if not self.punct(","):
                return order
            self.next()

    def or_expr(self) -> Node:
        nodes = [self.and_expr()]
        while self.word("or") or self.peek().kind == "bool" and self.peek().text == "||":
            self.next()
            nodes.append(self.and_expr())
        return _join(Or, nodes)

    def and_expr(self) -> Node:
        nodes = [self.unary()]
        while self.word("and") or self.peek().kind == "bool" and self.peek().text == "&&":
            self.next()
            nodes.append(self.unary())
        return _join(And, nodes)

    def unary(self) -> Node:
        if self.depth >= MAX_DEPTH:
            raise self.fail("query is nested too deeply")
        self.depth += 1
        if self.keyword("not"):
            self.next()
            node: Node = Not(self.unary())
        elif self.punct("("):
            self.next()
            node = self.or_expr()
            self.expect_punct(")", "')'")
        else:
            node = self.condition()
        self.depth -= 1
        return node

    def condition(self) -> Node:
        self.check_limit()
        if self.peek().kind != "word" or (self.peek().text.lower() in _CLAUSE_WORDS and not self.is_op(1)):
            raise self.fail("expected a condition (a field name, 'not' or '(')")
        field = _field(self.next().text)
        op_tok = self.next()
        op_word = op_tok.text.lower() if op_tok.kind == "word" else ""
        if op_word == "contains":
            tok = self.next()
            if tok.kind != "str":
                raise self.fail("expected a quoted string", tok)
            return Contains(field, tok.value)
        if op_word == "within":
            radius = self.number("expected a radius in metres", 0.0, math.inf)
            if not self.word("of"):
                raise self.fail("expected 'of'")
            self.next()
            lat = self.number("expected a latitude", -90.0, 90.0)
            self.expect_punct(",", "',' between latitude and longitude")
            lon = self.number("expected a longitude", -180.0, 180.0)
            return Within(field, radius, lat, lon)
        op = _SYMBOL_OPS.get(op_tok.text) if op_tok.kind == "op" else _WORD_OPS.get(op_word)
        if op is None:
            raise self.fail("expected an operator (=, <, <=, >, >=, eq, lt, lte, gt, gte, contains, within)",
                            op_tok)
        tok = self.next()
        if tok.kind == "str" and tok.star and op == "eq":
            return Prefix(field, tok.value[:-1]) if len(tok.value) > 1 else Exists(field)
        if tok.kind in ("str", "num", "uuid"):
            return Compare(field, op, tok.value)
        if tok.kind == "word" and tok.text.lower() in ("true", "false"):
            return Compare(field, op, tok.text.lower() == "true")
        raise self.fail("expected a value (a quoted string, number, true, false or uuid)", tok)

    def number(self, expected: str, low: float, high: float) -> float:
        tok = self.next()
        if tok.kind != "num":
            raise self.fail(expected, tok)
        value = float(tok.value)
        if not low <= value <= high:
            raise self.fail(f"{expected} between {low:g} and {high:g}", tok)
        return value


def parse(ql: str | None, limit: int = 10, cursor: str | None = None) -> Query:
    """Parse a Usergrid ql string; None, empty or blank means every entity in default order."""
    if ql is not None and len(ql) > MAX_LENGTH:
        raise _error(MAX_LENGTH, ql[MAX_LENGTH:], f"ql is longer than {MAX_LENGTH} characters")
    if not ql or not ql.strip():
        return Query(limit=limit, cursor=cursor)
    query = _Parser(_tokenize(ql)).query()
    query.limit, query.cursor, query.fold_case = limit, cursor, True
    return query
