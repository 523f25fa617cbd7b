"""Property names matched in any case, as Usergrid's ql matches them, without changing the indexes.

Usergrid lower-cases a whole ql string before parsing it, and its index holds every field under its
lower-cased name, so `NAME = 'x'` finds entities that store `name`, `Name` or `NAME` (reference 4.1).
Our indexes are keyed by the name as stored (case matters to the other dialects: Parse's `Name` and
`name` are two fields). So a folded query is rewritten instead: each property path, lower-cased by
the parser, becomes the OR of the spellings the collection has stored (`core/classes.py` records
every indexed path that is not all lower case, on write, whatever the dialect), and each spelling
reads its own index. An order on a path stored in several spellings sorts in memory on the first
spelling an entity has (`Query.alternatives`, the planner's window). Filters that read no index
(connection lists) match against the document with its keys lower-cased instead (`fold_keys`).

Costs: a path stored in one spelling (the usual case) reads exactly as before; one in n spellings
reads n index ranges. A spelling first written in another container is seen here once the class
registry's cache (30 s) has expired; all-lower-case names need no registry and are found at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .query import And, FieldCompare, Node, Not, Or, Query, Within

FIXED = frozenset(("uuid", "type", "created", "modified"))  # the core's own keys: one spelling


def spell(query: Query, spellings: Callable[[str], list[str]]) -> Query:
    """The query over stored spellings: `spellings(path)` lists those of a lower-cased path."""
    out = replace(query, where=_node(query.where, spellings) if query.where is not None else None)
    order, alternatives = [], {}
    for path, desc in query.order:
        names = _names(path, spellings)
        if len(names) == 1:
            order.append((names[0], desc))
        else:
            order.append((path, desc))
            alternatives[path] = tuple(names)
    out.order, out.alternatives = order, alternatives
    return out


def _names(path: str, spellings: Callable[[str], list[str]]) -> list[str]:
    if path in FIXED:
        return [path]
    return list(dict.fromkeys([path, *spellings(path)]))


def _node(node: Node, spellings: Callable[[str], list[str]]) -> Node:
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_node(c, spellings) for c in node.children))
    if isinstance(node, Not):
        return Not(_node(node.child, spellings))
    path = getattr(node, "field", None)
    if not isinstance(path, str) or isinstance(node, (Within, FieldCompare)):
        return node  # `within` reads the geohashes of `location` only, which has one spelling
    names = _names(path, spellings)
    if len(names) == 1:
        return replace(node, field=names[0])
    return Or(tuple(replace(node, field=n) for n in names))


def fold_keys(value: Any) -> Any:
    """The document with every object key lower-cased (the first of two keys that collide wins)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.setdefault(k.lower() if isinstance(k, str) else k, fold_keys(v))
        return out
    if isinstance(value, list):
        return [fold_keys(v) for v in value]
    return value
