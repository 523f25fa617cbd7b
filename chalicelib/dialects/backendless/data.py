"""Backendless Data: tables are the core's collections (`Person` is Usergrid's `people`).

Finds compile the where clause to the core AST and run through AppData.query, so they read
indexes, never a Scan. `offset` is served by reading past it (cost grows with the offset);
count reads every match's index entry (no stored counters).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from ...core import budget
from ...core.budget import OverBudget
from ...core.entities import collection_key
from ...core.errors import InvalidInput, InvalidQuery
from ...core.planner import MAX_LIMIT
from ...core.ports import Record
from ...core.query import Query
from ...core.relations import kind as relation_kind
from ..http import json_body
from . import aggregate, models
from .common import Ctx, display_table, from_wire, ok, query_param, request, route, to_wire
from .where import column, parse_where

DEFAULT_PAGE, MAX_PAGE = 10, 100


def _coll(table: str) -> str:
    return collection_key(table)


def int_param(raw: Any, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high], or the Backendless 400 that names it."""
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise InvalidQuery(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise InvalidQuery(f"{name} must be between {low} and {high}")
    return value


def _sort(raw: Any) -> list[tuple[str, bool]]:
    items = raw if isinstance(raw, list) else str(raw or "").split(",")
    out = []
    for item in items:
        words = str(item).split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise InvalidQuery(f"invalid sortBy: {item}")
        out.append((column(words[0]), len(words) == 2 and words[1].lower() == "desc"))
    return out


def _props(raw: Any) -> list[str] | None:
    items = raw if isinstance(raw, list) else str(raw or "").split(",") if raw else []
    names = [str(p).strip() for p in items if str(p).strip() and str(p).strip() != "*"]
    return names or None


def find(ctx: Ctx, table: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """One page of a where/sortBy/offset query, as Backendless objects."""
    page = int_param(params.get("pageSize"), "pageSize", DEFAULT_PAGE, 1, MAX_PAGE)
    offset = int_param(params.get("offset"), "offset", 0, 0, 100_000)
    where = parse_where(params.get("where"))
    order = _sort(params.get("sortBy"))
    shown = display_table(table)
    props = _props(params.get("props") or params.get("property"))
    grouped = aggregate.plan(props, params.get("groupBy"), params.get("having"))
    if grouped is not None:
        rows = _aggregate(ctx, table, grouped, where, order)[offset:offset + page]
        budget.check_answer(rows)
        return rows
    records = _read(ctx, table, where, order, offset + page)[offset:]
    out = [to_wire(r, shown) for r in records]
    if props:
        keep = {"objectId", "___class", *props}
        out = [{k: v for k, v in o.items() if k in keep} for o in out]
    from .relations import attach  # relations.py builds on this module's parameter helpers

    out = attach(ctx, table, records, out, params)
    budget.check_answer(out)  # offset/pageSize has no cursor: fewer objects would make a client skip some
    return out


def _aggregate(ctx: Ctx, table: str, grouped: aggregate.Plan, where: Any,
               order: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    shown = display_table(table)
    if any(a.fn == "count" for a in grouped.aggregates):
        ctx.data.check_count(_coll(table))  # Count() is a count, however it is computed
    if where is None and aggregate.count_only(grouped):
        n = ctx.data.count_all(_coll(table))
        if n is not None:
            return [{grouped.aggregates[0].name: n, "___class": shown}]
    docs = aggregate.read_bounded(
        lambda n: [r.doc | {"uuid": r.uuid} for r in _read(ctx, table, where, [], n)])
    rows = aggregate.run(grouped, docs, shown)
    for col, desc in reversed(order):
        name = {"uuid": "objectId", "modified": "updated"}.get(col, col)
        present = [r for r in rows if r.get(name) is not None]
        present.sort(key=lambda r: (isinstance(r[name], str), r[name]), reverse=desc)
        rows = present + [r for r in rows if r.get(name) is None]
    return rows


def _read(ctx: Ctx, table: str, where: Any, order: list[tuple[str, bool]], want: int) -> list[Any]:
    data, coll, cursor = ctx.data, _coll(table), None
    records: list[Record] = []
    while len(records) < want:
        result = data.query(coll, Query(where=where, order=order, limit=min(MAX_LIMIT, want - len(records)),
                                        cursor=cursor))
        records += result.records
        cursor = result.cursor
        if not cursor:
            break
    return records


MAX_COUNT = 10_000  # matches counted by reading them; a count of a whole table reads no entity at all


def count(ctx: Ctx, table: str, where_text: Any) -> int:
    """Without a where clause, by a caller who sees everything: the `created` index counted by
    DynamoDB (no entity read). Otherwise the matches themselves, at most MAX_COUNT of them."""
    where = parse_where(where_text)
    ctx.data.check_count(_coll(table))
    if where is None:
        total = ctx.data.count_all(_coll(table))
        if total is not None:
            return total
    found = len(_read(ctx, table, where, [], MAX_COUNT + 1))
    if found > MAX_COUNT:
        raise OverBudget(f"more than {MAX_COUNT} objects match; count with a narrower where clause")
    return found


def _matching(ctx: Ctx, table: str, where: Any) -> list[Any]:
    """The objects a bulk update or delete would change, all found before the first write: over
    the stage's bulk limit it is a 400 and nothing is changed."""
    recs = _read(ctx, table, parse_where(where), [], budget.limits().bulk + 1)
    budget.check_bulk(len(recs))
    return recs


def _params() -> dict[str, Any]:
    """Query parameters; `property`, `props`, `groupBy`, `sortBy` may repeat (`?property=a&property=b`)."""
    qp: Mapping[str, str] = request().query_params or {}
    out: dict[str, Any] = dict(qp)
    getlist = getattr(qp, "getlist", None)
    for key in ("property", "props", "groupBy", "sortBy", "loadRelations"):
        if getlist is not None and key in qp and len(getlist(key)) > 1:
            out[key] = [part for v in getlist(key) for part in _split(v)]
    return out


def _split(value: str) -> list[str]:
    """Comma-separated names, but not the commas inside an aggregate's parentheses."""
    return [p.strip() for p in re.split(r",(?![^()]*\))", value) if p.strip()]


def _body_params() -> dict[str, Any]:
    body = json_body(request(), {})
    if not isinstance(body, dict):
        raise InvalidInput("the query must be a JSON object")
    return body


def _create(ctx: Ctx, table: str, obj: Any) -> Any:
    """A new object; one of the Users table follows the registration rules (password, identity, email)."""
    if _coll(table) == "users":
        from .users import signup

        return signup(ctx, obj)
    return ctx.data.create_record(_coll(table), from_wire(obj))


def save(ctx: Ctx, table: str, obj: Any) -> dict[str, Any]:
    """PUT /data/{table}: update when `objectId` names an object, else create (as the SDK's save)."""
    if not isinstance(obj, dict):
        raise InvalidInput("the object must be a JSON object")
    object_id = obj.get("objectId")
    if object_id:
        return to_wire(_update(ctx, table, str(object_id), obj), display_table(table))
    return to_wire(_create(ctx, table, obj), display_table(table))


def _update(ctx: Ctx, table: str, object_id: str, obj: Any) -> Any:
    """An update. A null sent for a relation column (a loaded one-to-one that was empty, saved back by
    the SDK) leaves the relation alone: relations change through the relation routes only."""
    props, current = from_wire(obj), None
    if any(v is None for v in props.values()):
        current = ctx.data.record(_coll(table), object_id)
        props = _keep_relations(props, current)
    return ctx.data.update_record(_coll(table), object_id, props, current=current)


def _keep_relations(props: dict[str, Any], current: Any) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None or relation_kind(current.doc.get(k)) is None}


def table_view(ctx: Ctx, table: str) -> Any:
    method = request().method
    if method == "GET":
        return ok(find(ctx, table, _params()))
    obj = json_body(request())
    if method == "POST":
        return ok(to_wire(_create(ctx, table, obj), display_table(table)))
    return ok(save(ctx, table, obj))


def object_view(ctx: Ctx, table: str, object_id: str) -> Any:
    method, coll = request().method, _coll(table)
    if method == "GET":
        from .relations import attach

        rec = ctx.data.record(coll, object_id)
        out = to_wire(rec, display_table(table))
        props = _props(query_param("props") or query_param("property"))
        out = {k: v for k, v in out.items() if k in {"objectId", "___class", *props}} if props else out
        return ok(attach(ctx, table, [rec], [out], _params())[0])
    if method == "DELETE":
        ctx.data.delete_record(coll, object_id)
        return ok({"deletionTime": int(time.time() * 1000)})
    return ok(to_wire(_update(ctx, table, object_id, json_body(request())), display_table(table)))


def count_view(ctx: Ctx, table: str) -> Any:
    where = query_param("where") if request().method == "GET" else _body_params().get("where")
    return ok(count(ctx, table, where))


def find_view(ctx: Ctx, table: str) -> Any:
    return ok(find(ctx, table, _body_params()))


# -- bulk ----------------------------------------------------------------------------------------
MAX_BULK = 100


def bulk_view(ctx: Ctx, table: str) -> Any:
    method, coll = request().method, _coll(table)
    if method == "POST":
        objs = json_body(request())
        if not isinstance(objs, list) or not objs or len(objs) > MAX_BULK:
            raise InvalidInput(f"send a JSON array of 1 to {MAX_BULK} objects")
        return ok([_create(ctx, table, o).uuid for o in objs])
    where = query_param("where")
    if method == "PUT":
        changes = from_wire(json_body(request()))
        recs = _matching(ctx, table, where)
        ctx.data.check_all("update", coll, recs, changes)  # every target checked before any changes
        return ok(len([ctx.data.update_record(coll, r.uuid, _keep_relations(changes, r), current=r) for r in recs]))
    return ok(_bulk_delete(ctx, table, where))  # DELETE ?where=


def _bulk_delete(ctx: Ctx, table: str, where: Any) -> int:
    if not where:
        raise InvalidInput("a where clause is required to delete in bulk")
    recs = _matching(ctx, table, where)
    ctx.data.check_all("delete", _coll(table), recs)  # every target checked before any is deleted
    for r in recs:
        ctx.data.delete_record(_coll(table), r.uuid, current=r)
    return len(recs)


def bulk_delete_view(ctx: Ctx, table: str) -> Any:
    return ok(_bulk_delete(ctx, table, _body_params().get("where")))


route("/data/{table}", models.TABLE, GET=table_view, POST=table_view, PUT=table_view)
route("/data/{table}/find", models.FIND, POST=find_view, GET=lambda ctx, table: ok(find(ctx, table, _params())))
route("/data/{table}/count", models.COUNT, GET=count_view, POST=count_view)
route("/data/{table}/{object_id}", models.OBJECT_OPS, GET=object_view, PUT=object_view, DELETE=object_view)
route("/data/bulk/{table}", models.BULK, POST=bulk_view, PUT=bulk_view, DELETE=bulk_view)
route("/data/bulk/{table}/delete", models.BULK_DELETE, POST=bulk_delete_view)
