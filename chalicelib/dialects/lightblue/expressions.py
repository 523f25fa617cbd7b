"""Lightblue query and sort expressions compiled to the core query AST (core/query.py).

Value comparisons, `$in` lists and array `contains` become `Compare` nodes (or ORs of them), so
the planner reads an index for them; regex, field-to-field comparison, `elemMatch`, `$not`,
`$nin` and paths through arrays (`a.*.b`, `a.0`) are filters applied to what another term or the
`created` listing reads. Relative paths (`$this`, `$parent`) are resolved here, at compile time,
so the core only ever sees plain paths. Strings compare case-sensitively, as in Lightblue; values written as
strings (simple find) take the type the schema declares for the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from ...core.errors import InvalidQuery
from ...core.query import And, Compare, ElemMatch, Exists, FieldCompare, In, Node, Not, Or, Regex
from ...core.saferegex import compile_safe
from ...core.schemas import Schema, coerce

OPS = {"=": "eq", "$eq": "eq", "!=": "ne", "$neq": "ne", "$ne": "ne", "<": "lt", "$lt": "lt", ">": "gt",
       "$gt": "gt", "<=": "lte", "$lte": "lte", ">=": "gte", "$gte": "gte"}
NARY = {"$in": "in", "$nin": "nin", "$not_in": "nin"}
MAX_DEPTH = 20
MAX_VALUES = 100
# regex flags: the grammar's snake_case keys (what lightblue-core reads), our earlier camelCase
# spelling, and the `options` letters of the query.md example
REGEX_FLAGS = (("case_insensitive", re.I, "i"), ("caseInsensitive", re.I, "i"), ("multiline", re.M, "m"),
               ("dotall", re.S, "s"), ("extended", re.X, "x"))
THIS, PARENT = "$this", "$parent"
_PATH_RE = re.compile(r"^([A-Za-z_$][\w$\-]*|\*|-?\d+)(\.([A-Za-z_$][\w$\-]*|\*|-?\d+))*$")

IdMap = Callable[[Any], str]
Scope = tuple[str, ...]


def path(p: Any) -> str:
    """A field path as Lightblue writes it; anything else is the client's error (400), never a 500."""
    if not isinstance(p, str) or len(p) > 500 or not _PATH_RE.match(p):
        raise InvalidQuery(f"invalid field path: {str(p)[:100]!r}", code="query:InvalidFieldPath")
    return p


def resolve(p: Any, scope: Scope, plain_relative: bool) -> Scope:
    """The absolute segments a path names from `scope` (Lightblue's Path: `$this` stays, `$parent` steps up).

    A path starting with `$this`/`$parent` is always relative to the scope; a plain one is relative
    when `plain_relative` (elemMatch, projection `match`) and absolute otherwise ($foreach queries,
    where query.md's `rfield: "k"` is "the top-level field k"). `$parent` of an element is its array.
    """
    segs = path(p).split(".")
    out = list(scope) if plain_relative or segs[0] in (THIS, PARENT) else []
    for s in segs:
        if s == PARENT:
            if not out:
                raise InvalidQuery(f"{p}: $parent goes above the document", code="query:InvalidFieldPath")
            out.pop()
        elif s != THIS:
            out.append(s)
    return tuple(out)


def _op(q: dict[str, Any], key: str) -> Any:
    """Operators are strings; a list or object there would otherwise fail a dict lookup (a 500)."""
    v = q.get(key)
    if v is not None and not isinstance(v, str):
        raise InvalidQuery(f"{key} must be a string", code="query:InvalidOperator")
    return v


class Compiler:
    """Compiles queries to the core AST with absolute field paths, then re-roots element queries.

    Every leaf is first compiled on its absolute path (so the schema types it); an element query
    (elemMatch, projection match, $foreach) then strips its element prefix. A conjunct of an
    elemMatch that only names fields outside the element (`$parent.$parent.x`) does not depend on
    the element and is hoisted next to the ElemMatch, which keeps the query exact.
    """

    def __init__(self, schema: Schema | None, ids: IdMap) -> None:
        self.schema = schema
        self.ids = ids

    def compile(self, q: Any) -> Node | None:
        return None if q is None else self._node(q, (), True, 0)

    def subquery(self, q: Any, scope: Scope, plain_relative: bool = True, outer_ok: bool = False) -> Node:
        """A query on the elements at `scope` evaluated in memory on `{"$this": element, **root}`.

        Element fields become `$this.<rest>`; fields outside the element stay absolute when
        `outer_ok` ($foreach, which sees the root document), else they are refused (400).
        """
        node = self._node(q, scope, plain_relative, 0)
        for f in _fields(node):
            if not _under(f, scope) and not outer_ok:
                raise InvalidQuery(f"{f} is outside the array element", code="query:InvalidFieldPath")
        return _strip(node, scope, THIS)

    def _type(self, field: str) -> str | None:
        return self.schema.field_type(field) if self.schema else None

    def _value(self, field: str, v: Any) -> Any:
        if isinstance(v, (dict, list)):
            raise InvalidQuery(f"rvalue of {field} must be a scalar", code="query:InvalidRValue")
        return coerce(self._type(field), v)

    def _node(self, q: Any, scope: Scope, rel: bool, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise InvalidQuery("query nested too deeply", code="query:InvalidQuery")
        if not isinstance(q, dict) or not q:
            raise InvalidQuery("a query expression must be a non-empty object", code="query:InvalidQuery")
        for key, cls in (("$and", And), ("$all", And), ("$or", Or), ("$any", Or)):
            if key in q:
                kids = q[key]
                if len(q) != 1 or not isinstance(kids, list) or not kids or len(kids) > MAX_VALUES:
                    raise InvalidQuery(f"{key} takes a non-empty array of queries", code="query:InvalidQuery")
                return cls(tuple(self._node(k, scope, rel, depth + 1) for k in kids))
        if "$not" in q:
            if len(q) != 1:
                raise InvalidQuery("$not takes one query", code="query:InvalidQuery")
            return Not(self._node(q["$not"], scope, rel, depth + 1))
        if "array" in q:
            return self._array(q, scope, rel, depth)
        if "field" in q:
            return self._field(q, scope, rel)
        raise InvalidQuery(f"unknown query expression {sorted(map(str, q))}", code="query:InvalidQuery")

    def _path(self, p: Any, scope: Scope, rel: bool) -> str:
        segs = resolve(p, scope, rel)
        if not segs:
            raise InvalidQuery(f"{p} names the document itself, not a field", code="query:InvalidFieldPath")
        return ".".join(segs)

    def _array(self, q: dict[str, Any], scope: Scope, rel: bool, depth: int) -> Node:
        arr = self._path(q["array"], scope, rel)
        if "elemMatch" in q:
            return self._elem_match(arr, q["elemMatch"], depth)
        mode, values = _op(q, "contains"), q.get("values")
        if mode not in ("$any", "$all", "$none") or not isinstance(values, list) or len(values) > MAX_VALUES:
            raise InvalidQuery("array queries need contains ($any, $all, $none) and values, or elemMatch",
                               code="query:InvalidArrayQuery")
        item_type = self._type(arr + ".*")
        terms = [Compare(arr, "eq", self._scalar(coerce(item_type, v)), True) for v in values]
        if mode == "$all":
            return And(tuple(terms)) if terms else Not(In(arr, ()))
        anyof: Node = _any(arr, terms)
        return anyof if mode == "$any" else Not(anyof)

    def _elem_match(self, arr: str, q: Any, depth: int) -> Node:
        """elemMatch: plain fields are the element's (query.md: `elemMatch: {field: "item"}`)."""
        scope = tuple(arr.split(".")) + ("*",)
        child = self._node(q, scope, True, depth + 1)
        inner, outer = [], []
        for c in child.children if isinstance(child, And) else (child,):
            fs = _fields(c)
            if all(_under(f, scope) for f in fs):
                inner.append(_strip(c, scope, None))
            elif not any(_under(f, scope) for f in fs):
                outer.append(c)  # independent of the element: checked once, next to the ElemMatch
            else:
                raise InvalidQuery("an elemMatch term mixing element fields with fields outside the element "
                                   "($parent) inside $or/$not or a field comparison is not supported",
                                   code="query:InvalidQuery")
        em = ElemMatch(arr, inner[0] if len(inner) == 1 else And(tuple(inner)))
        return And((em, *outer)) if outer else em

    def _scalar(self, v: Any) -> Any:
        if isinstance(v, (dict, list)) or v is None:
            raise InvalidQuery("values must be scalars", code="query:InvalidRValue")
        return v

    def _field(self, q: dict[str, Any], scope: Scope, rel: bool) -> Node:
        field = self._path(q["field"], scope, rel)
        if "regex" in q:
            return self._regex(q, field)
        op = _op(q, "op")
        if op in NARY:
            if "rfield" in q:
                return FieldCompare(field, NARY[op], self._path(q["rfield"], scope, rel))
            values = q.get("values")
            if not isinstance(values, list) or len(values) > MAX_VALUES:
                raise InvalidQuery(f"{op} takes values: an array of at most {MAX_VALUES}", code="query:InvalidQuery")
            terms = [self._compare(field, "eq", self._scalar(self._value(field, v))) for v in values]
            anyof = _any(field, terms)
            return anyof if NARY[op] == "in" else Not(anyof)
        if op not in OPS:
            raise InvalidQuery(f"unknown operator {op!r}", code="query:InvalidOperator")
        if "rfield" in q:
            return FieldCompare(field, OPS[op], self._path(q["rfield"], scope, rel))
        if "rvalue" not in q:
            raise InvalidQuery("a comparison needs rvalue or rfield", code="query:InvalidQuery")
        value = self._value(field, q["rvalue"])
        if value is None:
            if OPS[op] not in ("eq", "ne"):
                raise InvalidQuery("null compares only with = and !=", code="query:InvalidRValue")
            return Not(Exists(field)) if OPS[op] == "eq" else Exists(field)
        return self._compare(field, OPS[op], value)

    def _regex(self, q: dict[str, Any], field: str) -> Node:
        """Flags as booleans (grammar) or `options` letters (example); the pattern runs on saferegex."""
        if not isinstance(q["regex"], str):
            raise InvalidQuery("regex must be a string", code="query:InvalidRegex")
        opts = q.get("options", "")
        if not isinstance(opts, str) or set(opts) - set("imsx"):
            raise InvalidQuery("regex options are letters of i, m, s, x", code="query:InvalidRegex")
        flags = 0
        for key, flag, letter in REGEX_FLAGS:
            if q.get(key) not in (None, True, False):
                raise InvalidQuery(f"{key} must be a boolean", code="query:InvalidRegex")
            if q.get(key) is True or letter in opts:
                flags |= flag
        compile_safe(q["regex"], flags)  # a bad or unsupported pattern is a 400 now, not on first match
        return Regex(field, q["regex"], flags, safe=True)

    def _compare(self, field: str, op: str, value: Any) -> Node:
        if field == "_id" and op in ("eq", "ne"):
            return Compare("uuid", op, self.ids(value), True)
        return Compare(field, op, value, True)


def _any(field: str, terms: Sequence[Node]) -> Node:
    if not terms:
        return In(field, ())  # matches nothing and reads nothing
    return terms[0] if len(terms) == 1 else Or(tuple(terms))


def _under(field: str, scope: Scope) -> bool:
    return tuple(field.split("."))[: len(scope)] == scope


def _fields(node: Node) -> set[str]:
    """The fields a node names at its own level (an ElemMatch's child is already element-relative)."""
    if isinstance(node, (And, Or)):
        return set().union(*(_fields(c) for c in node.children))
    if isinstance(node, Not):
        return _fields(node.child)
    if isinstance(node, FieldCompare):
        return {node.field, node.rfield}
    if isinstance(node, Compare) and node.field == "uuid":
        return {"_id"}  # the top-level _id, already mapped
    return {node.field}


def _strip(node: Node, scope: Scope, this: str | None) -> Node:
    """Re-root the fields under `scope` on the element: `x` (elemMatch) or `$this.x` (in-memory views)."""
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_strip(c, scope, this) for c in node.children))
    if isinstance(node, Not):
        return Not(_strip(node.child, scope, this))

    def re_root(f: str) -> str:
        if not _under(f, scope):
            return f
        rest = f.split(".")[len(scope):]
        if this is not None:
            return ".".join([this, *rest])
        return ".".join(rest) if rest else "$this"  # the element itself: a scalar element (core ElemMatch)

    if isinstance(node, FieldCompare):
        return replace(node, field=re_root(node.field), rfield=re_root(node.rfield))
    return replace(node, field=re_root(node.field))


SORT_DIRS = {"$asc": False, "$desc": True, "asc": False, "desc": True}


def parse_sort(s: Any) -> list[tuple[str, bool]]:
    """`{"f": "$asc"}` or an array of them: (field, descending) pairs.

    The grammar says `$asc | $desc`; sort.md's own examples write `"asc"` / `"desc"`, so both are read.
    """
    if s is None:
        return []
    items = s if isinstance(s, list) else [s]
    if not items or len(items) > MAX_VALUES:
        raise InvalidQuery("sort is {field: $asc|$desc} or a non-empty array of them", code="query:InvalidSort")
    out = []
    for item in items:
        if not isinstance(item, dict) or len(item) != 1:
            raise InvalidQuery("sort is {field: $asc|$desc} or an array of them", code="query:InvalidSort")
        (f, d), = item.items()
        if not isinstance(d, str) or d not in SORT_DIRS:
            raise InvalidQuery(f"sort direction of {f} must be $asc or $desc", code="query:InvalidSort")
        out.append((path(f), SORT_DIRS[d]))
    return out


# -- GET /data/find?Q=&P=&S= (simple find) --------------------------------------------------
def simple_query(text: str | None) -> dict[str, Any] | None:
    """`f1:v1,v2;f2:v3` -> {$and: [{f1 $in [v1, v2]}, {f2 = v3}]}."""
    if not text:
        return None
    terms = []
    for part in text.split(";"):
        f, sep, vals = part.partition(":")
        if not sep or not f:
            raise InvalidQuery(f"Q terms are field:value[,value...], got {part!r}", code="query:InvalidQuery")
        values = vals.split(",")
        terms.append({"field": f, "op": "=", "rvalue": values[0]} if len(values) == 1
                     else {"field": f, "op": "$in", "values": values})
    return terms[0] if len(terms) == 1 else {"$and": terms}


def simple_projection(text: str | None) -> list[dict[str, Any]]:
    """`f1:1,f2:0,f3:1r` -> projection objects; default everything."""
    if not text:
        return [{"field": "*", "include": True, "recursive": True}]
    out = []
    for part in text.split(","):
        f, sep, flag = part.partition(":")
        if not sep or flag not in ("1", "0", "1r", "0r"):
            raise InvalidQuery(f"P terms are field:1|0|1r|0r, got {part!r}", code="query:InvalidProjection")
        out.append({"field": f, "include": flag.startswith("1"), "recursive": flag.endswith("r")})
    return out


def simple_sort(text: str | None) -> list[dict[str, str]] | None:
    if not text:
        return None
    out = []
    for part in text.split(","):
        f, sep, d = part.partition(":")
        if not sep or d not in ("a", "d"):
            raise InvalidQuery(f"S terms are field:a|d, got {part!r}", code="query:InvalidSort")
        out.append({f: "$asc" if d == "a" else "$desc"})
    return out
