"""Backendless' SQL-92 style `where` clause parsed into the core query AST.

    expr    := term (OR term)*            term := factor (AND factor)*
    factor  := NOT factor | '(' expr ')' | cond
    cond    := col (= | != | <> | < | <= | > | >=) value
             | col [NOT] LIKE 'pattern'   | col [NOT] IN '(' value (',' value)* ')'
             | col IS [NOT] NULL          | col [NOT] BETWEEN value AND value
    value   := number | 'string' ('' escapes a quote) | TRUE | FALSE | NULL

`LIKE 'abc%'` is a core Prefix (an index range); a pattern without wildcards is equality; any
other pattern is its literal prefix (indexed when there is one) plus a Regex checked on the
entities read. System columns map to the core's names (objectId -> uuid, updated -> modified).
"""

from __future__ import annotations

import re
from typing import Any

from ...core import validate
from ...core.errors import InvalidQuery
from ...core.query import And, Compare, Exists, In, Node, Not, Or, Prefix, Regex

MAX_LENGTH = 4000
MAX_DEPTH = 64
COLUMNS = {"objectid": "uuid", "updated": "modified", "created": "created"}
_OPS = {"=": "eq", "!=": "ne", "<>": "ne", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
_TOKEN = re.compile(r"""(?P<ws>\s+)|(?P<num>-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<word>[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)
    |(?P<op><=|>=|!=|<>|[=<>])|(?P<punct>[(),])|(?P<str>'(?:[^']|'')*')""", re.VERBOSE)
_KEYWORDS = {"and", "or", "not", "like", "in", "is", "null", "true", "false", "between"}


def _tokens(src: str) -> list[tuple[str, str | float | None, int]]:
    out: list[tuple[str, str | float | None, int]] = []
    i = 0
    while i < len(src):
        m = _TOKEN.match(src, i)
        if not m:
            raise InvalidQuery(f"Invalid where clause: unexpected character at position {i}: {src[i:i + 10]!r}")
        kind = m.lastgroup or ""
        text = m.group(kind)
        if kind == "num":
            out.append(("num", validate.finite(text, "a number in the where clause"), i))
        elif kind == "str":
            out.append(("str", text[1:-1].replace("''", "'"), i))
        elif kind == "word" and text.lower() in _KEYWORDS:
            out.append(("kw", text.lower(), i))
        elif kind != "ws":
            out.append((kind, text, i))
        i = m.end()
    out.append(("eof", None, len(src)))
    return out


def column(name: str) -> str:
    return COLUMNS.get(name.lower(), name)


class _Parser:
    def __init__(self, src: str) -> None:
        self.toks, self.i, self.depth = _tokens(src), 0, 0

    def peek(self, kind: str, value: Any = None) -> bool:
        k, v, _ = self.toks[self.i]
        return k == kind and (value is None or v == value)

    def take(self, kind: str, value: Any = None) -> Any:
        k, v, pos = self.toks[self.i]
        if k != kind or (value is not None and v != value):
            want = value or kind
            raise InvalidQuery(f"Invalid where clause: expected {want} at position {pos}")
        self.i += 1
        return v

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise InvalidQuery("Invalid where clause: nested too deeply")
        parts = [self.term()]
        while self.peek("kw", "or"):
            self.i += 1
            parts.append(self.term())
        self.depth -= 1
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def term(self) -> Node:
        parts = [self.factor()]
        while self.peek("kw", "and"):
            self.i += 1
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def factor(self) -> Node:
        if self.peek("kw", "not"):
            self.i += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise InvalidQuery("Invalid where clause: nested too deeply")
            node: Node = Not(self.factor())
            self.depth -= 1
            return node
        if self.peek("punct", "("):
            self.i += 1
            node = self.expr()
            self.take("punct", ")")
            return node
        return self.cond()

    def value(self) -> Any:
        k, v, pos = self.toks[self.i]
        if k in ("num", "str"):
            self.i += 1
            return v
        if k == "kw" and v in ("true", "false", "null"):
            self.i += 1
            return {"true": True, "false": False, "null": None}[v]
        raise InvalidQuery(f"Invalid where clause: expected a value at position {pos}")

    def cond(self) -> Node:
        col = column(self.take("word"))
        negate = False
        if self.peek("kw", "not"):
            self.i += 1
            negate = True
        if self.peek("kw", "like"):
            self.i += 1
            node = like(col, self.take("str"))
        elif self.peek("kw", "in"):
            self.i += 1
            self.take("punct", "(")
            values = [self.value()]
            while self.peek("punct", ","):
                self.i += 1
                values.append(self.value())
            self.take("punct", ")")
            node = _in(col, values)
        elif self.peek("kw", "between"):
            self.i += 1
            low = self.value()
            self.take("kw", "and")
            node = And((Compare(col, "gte", low), Compare(col, "lte", self.value())))
        elif self.peek("kw", "is") and not negate:
            self.i += 1
            is_not = self.peek("kw", "not")
            if is_not:
                self.i += 1
            self.take("kw", "null")
            return Exists(col) if is_not else Not(Exists(col))
        else:
            if negate:
                raise InvalidQuery("Invalid where clause: NOT must precede LIKE, IN or BETWEEN here")
            op = self.take("op")
            v = self.value()
            if v is None:
                return Not(Exists(col)) if _OPS[op] == "eq" else Exists(col)
            return Compare(col, _OPS[op], v)
        return Not(node) if negate else node


def _in(col: str, values: list[Any]) -> Node:
    if col == "uuid":  # the planner fetches ORs of uuid equalities by key
        return Or(tuple(Compare("uuid", "eq", v) for v in values)) if len(values) > 1 else Compare("uuid", "eq", values[0])
    return In(col, tuple(values))


def like(col: str, pattern: str) -> Node:
    """SQL LIKE (`%` any run, `_` one character), case-insensitive as in Backendless (MySQL)."""
    if "%" not in pattern and "_" not in pattern:
        return Compare(col, "eq", pattern)
    literal = re.split(r"[%_]", pattern, maxsplit=1)[0]
    if pattern == literal + "%" and literal:
        return Prefix(col, literal)
    rx = "^" + "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern) + "$"
    check = Regex(col, rx, re.IGNORECASE | re.DOTALL, safe=True)
    return And((Prefix(col, literal), check)) if literal else check


def parse_where(text: object) -> Node | None:
    if text is None:
        return None
    if not isinstance(text, str):  # a JSON body can carry any value here: only a clause is one
        raise InvalidQuery("Invalid where clause: it must be a string")
    if not text.strip():
        return None
    if len(text) > MAX_LENGTH:
        raise InvalidQuery(f"Invalid where clause: longer than {MAX_LENGTH} characters")
    p = _Parser(str(text))
    node = p.expr()
    if not p.peek("eof"):
        raise InvalidQuery(f"Invalid where clause: unexpected input at position {p.toks[p.i][2]}")
    return node
