"""Schema access rules (Lightblue `access`) applied to documents and queries, whatever the dialect.

A schema's entity-level rules (`find`, `insert`, `update`, `delete`: role lists) and field-level
rules (`access: {find: [...], update: [...], insert: [...]}`) are checked by `AppData` for every
caller. What this module does with the paths `Schema.hidden_fields` returns (dotted, `*` for
array elements):

- reads: a field the caller may not `find` is removed from every document it gets back;
- queries and sorts: a term or order key on such a field, inside it or on an object holding it, is
  refused (Lightblue's Mediator refuses a query on an unreadable field with `crud:NoAccess`), so
  a count or a range can never tell its value;
- writes: a field the caller may not `insert` cannot be in a new document, and one it may not
  `update` cannot change; a whole-document replace keeps the fields the caller cannot see.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from .query import And, ElemMatch, FieldCompare, Node, Not, Or

_MISSING = object()


def strip(doc: dict[str, Any], paths: list[str]) -> tuple[dict[str, Any], bool]:
    """A copy of `doc` without `paths`, and whether anything was removed (`doc` itself if not)."""
    if not paths or not any(p.split(".")[0] in doc for p in paths):
        return doc, False
    out = copy.deepcopy(doc)
    removed = False
    for p in paths:
        removed = _drop(out, p.split(".")) or removed
    return (out, True) if removed else (doc, False)


def _drop(node: Any, segs: list[str]) -> bool:
    if isinstance(node, list):
        rest = segs[1:] if segs[0] == "*" else segs
        return any([_drop(e, rest) for e in node]) if rest else False
    if isinstance(node, dict) and segs[0] in node:
        if len(segs) == 1:
            del node[segs[0]]
            return True
        return _drop(node[segs[0]], segs[1:])
    return False


def values_at(doc: Any, path: str) -> str:
    """Everything `path` reaches in `doc`, canonically serialized (for before/after comparison)."""
    return json.dumps(_collect(doc, path.split(".")), sort_keys=True, default=str)


def _collect(node: Any, segs: list[str]) -> Any:
    if not segs:
        return node
    if isinstance(node, list):
        return [_collect(e, segs[1:] if segs[0] == "*" else segs) for e in node]
    if isinstance(node, dict):
        return _collect(node[segs[0]], segs[1:]) if segs[0] in node else "\x00missing"
    return "\x00missing"


def changed(old: dict[str, Any], new: dict[str, Any], paths: list[str]) -> list[str]:
    """The paths among `paths` whose values differ between `old` and `new`."""
    return [p for p in paths if values_at(old, p) != values_at(new, p)]


def keep_hidden(old: dict[str, Any], new: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """A replace by a caller who cannot see `paths` keeps their stored top-level values (Lightblue's
    save merges the fields the caller cannot see back into the new document)."""
    for p in paths:
        top = p.split(".")[0]
        if "." not in p and top in old and top not in new:
            new[top] = old[top]
    return new


def fields_of(node: Node | None) -> Iterator[str]:
    """Every field path a query node reads (both sides of a field comparison, elemMatch arrays)."""
    if node is None:
        return
    if isinstance(node, (And, Or)):
        for c in node.children:
            yield from fields_of(c)
    elif isinstance(node, Not):
        yield from fields_of(node.child)
    elif isinstance(node, ElemMatch):
        yield node.field
        for sub in fields_of(node.child):
            if not sub.startswith("$parent"):
                yield f"{node.field}.*.{sub.removeprefix('$this.')}" if sub != "$this" else f"{node.field}.*"
    elif isinstance(node, FieldCompare):
        yield node.field
        yield node.rfield
    else:
        yield str(getattr(node, "field", ""))


def touches(path: str, hidden: list[str]) -> str | None:
    """The hidden path a query on `path` would reveal: the field itself, something inside it, or an
    object holding it (`address` when `address.salary` is hidden). Array indexes count as `*`; names
    compare case-insensitively (Usergrid's ql reads property names so)."""
    segs = _loose([s for s in path.lower().split(".") if s])
    if not segs:
        return None
    for h in hidden:
        hs = _loose(h.lower().split("."))
        if segs[:len(hs)] == hs or hs[:len(segs)] == segs:
            return h
    return None


def _loose(segs: list[str]) -> list[str]:
    """Array steps elided, as the indexes name paths (`items.sku` reaches `items.*.sku`, `items.0.sku`)."""
    return [s for s in segs if s != "*" and not s.lstrip("-").isdigit()]
