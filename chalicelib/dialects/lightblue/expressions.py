"""Lightblue query and sort expressions compiled to the core query AST (core/query.py).

Value comparisons, `$in` lists and array `contains` become `Compare` nodes (or ORs of them), so
the planner reads an index for them; regex, field-to-field comparison, `elemMatch`, `$not`,
`$nin` and paths through arrays (`a.*.b`, `a.0`) are filters applied to what another term or the
`created` listing reads. Strings compare case-sensitively, as in Lightblue; values written as
strings (simple find) take the type the schema declares for the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ...core.errors import InvalidQuery
from ...core.query import And, Compare, ElemMatch, Exists, FieldCompare, In, Node, Not, Or, Regex
from ...core.schemas import Schema, coerce

OPS = {"=": "eq", "$eq": "eq", "!=": "ne", "$neq": "ne", "$ne": "ne", "<": "lt", "$lt": "lt", ">": "gt",
       "$gt": "gt", "<=": "lte", "$lte": "lte", ">=": "gte", "$gte": "gte"}
NARY = {"$in": "in", "$nin": "nin", "$not_in": "nin"}
MAX_DEPTH = 20
MAX_VALUES = 100
_PATH_RE = re.compile(r"^(\$this|[A-Za-z_$][\w$\-]*|\*|-?\d+)(\.([A-Za-z_$][\w$\-]*|\*|-?\d+))*$")

IdMap = Callable[[Any], str]


def path(p: Any) -> str:
    if not isinstance(p, str) or not _PATH_RE.match(p):
        raise InvalidQuery(f"invalid field path: {p!r}", code="query:InvalidFieldPath")
    return p


class Compiler:
    def __init__(self, schema: Schema | None, ids: IdMap) -> None:
        self.schema = schema
        self.ids = ids

    def compile(self, q: Any) -> Node | None:
        return None if q is None else self._node(q, "", 0)

    def subquery(self, q: Any, prefix: str) -> Node:
        """A query on array elements (elemMatch, projection match, $foreach): fields relative to the element."""
        return self._node(q, prefix, 0)

    def _type(self, prefix: str, field: str) -> str | None:
        return self.schema.field_type(prefix + field) if self.schema else None

    def _value(self, prefix: str, field: str, v: Any) -> Any:
        if isinstance(v, (dict, list)):
            raise InvalidQuery(f"rvalue of {field} must be a scalar", code="query:InvalidRValue")
        return coerce(self._type(prefix, field), v)

    def _node(self, q: Any, prefix: str, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise InvalidQuery("query nested too deeply", code="query:InvalidQuery")
        if not isinstance(q, dict) or not q:
            raise InvalidQuery("a query expression must be a non-empty object", code="query:InvalidQuery")
        for key, cls in (("$and", And), ("$all", And), ("$or", Or), ("$any", Or)):
            if key in q:
                kids = q[key]
                if len(q) != 1 or not isinstance(kids, list) or not kids:
                    raise InvalidQuery(f"{key} takes a non-empty array of queries", code="query:InvalidQuery")
                return cls(tuple(self._node(k, prefix, depth + 1) for k in kids))
        if "$not" in q:
            if len(q) != 1:
                raise InvalidQuery("$not takes one query", code="query:InvalidQuery")
            return Not(self._node(q["$not"], prefix, depth + 1))
        if "array" in q:
            return self._array(q, prefix, depth)
        if "field" in q:
            return self._field(q, prefix)
        raise InvalidQuery(f"unknown query expression {sorted(q)}", code="query:InvalidQuery")

    def _array(self, q: dict[str, Any], prefix: str, depth: int) -> Node:
        arr = path(q["array"])
        if "elemMatch" in q:
            return ElemMatch(arr, self._node(q["elemMatch"], f"{prefix}{arr}.*.", depth + 1))
        mode, values = q.get("contains"), q.get("values")
        if mode not in ("$any", "$all", "$none") or not isinstance(values, list) or len(values) > MAX_VALUES:
            raise InvalidQuery("array queries need contains ($any, $all, $none) and values, or elemMatch",
                               code="query:InvalidArrayQuery")
        item_type = self._type(prefix, arr + ".*")
        terms = [Compare(arr, "eq", self._scalar(coerce(item_type, v)), True) for v in values]
        if mode == "$all":
            return And(tuple(terms)) if terms else Not(In(arr, ()))
        anyof: Node = _any(arr, terms)
        return anyof if mode == "$any" else Not(anyof)

    def _scalar(self, v: Any) -> Any:
        if isinstance(v, (dict, list)) or v is None:
            raise InvalidQuery("values must be scalars", code="query:InvalidRValue")
        return v

    def _field(self, q: dict[str, Any], prefix: str) -> Node:
        field = path(q["field"])
        top = prefix == ""
        if "regex" in q:
            flags = 0
            opts = str(q.get("options") or "")
            for key, flag, letter in (("caseInsensitive", re.I, "i"), ("multiline", re.M, "m"),
                                      ("dotall", re.S, "s"), ("extended", re.X, "x")):
                if q.get(key) is True or letter in opts:
                    flags |= flag
            if not isinstance(q["regex"], str):
                raise InvalidQuery("regex must be a string", code="query:InvalidRegex")
            return Regex(field, q["regex"], flags, safe=True)
        op = q.get("op")
        if op in NARY:
            if "rfield" in q:
                return FieldCompare(field, NARY[op], path(q["rfield"]))
            values = q.get("values")
            if not isinstance(values, list) or len(values) > MAX_VALUES:
                raise InvalidQuery(f"{op} takes values: an array of at most {MAX_VALUES}", code="query:InvalidQuery")
            terms = [self._compare(field, "eq", self._scalar(self._value(prefix, field, v)), top) for v in values]
            anyof = _any(field, terms)
            return anyof if NARY[op] == "in" else Not(anyof)
        if op not in OPS:
            raise InvalidQuery(f"unknown operator {op!r}", code="query:InvalidOperator")
        if "rfield" in q:
            return FieldCompare(field, OPS[op], path(q["rfield"]))
        if "rvalue" not in q:
            raise InvalidQuery("a comparison needs rvalue or rfield", code="query:InvalidQuery")
        value = self._value(prefix, field, q["rvalue"])
        if value is None:
            if OPS[op] not in ("eq", "ne"):
                raise InvalidQuery("null compares only with = and !=", code="query:InvalidRValue")
            return Not(Exists(field)) if OPS[op] == "eq" else Exists(field)
        return self._compare(field, OPS[op], value, top)

    def _compare(self, field: str, op: str, value: Any, top: bool) -> Node:
        if top and field == "_id" and op in ("eq", "ne"):
            return Compare("uuid", op, self.ids(value), True)
        return Compare(field, op, value, True)


def _any(field: str, terms: list[Node]) -> Node:
    if not terms:
        return In(field, ())  # matches nothing and reads nothing
    return terms[0] if len(terms) == 1 else Or(tuple(terms))


def parse_sort(s: Any) -> list[tuple[str, bool]]:
    """`{"f": "$asc"}` or an array of them: (field, descending) pairs."""
    if s is None:
        return []
    items = s if isinstance(s, list) else [s]
    out = []
    for item in items:
        if not isinstance(item, dict) or len(item) != 1:
            raise InvalidQuery("sort is {field: $asc|$desc} or an array of them", code="query:InvalidSort")
        (f, d), = item.items()
        if d not in ("$asc", "$desc"):
            raise InvalidQuery(f"sort direction of {f} must be $asc or $desc", code="query:InvalidSort")
        out.append((path(f), d == "$desc"))
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
