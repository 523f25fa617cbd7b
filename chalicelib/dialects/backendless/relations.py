"""Backendless relations: set (POST), add (PUT), delete (DELETE) and load (GET) under
`/data/{table}/{objectId}/{relation}`, and `loadRelations` / `relationsDepth` / `relationsPageSize`
on find and find-by-id, as the JS SDK 8 sends them (`setRelation`, `addRelation`, `deleteRelation`,
`loadRelations`, `DataQueryBuilder.setRelated` ...).

The relation lives in the core (core/relations.py): a one-to-one column is a Pointer in the parent's
document, a one-to-many column core connections, so Parse's `include` / `$relatedTo` and Usergrid's
connection routes see the same relation. A relation column is left out of an object until loaded; a
loaded related object is a full Backendless object (`___class`, `objectId`, ...). Children named by
id that do not exist, or that the caller may not read, are skipped and not counted (Backendless:
"a non-existing object is ignored").
"""

from __future__ import annotations

from typing import Any

from ...core import budget
from ...core.budget import OverBudget
from ...core.entities import collection_key
from ...core.errors import InvalidInput, InvalidQuery
from ...core.ids import is_uuid
from ...core.planner import MAX_LIMIT
from ...core.ports import Record
from ...core.query import Query, matches
from ...core.relations import DEFAULT_PAGE, MAX_DEPTH, MAX_PAGE, MAX_SCAN, Column, Node, Relations
from ..http import json_body
from . import models
from .common import Ctx, display_table, ok, query_param, request, route, to_wire
from .data import DEFAULT_PAGE as FIND_PAGE
from .data import MAX_PAGE as FIND_MAX
from .data import _params, _props, _sort, int_param
from .where import parse_where

USERS_CLASS = "_User"  # the class name a pointer to a user carries (Parse's), so /parse includes it too


def class_name(table: str) -> str:
    return USERS_CLASS if display_table(table) == "Users" else table


def resolve(name: str) -> str:
    """A pointer's class name -> its collection (`_User` and `Users` are the users)."""
    return "users" if name == USERS_CLASS else collection_key(name)


def shown(name: str) -> str:
    return "Users" if name == USERS_CLASS else display_table(name)


def relations(ctx: Ctx) -> Relations:
    return Relations(ctx.data, resolve)


# -- loading -------------------------------------------------------------------------------------
def wanted(params: dict[str, Any]) -> tuple[dict[str, Any], int, int] | None:
    """(tree of `loadRelations` paths, relationsDepth, relationsPageSize), or None when none is asked."""
    raw = params.get("loadRelations")
    depth = int_param(params.get("relationsDepth"), "relationsDepth", 0, 0, MAX_DEPTH)
    page = int_param(params.get("relationsPageSize"), "relationsPageSize", DEFAULT_PAGE, 1, MAX_PAGE)
    if raw in (None, "", []) and not depth:
        return None
    if raw is not None and not isinstance(raw, (str, list)):
        raise InvalidInput("loadRelations is a comma-separated list of relation names")
    paths = raw if isinstance(raw, list) else str(raw or "").split(",")
    tree: dict[str, Any] = {}
    for path in paths:
        if not isinstance(path, str):
            raise InvalidInput("loadRelations is a comma-separated list of relation names")
        if not path.strip():
            continue
        node = tree
        for part in path.strip().split("."):
            if not part:
                raise InvalidInput(f"invalid relation path: {path}")
            node = node.setdefault(part, {})
    return tree, depth, page


def render(node: Node, table: str) -> dict[str, Any]:
    out = to_wire(node.record, shown(table))
    for name, rel in node.related.items():
        if isinstance(rel, list):
            out[name] = [render(k, k.cls) for k in rel]
        else:
            out[name] = render(rel, rel.cls) if rel is not None else None
    return out


def attach(ctx: Ctx, table: str, records: list[Record], objs: list[dict[str, Any]],
           params: dict[str, Any]) -> list[dict[str, Any]]:
    """`objs` (the wire form of `records`, props applied) with the relations the params ask for."""
    asked = wanted(params)
    if asked is None:
        return objs
    rel = relations(ctx)
    if not records:  # nothing to load, but an unknown relation is a 400 whatever matched
        for name in (n for n in asked[0] if n != "*"):
            if rel.column(collection_key(table), name) is None:
                raise InvalidQuery(f"{name} is not a relation of {display_table(table)}")
    nodes = rel.load(records, *asked)
    out = []
    for node, obj in zip(nodes, objs, strict=True):
        full = render(node, table)
        out.append({**obj, **{k: full[k] for k in node.related}})
    return out


# -- the relation routes ---------------------------------------------------------------------------
def _column(ctx: Ctx, table: str, spec: str) -> Column:
    """`name` of an existing column, or `name:Table:1|n` declaring one (Backendless' syntax)."""
    parts = spec.split(":")
    if len(parts) not in (1, 3) or not parts[0] or not all(parts):
        raise InvalidInput(f"invalid relation column: {spec}; use name or name:Table:1 / name:Table:n")
    target = many = None
    if len(parts) == 3:
        if parts[2].lower() not in ("1", "n"):
            raise InvalidInput(f"invalid cardinality in {spec}: 1 (one-to-one) or n (one-to-many)")
        target, many = class_name(parts[1]), parts[2].lower() == "n"
    return relations(ctx).declare(collection_key(table), parts[0], target, many)


def _children(ctx: Ctx, col: Column) -> list[Record]:
    """The children a change names: a JSON array of objectIds (or objects with one) in the body, or
    `whereClause` in the query string; only those the caller may read."""
    target = resolve(col.target)
    body = json_body(request(), None)
    where = query_param("whereClause")
    if body is None and not where:
        raise InvalidInput("send the children as a JSON array of objectIds, or a whereClause")
    if body is not None:
        if not isinstance(body, list):
            raise InvalidInput("the children are a JSON array of objectIds")
        given = [c.get("objectId") if isinstance(c, dict) else c for c in body]
        ids = [i for i in given if isinstance(i, str) and i]
        if len(ids) != len(given):
            raise InvalidInput("each child is an objectId string (or an object with one)")
        budget.check_bulk(len(ids))
        got = ctx.data.readable_by_uuid({i.lower(): target for i in ids if is_uuid(i)})
        return [got[i.lower()] for i in ids if i.lower() in got]  # in the order given
    node, cursor = parse_where(where), None
    out: list[Record] = []
    while len(out) <= budget.limits().bulk:
        page = ctx.data.query(target, Query(where=node, limit=min(MAX_LIMIT, budget.limits().bulk + 1 - len(out)),
                                            cursor=cursor))
        out += page.records
        cursor = page.cursor
        if not cursor:
            break
    return out


def change(ctx: Ctx, table: str, object_id: str, relation: str) -> Any:
    mode = {"POST": "set", "PUT": "add", "DELETE": "delete"}[request().method]
    col = _column(ctx, table, relation)
    return ok(relations(ctx).change(collection_key(table), object_id, col, _children(ctx, col), mode))


def load(ctx: Ctx, table: str, object_id: str, relation: str) -> Any:
    """GET: the related objects of one object, `pageSize`/`offset` (Backendless' relation paging), with
    `where`, `sortBy`, `props` and the relation parameters of find; at most MAX_SCAN members are read
    to filter or sort."""
    params = _params()
    page = int_param(params.get("pageSize"), "pageSize", FIND_PAGE, 1, FIND_MAX)
    offset = int_param(params.get("offset"), "offset", 0, 0, MAX_SCAN)
    where, order = parse_where(params.get("where")), _sort(params.get("sortBy"))
    want = MAX_SCAN + 1 if where is not None or order else offset + page
    col, recs = relations(ctx).members(collection_key(table), object_id, relation, want)
    if len(recs) > MAX_SCAN:
        raise OverBudget(f"this relation holds more than {MAX_SCAN} objects: filter or sort it with a find "
                         "on the child table instead")
    if where is not None:
        recs = [r for r in recs if matches(where, r.doc | {"uuid": r.uuid})]
    for name, desc in reversed(order):
        def key(r: Record, name: str = name) -> Any:
            v = r.uuid if name == "uuid" else r.doc.get(name)
            return (isinstance(v, str), v)
        present = sorted((r for r in recs if (r.uuid if name == "uuid" else r.doc.get(name)) is not None),
                         key=key, reverse=desc)
        recs = present + [r for r in recs if name != "uuid" and r.doc.get(name) is None]
    recs = recs[offset: offset + page]
    objs = [to_wire(r, shown(col.target)) for r in recs]
    props = _props(params.get("props") or params.get("property"))
    if props:
        keep = {"objectId", "___class", *props}
        objs = [{k: v for k, v in o.items() if k in keep} for o in objs]
    out = attach(ctx, col.target, recs, objs, params)
    budget.check_answer(out)
    return ok(out)


route("/data/{table}/{object_id}/{relation}", models.RELATION, GET=load, POST=change, PUT=change, DELETE=change)
