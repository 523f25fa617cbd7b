"""The dialect-neutral query AST and how a node matches an entity.

Dialects parse their own syntax (Usergrid ql, Backendless where, BEA where JSON, Lightblue
expressions) into these nodes; the planner (planner.py) turns them into index reads and
uses `matches` to verify every candidate against the entity as it is now, so a stale index
entry can never leak a non-matching entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Union

from . import geo
from .indexing import keywords

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


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    child: "Node"


Node = Union[Compare, Prefix, Contains, Within, In, Exists, Regex, And, Or, Not]


@dataclass
class Query:
    where: Node | None = None
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    select: list[str] | None = None
    limit: int = 10
    cursor: str | None = None


_MISSING = object()


def get_path(doc: dict[str, Any], path: str) -> Any:
    cur: Any = doc
    for part in path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return _MISSING
    return cur


def _values(doc: dict[str, Any], path: str) -> Iterator[Any]:
    v = get_path(doc, path)
    if v is _MISSING:
        return
    if isinstance(v, list):
        yield from v
    else:
        yield v


def _norm(v: Any, case_sensitive: bool) -> Any:
    return v.lower() if isinstance(v, str) and not case_sensitive else v


def compare_values(a: Any, op: str, b: Any, case_sensitive: bool = False) -> bool:
    """Typed comparison: values of different kinds never compare, as in the index."""
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
    return None


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
        return geo.distance_m(node.lat, node.lon, float(lat), float(lon)) <= node.radius_m
    if isinstance(node, In):
        return any(compare_values(v, "eq", w) for v in _values(doc, node.field) for w in node.values)
    if isinstance(node, Exists):
        return get_path(doc, node.field) is not _MISSING
    if isinstance(node, Regex):
        rx = re.compile(node.pattern, node.flags)
        return any(isinstance(v, str) and rx.search(v) for v in _values(doc, node.field))
    if isinstance(node, And):
        return all(matches(c, doc) for c in node.children)
    if isinstance(node, Or):
        return any(matches(c, doc) for c in node.children)
    if isinstance(node, Not):
        return not matches(node.child, doc)
    raise TypeError(f"unknown query node {node!r}")


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


def sort_value(doc: dict[str, Any], path: str) -> tuple[int, Any]:
    """Total order across kinds for in-memory sorts: missing < bool < number < string."""
    v = get_path(doc, path)
    if isinstance(v, bool):
        return (1, v)
    if isinstance(v, (int, float)):
        return (2, v)
    if isinstance(v, str):
        return (3, v.lower())
    return (0, 0)
