"""Projection (field / include / recursive, array match and range), sort and range, in memory.

Rules apply in order and the last one that reaches a field decides: a rule reaches a path when
its field pattern equals it (`*` matches one segment, array elements are `*`), or is a prefix of
it and the rule is recursive. Excluding a field drops its whole subtree. Containers holding an
included field are kept. An array rule with `match` (a query on the elements) or `range`
keeps only those elements, sorted by its `sort`, each projected with the rule's `project` (default:
all of it); `project` alone projects every element. Paths with `$this`/`$parent` are made absolute
as lightblue-core does (`a.$parent.b` is `b`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...core.errors import InvalidQuery
from ...core.query import Node, matches, path_values
from .expressions import MAX_DEPTH, THIS, Compiler, Scope, parse_sort, resolve

MAX_RULES = 100


@dataclass
class Rule:
    field: tuple[str, ...]
    include: bool
    recursive: bool
    match: Node | None = None
    range: tuple[int, int] | None = None
    project: list[Rule] | None = None
    sort: list[tuple[str, bool]] | None = None
    array: bool = False  # match, range or project given: an array projection

    @property
    def is_array(self) -> bool:
        return self.array


def parse(p: Any, compiler: Compiler, scope: Scope = (), depth: int = 0) -> list[Rule] | None:
    """Rules in order; `scope` is the absolute path of the elements a nested `project` applies to."""
    if p is None:
        return None
    if depth > MAX_DEPTH:
        raise InvalidQuery("projection nested too deeply", code="query:InvalidProjection")
    items = p if isinstance(p, list) else [p]
    if not items or len(items) > MAX_RULES:
        raise InvalidQuery(f"a projection is a non-empty list of at most {MAX_RULES} rules",
                           code="query:InvalidProjection")
    return [_rule(item, compiler, scope, depth) for item in items]


def _rule(item: Any, compiler: Compiler, scope: Scope, depth: int) -> Rule:
    if not isinstance(item, dict) or "field" not in item:
        raise InvalidQuery("a projection is {field, include, recursive} or an array of them",
                           code="query:InvalidProjection")
    segs = _non_relative(item["field"])
    inc, rec = item.get("include", True), item.get("recursive", False)
    if not isinstance(inc, bool) or not isinstance(rec, bool):
        raise InvalidQuery("include and recursive are booleans", code="query:InvalidProjection")
    array = any(k in item for k in ("match", "range", "project", "sort"))
    if array and len(segs) > 1 and segs[-1] == "*":
        segs = segs[:-1]  # query.md writes the array rule on `address.*`, projection.md on `address`
    rule = Rule(segs, inc, rec, array=array)
    elems = scope + segs + ("*",)
    if "match" in item:
        rule.match = compiler.subquery(item["match"], elems)
    if "range" in item:
        r = item["range"]
        if not (isinstance(r, list) and len(r) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in r)):
            raise InvalidQuery("range is [from, to], zero-based and inclusive", code="query:InvalidProjection")
        rule.range = (r[0], r[1])
    if "project" in item:
        rule.project = parse(item["project"], compiler, elems, depth + 1)
    if "sort" in item:
        rule.sort = parse_sort(item["sort"])
    return rule


def _non_relative(f: Any) -> tuple[str, ...]:
    """Lightblue's getNonRelativePath: `$this` is dropped and `$parent` cancels the segment before it."""
    out = resolve(f, (), False)
    if not out:
        raise InvalidQuery(f"{f} names no field", code="query:InvalidFieldPath")
    return out


def _reaches(rule: Rule, segs: tuple[str, ...]) -> bool:
    n = len(rule.field)
    if n > len(segs) or (n < len(segs) and not rule.recursive):
        return False
    return all(r == "*" or r == s for r, s in zip(rule.field, segs[:n], strict=False))


def _decide(rules: list[Rule], segs: tuple[str, ...]) -> tuple[bool | None, Rule | None]:
    decision: bool | None = None
    array_rule = None
    for r in rules:
        if _reaches(r, segs):
            decision = r.include
            array_rule = r if r.is_array and len(r.field) == len(segs) else None
    return decision, array_rule


def project(doc: dict[str, Any], rules: list[Rule]) -> dict[str, Any]:
    return _obj(doc, (), rules, False)


def _obj(d: dict[str, Any], segs: tuple[str, ...], rules: list[Rule], inherited: bool) -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        here = segs + (k,)
        dec, arr = _decide(rules, here)
        if dec is None:
            dec = inherited
        got = _value(v, here, rules, dec, arr)
        if got is not _SKIP:
            out[k] = got
    return out


_SKIP = object()


def _value(v: Any, segs: tuple[str, ...], rules: list[Rule], dec: bool, arr: Rule | None) -> Any:
    if arr is not None and dec and isinstance(v, list):
        items = list(enumerate(v))
        if arr.range is not None:
            items = [(i, e) for i, e in items if arr.range[0] <= i <= arr.range[1]]
        if arr.match is not None:
            items = [(i, e) for i, e in items if matches(arr.match, {THIS: e})]
        elems = [e for _, e in items]
        if arr.sort:
            elems = _sort_elements(elems, arr.sort)
        inner = arr.project
        return [project(e, inner) if inner is not None and isinstance(e, dict) else e for e in elems]
    explicit = _decide(rules, segs)[0]
    if explicit is False:
        return _SKIP
    if isinstance(v, dict):
        sub = _obj(v, segs, rules, dec and _recursive(rules, segs))
        return sub if sub or dec else _SKIP
    if isinstance(v, list):
        elems = []
        for e in v:
            edec, _ = _decide(rules, segs + ("*",))
            edec = dec if edec is None else edec
            if isinstance(e, dict):
                sub = _obj(e, segs + ("*",), rules, edec and (_recursive(rules, segs) or _recursive(rules, segs + ("*",))))
                if sub or edec:
                    elems.append(sub)
            elif edec:
                elems.append(e)
        return elems if elems or dec else _SKIP
    return v if dec else _SKIP


def _recursive(rules: list[Rule], segs: tuple[str, ...]) -> bool:
    """Does the rule deciding `segs` carry on below it?"""
    last = None
    for r in rules:
        if _reaches(r, segs):
            last = r
    return bool(last and (last.recursive or len(last.field) < len(segs)))


def _sort_elements(elems: list[Any], order: list[tuple[str, bool]]) -> list[Any]:
    """projection.md: an array rule's `sort` orders the selected elements by fields of each element."""
    for f, desc in reversed(order):
        elems.sort(key=lambda e: _key((path_values(e, f) or [None])[0] if isinstance(e, dict) else None),
                   reverse=desc)
    return elems


# -- sort and range ---------------------------------------------------------------------------
def _key(v: Any) -> tuple[int, Any]:
    if v is None:
        return (0, 0)
    if isinstance(v, bool):
        return (1, v)
    if isinstance(v, (int, float)):
        return (2, v)
    if isinstance(v, str):
        return (3, v)
    return (4, json.dumps(v, sort_keys=True))


def sort_docs(docs: list[dict[str, Any]], order: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    for f, desc in reversed(order):
        docs.sort(key=lambda d: _key((path_values(d, f) or [None])[0]), reverse=desc)
    return docs


def window(docs: list[Any], frm: Any, to: Any) -> list[Any]:
    for name, v in (("from", frm), ("to", to)):
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
            raise InvalidQuery(f"{name} must be a non-negative integer", code="query:InvalidRange")
    start = frm or 0
    return docs[start:] if to is None else docs[start: to + 1]
