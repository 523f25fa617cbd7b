"""The dialect-neutral query AST and how a node matches an entity.

Dialects parse their own syntax (Usergrid ql, Backendless where, BEA where JSON, Lightblue
expressions) into these nodes; the planner (planner.py) turns them into index reads and
uses `matches` to verify every candidate against the entity as it is now, so a stale index
entry can never leak a non-matching entity.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import geo
from .indexing import MAX_LEVELS, is_array_step, keywords, typed_value
from .validate import is_index

OPS = ("eq", "ne", "lt", "lte", "gt", "gte")


@dataclass(frozen=True)
class Compare:
    field: str
    op: str  # one of OPS
    value: Any
    case_sensitive: bool = False


@dataclass(frozen=True)
class Prefix:
    field: str
    prefix: str


@dataclass(frozen=True)
class Contains:
    """Keyword match: every word of `text` occurs in the field (a trailing * makes a prefix)."""

    field: str
    text: str


@dataclass(frozen=True)
class Within:
    field: str
    radius_m: float
    lat: float
    lon: float


@dataclass(frozen=True)
class InPolygon:
    """A GeoPoint field inside the polygon `points` ((lat, lon) vertices, closed implicitly), with
    straight edges in lat/lon and the boundary inside, as MongoDB's legacy `$polygon` (Parse's
    `$geoWithin: {$polygon}`). On `location` the planner reads the geohash cells of its bounding box."""

    field: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class PolygonHas:
    """Filter-only: a Polygon field (`{"coordinates": [[lat, lon], ...]}`) holding the point
    (Parse's `$geoIntersects: {$point}`); boundary inside, edges straight in lat/lon."""

    field: str
    lat: float
    lon: float


@dataclass(frozen=True)
class ContainedBy:
    """Filter-only: no element of the array `field` lies outside `values`, compared exactly (Parse's
    `$containedBy`, which Parse Server runs on MongoDB as `$nor: [{field: {$elemMatch: {$nin}}}]`:
    so an empty array, a missing field and a non-array value match too)."""

    field: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class In:
    field: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Exists:
    field: str


@dataclass(frozen=True)
class Regex:
    """Filter-only: evaluated on entities read through another term or a listing."""

    field: str
    pattern: str
    flags: int = 0
    safe: bool = False  # client-supplied pattern: run by saferegex (linear time), not `re`


@dataclass(frozen=True)
class ElemMatch:
    """Filter-only: some element of the array `field` matches `child` (Mongo's $elemMatch); a scalar
    element is seen as `{"$this": element}`, so `child` names it `$this` (Lightblue's spelling)."""

    field: str
    child: Node


@dataclass(frozen=True)
class FieldCompare:
    """Filter-only: `field op rfield` between two fields of the same document (Lightblue).

    A scalar against an array holds when it holds for every element; two arrays compare element
    by element. `op` is one of OPS, or "in"/"nin" (the value of `field` among those of `rfield`).
    """

    field: str
    op: str
    rfield: str


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = (Compare | Prefix | Contains | Within | InPolygon | PolygonHas | ContainedBy | In | Exists | Regex | And | Or | Not
        | ElemMatch | FieldCompare)


@dataclass
class Query:
    where: Node | None = None
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    select: list[str] | None = None
    aliases: dict[str, str] | None = None  # output name -> field, for projections that rename (Usergrid)
    limit: int = 10
    cursor: str | None = None
    fold_case: bool = False  # property names match in any case (Usergrid ql; core/casefold.py)
    # an order path stored in several spellings -> those spellings: sorted in memory on the first one an
    # entity has (casefold.spell sets it)
    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)


_MISSING = object()
MISSING = _MISSING  # what get_path returns for a path a document does not have


def get_path(doc: dict[str, Any], path: str) -> Any:
    cur: Any = doc
    for part in path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return _MISSING
    return cur


def path_values(doc: Any, path: str) -> list[Any]:
    """Values at a path with array steps: `*` (every element) and `n` / `-n` (one element)."""
    cur = [doc]
    for part in path.split("."):
        nxt: list[Any] = []
        for c in cur:
            if isinstance(c, dict) and part in c:
                nxt.append(c[part])
            elif isinstance(c, list) and part == "*":
                nxt.extend(c)
            elif isinstance(c, list) and is_index(part) and -len(c) <= int(part) < len(c):
                nxt.append(c[int(part)])
        cur = nxt
    return cur


def _array_path(path: str) -> bool:
    return any(p == "*" or is_index(p) for p in path.split("."))


def _walk(doc: Any, path: str) -> list[tuple[Any, int]]:
    """What a query path reaches, with each value's nesting level (the top-level value is 1).

    Steps as in `path_values` (`*` every element, `n` / `-n` one element), and a named step
    on an array applies to its elements (nested arrays too), as Usergrid, Parse and MongoDB
    read `items.sku` on `items: [{sku: ...}]`. Values deeper than indexing.MAX_LEVELS are not
    reached: the index stops there too, so what matches is always what the index holds.
    """
    cur: list[tuple[Any, int]] = [(doc, 0)]
    for part in path.split("."):
        nxt: list[tuple[Any, int]] = []
        for c, level in cur:
            _step(c, level, part, nxt)
        cur = nxt
    return cur


def _step(c: Any, level: int, part: str, out: list[tuple[Any, int]]) -> None:
    if level >= MAX_LEVELS:
        return
    if isinstance(c, dict):
        if part in c:
            out.append((c[part], level + 1))
    elif isinstance(c, list):
        if part == "*":
            out.extend((e, level + 1) for e in c)
        elif is_array_step(part):
            i = _int(part)
            if i is not None and -len(c) <= i < len(c):
                out.append((c[i], level + 1))
        else:
            for e in c:
                _step(e, level + 1, part, out)


def _int(part: str) -> int | None:
    try:
        return int(part)
    except ValueError:
        return None


def _values(doc: dict[str, Any], path: str) -> Iterator[Any]:
    for v, level in _walk(doc, path):
        if isinstance(v, list):
            if level < MAX_LEVELS:
                yield from v
        else:
            yield v


def _norm(v: Any, case_sensitive: bool) -> Any:
    typed = typed_value(v)
    if typed is not None:
        return typed[1]
    return v.lower() if isinstance(v, str) and not case_sensitive else v


def compare_values(a: Any, op: str, b: Any, case_sensitive: bool = False) -> bool:
    """Typed comparison: values of different kinds never compare, as in the index. A null (stored by
    the Parse-style dialects) equals only null and is neither less nor greater than anything."""
    if a is None or b is None:
        return op in ("eq", "ne") and (a is None and b is None) == (op == "eq")
    if _kind(a) != _kind(b) or _kind(a) is None:
        return op == "ne"
    a, b = _norm(a, case_sensitive), _norm(b, case_sensitive)
    if op == "eq":
        return bool(a == b)
    if op == "ne":
        return bool(a != b)
    if op == "lt":
        return bool(a < b)
    if op == "lte":
        return bool(a <= b)
    if op == "gt":
        return bool(a > b)
    if op == "gte":
        return bool(a >= b)
    raise ValueError(op)


def _kind(v: Any) -> str | None:
    if isinstance(v, bool):
        return "b"
    if isinstance(v, (int, float)):
        return "n"
    if isinstance(v, str):
        return "s"
    typed = typed_value(v)
    return typed[0] if typed is not None else None


def matches(node: Node | None, doc: dict[str, Any]) -> bool:
    if node is None:
        return True
    if isinstance(node, Compare):
        vals = list(_values(doc, node.field))
        if node.op == "ne":
            return all(compare_values(v, "ne", node.value, node.case_sensitive) for v in vals)
        return any(compare_values(v, node.op, node.value, node.case_sensitive) for v in vals)
    if isinstance(node, Prefix):
        p = node.prefix.lower()
        return any(isinstance(v, str) and v.lower().startswith(p) for v in _values(doc, node.field))
    if isinstance(node, Contains):
        return _contains(doc, node)
    if isinstance(node, Within):
        loc = get_path(doc, node.field)
        if not isinstance(loc, dict):
            return False
        lat, lon = loc.get("latitude"), loc.get("longitude")
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (lat, lon)):
            return False
        return geo.distance_m(node.lat, node.lon, float(lat), float(lon)) <= node.radius_m  # type: ignore[arg-type]
    if isinstance(node, InPolygon):
        pt = _latlon(get_path(doc, node.field))
        return pt is not None and geo.in_polygon(pt[0], pt[1], node.points)
    if isinstance(node, PolygonHas):
        return _polygon_has(get_path(doc, node.field), node.lat, node.lon)
    if isinstance(node, ContainedBy):
        return all(any(_same(e, w) for w in node.values)
                   for v, _ in _walk(doc, node.field) if isinstance(v, list) for e in v)
    if isinstance(node, In):
        return any(compare_values(v, "eq", w) for v in _values(doc, node.field) for w in node.values)
    if isinstance(node, Exists):
        return bool(_walk(doc, node.field))
    if isinstance(node, Regex):
        if node.safe:
            from .saferegex import compile_safe

            srx = compile_safe(node.pattern, node.flags)
            return any(isinstance(v, str) and srx.search(v) for v in _values(doc, node.field))
        rx = re.compile(node.pattern, node.flags)
        return any(isinstance(v, str) and rx.search(v) for v in _values(doc, node.field))
    if isinstance(node, ElemMatch):
        return any(matches(node.child, v if isinstance(v, dict) else {"$this": v})
                   for v in _values(doc, node.field) if v is not None)
    if isinstance(node, FieldCompare):
        return _field_compare(doc, node)
    if isinstance(node, And):
        return all(matches(c, doc) for c in node.children)
    if isinstance(node, Or):
        return any(matches(c, doc) for c in node.children)
    if isinstance(node, Not):
        return not matches(node.child, doc)
    raise TypeError(f"unknown query node {node!r}")


def _latlon(loc: Any) -> tuple[float, float] | None:
    if not isinstance(loc, dict):
        return None
    lat, lon = loc.get("latitude"), loc.get("longitude")
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (lat, lon)):
        return None
    return float(lat), float(lon)  # type: ignore[arg-type]


def _polygon_has(poly: Any, lat: float, lon: float) -> bool:
    pts = poly.get("coordinates") if isinstance(poly, dict) else None
    if not isinstance(pts, list) or len(pts) < 3:
        return False
    ring = []
    for p in pts:
        if not (isinstance(p, list) and len(p) == 2
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in p)):
            return False
        ring.append((float(p[0]), float(p[1])))
    return geo.in_polygon(lat, lon, tuple(ring))


def _same(a: Any, b: Any) -> bool:
    """Exact equality of two stored values: typed as `compare_values` (case-sensitive), or equal
    objects (Pointers and other typed hashes)."""
    return compare_values(a, "eq", b, True) or (isinstance(a, dict) and a == b)


def _field_compare(doc: dict[str, Any], node: FieldCompare) -> bool:
    left = path_values(doc, node.field) if _array_path(node.field) else [get_path(doc, node.field)]
    right = path_values(doc, node.rfield) if _array_path(node.rfield) else [get_path(doc, node.rfield)]
    if len(left) != 1 or len(right) != 1 or _MISSING in (left[0], right[0]):
        return False
    a, b = left[0], right[0]
    if node.op in ("in", "nin"):
        pool = b if isinstance(b, list) else [b]
        found = any(compare_values(a, "eq", w, True) for w in pool)
        return found if node.op == "in" else not found
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(compare_values(x, node.op, y, True) for x, y in zip(a, b, strict=False))
    if isinstance(b, list):
        return all(compare_values(a, node.op, y, True) for y in b)
    if isinstance(a, list):
        return all(compare_values(x, node.op, b, True) for x in a)
    return compare_values(a, node.op, b, True)


def _contains(doc: dict[str, Any], node: Contains) -> bool:
    words: set[str] = set()
    for v in _values(doc, node.field):
        if isinstance(v, str):
            words |= keywords(v)
    for term in keywords(node.text.rstrip("*")) or {""}:
        if node.text.endswith("*") and term == sorted(keywords(node.text.rstrip("*")) or {""})[-1]:
            if not any(w.startswith(term) for w in words):
                return False
        elif term not in words:
            return False
    return True


def sort_value(doc: dict[str, Any], path: str, spellings: tuple[str, ...] = ()) -> tuple[float, Any]:
    """Total order across kinds for in-memory sorts, the index's: missing < bool < Date < Time < number <
    Pointer < string. `spellings`: the path's stored spellings, the first one present counts."""
    v = get_path(doc, path)
    for alt in spellings:
        if v is not _MISSING:
            break
        v = get_path(doc, alt)
    if isinstance(v, bool):
        return (1, v)
    if isinstance(v, (int, float)):
        return (2, v)
    if isinstance(v, str):
        return (3, v.lower())
    typed = typed_value(v)
    if typed is not None:
        return {"d": (1.5, typed[1]), "e": (1.7, typed[1])}.get(typed[0], (2.5, typed[1]))  # the index's order
    return (0, 0)
