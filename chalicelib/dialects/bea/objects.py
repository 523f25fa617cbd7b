"""Objects and queries: `/1/{className}` and `/1/{className}/{objectId}` (seed 003), and `/1/batch`.

Deviations from Parse, on purpose and documented: a delete answers `201` with a `Location`
header and `{"objectId"}` exactly as the seed shows; without `where` and `order` a query lists
oldest first (the seed's example order); with a `where` and no `order` results come in the order
of the index read the planner chose (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core.entities import Page
from ...core.errors import CoreError, EntityNotFound, InvalidQuery
from ...core.ids import is_uuid
from ...core.ports import Record
from ...core.query import Compare, Node, Or, Query, get_path
from . import errors
from .codec import collection_of, iso, split_body, to_wire
from .common import Ctx, Out, Req, dispatch, location, router
from .errors import BeaError
from .forms import is_upload
from .ops import initial, mutation, split_ops
from .where import compile_where, field_path, parse_order, parse_where

DEFAULT_LIMIT, MAX_LIMIT, MAX_SKIP = 100, 1000, 10_000
Reader = Callable[[Query], Page]
MAX_COUNT_PAGES = 50  # count=1 reads at most 50 pages of 1,000
MAX_BATCH = 50


def class_collection(class_name: str) -> str:
    if class_name in ("Users", "users", "_User"):
        return "users"
    return collection_of(class_name)


def _record(ctx: Ctx, coll: str, object_id: str) -> Record:
    if not is_uuid(object_id):
        raise EntityNotFound("Object not found.")
    return ctx.data.record(coll, object_id)


# -- routes -------------------------------------------------------------------------------
@router
def batch_route(ctx: Ctx, req: Req) -> Out | None:
    if req.parts != ["batch"]:
        return None
    if req.method != "POST":
        raise BeaError(errors.OBJECT_NOT_FOUND, "batch takes POST", 405)
    cmds = req.body.get("requests") if isinstance(req.body, dict) else None
    if not isinstance(cmds, list):
        raise BeaError(errors.INVALID_JSON, "requests must be an array")
    if len(cmds) > MAX_BATCH:
        raise BeaError(errors.INVALID_JSON, f"too many requests in one batch: at most {MAX_BATCH}, got {len(cmds)}")
    return Out(200, {"results": [_run_command(ctx, c) for c in cmds]})


def _run_command(ctx: Ctx, cmd: Any) -> dict[str, Any]:
    try:
        sub = _command(cmd)
        return {"success": dispatch(ctx, sub).body}
    except CoreError as e:
        return {"error": errors.body(e)}


def _command(cmd: Any) -> Req:
    if not isinstance(cmd, dict) or not isinstance(cmd.get("path"), str) or cmd.get("method") not in (
            "GET", "POST", "PUT", "DELETE"):
        raise BeaError(errors.INVALID_JSON, "each request needs a method (GET, POST, PUT, DELETE) and a path")
    parts = [p for p in cmd["path"].split("?")[0].split("/") if p]
    if parts[:1] == ["bea"]:
        parts = parts[1:]
    if parts[:1] == ["1"]:
        parts = parts[1:]
    if not parts or parts[0] == "batch":
        raise BeaError(errors.INVALID_JSON, f"invalid path in batch: {cmd['path']}")
    body = cmd.get("body")
    if cmd["method"] == "GET":
        params = {k: v if isinstance(v, str) else _json(v) for k, v in (body or {}).items()} \
            if isinstance(body, dict) else {}
        return Req("GET", parts, params)
    return Req(cmd["method"], parts, {}, body)


def _json(v: Any) -> str:
    import json

    return json.dumps(v)


@router
def object_route(ctx: Ctx, req: Req) -> Out | None:
    if len(req.parts) == 1:
        cls = req.parts[0]
        coll = class_collection(cls)
        if req.method == "POST":
            if req.files or is_upload(req.content_type):
                from .media import upload

                return upload(ctx, cls, coll, req)
            return create(ctx, cls, coll, req.body)
        if req.method == "GET":
            return Out(200, find(ctx, coll, req.params))
        if req.method == "DELETE":
            raise BeaError(errors.MISSING_OBJECT_ID, "objectId is required: DELETE /1/{className}/{objectId}")
        raise BeaError(errors.OBJECT_NOT_FOUND, f"{req.method} is not supported on a class", 405)
    if len(req.parts) == 2:
        cls, oid = req.parts
        coll = class_collection(cls)
        if req.method == "GET":
            rec = _record(ctx, coll, oid)
            obj = to_wire(rec)
            if "media" in rec.doc:
                from .media import with_urls

                obj["media"] = with_urls(ctx, rec)
            include(ctx, [obj], req.params.get("include"))
            return Out(200, project(obj, req.params.get("keys") or req.params.get("fields")))
        if req.method == "PUT":
            return update(ctx, coll, oid, req.body)
        if req.method == "DELETE":
            rec = _record(ctx, coll, oid)
            ctx.data.delete_record(coll, rec.uuid)
            if isinstance(rec.doc.get("media"), list):
                from .media import delete_files, with_urls

                delete_files(ctx, coll, rec.uuid, [f["name"] for f in with_urls(ctx, rec)])
            return Out(201, {"objectId": rec.uuid}, {"Location": location(ctx, cls, rec.uuid)})
        raise BeaError(errors.OBJECT_NOT_FOUND, "POST is not supported on an object; use PUT", 405)
    return None


def create(ctx: Ctx, cls: str, coll: str, body: Any, extra: dict[str, Any] | None = None,
           secret: str | None = None, uuid: str | None = None) -> Out:
    fields, acl = split_body(body if body is not None else {})
    plain, ops = split_ops(fields)
    props = {**plain, **initial(ops), **(extra or {})}
    rec = ctx.data.create_record(coll, {k: v for k, v in props.items() if v is not None}, acl=acl,
                                 secret=secret, uuid=uuid)
    return Out(201, {"createdAt": iso(rec.doc["created"]), "objectId": rec.uuid},
               {"Location": location(ctx, cls, rec.uuid)})


def update(ctx: Ctx, coll: str, oid: str, body: Any, secret: str | None = None) -> Out:
    fields, acl = split_body(body if body is not None else {})
    plain, ops = split_ops(fields)
    if not is_uuid(oid):
        raise EntityNotFound("Object not found.")
    rec = ctx.data.update_record(coll, oid, plain, mutate=mutation(ops) if ops else None, acl=acl, secret=secret)
    out = {"updatedAt": iso(rec.doc["modified"]), "objectId": rec.uuid}
    out.update({k: rec.doc.get(k) for k in ops})  # as Parse: the new value of each operator's key
    return Out(200, out)


# -- queries ------------------------------------------------------------------------------
def _int(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidQuery(f"{name} must be an integer") from None


def where_node(ctx: Ctx, where_text: Any) -> Node | None:
    where = parse_where(where_text) if isinstance(where_text, str) or where_text is None else where_text
    return compile_where(where, lambda c, w, f: _select_values(ctx, c, w, f))


def find(ctx: Ctx, coll: str, params: dict[str, str], reader: Reader | None = None) -> dict[str, Any]:
    """`reader`: how pages are read (the caller's `AppData.query`, or `profiles` for users)."""
    where = where_node(ctx, params.get("where"))
    order = parse_order(params.get("order"))
    limit = _int(params, "limit", DEFAULT_LIMIT)
    skip = _int(params, "skip", 0)
    if limit < 0 or not 0 <= skip <= MAX_SKIP:
        raise InvalidQuery(f"limit must be 0 or more and skip between 0 and {MAX_SKIP}")
    limit = min(limit, MAX_LIMIT)
    count = str(params.get("count", "")).lower() in ("1", "true")
    if not order and where is None:
        order = [("created", False)]
    recs, total = collect(ctx, coll, where, order, skip + limit, count, reader)
    objs = [to_wire(r) for r in recs[skip: skip + limit]]
    include(ctx, objs, params.get("include"))
    keys = params.get("keys") or params.get("fields")
    body: dict[str, Any] = {"results": [project(o, keys) for o in objs]}
    if count:
        body["count"] = total
    return body


def collect(ctx: Ctx, coll: str, where: Node | None, order: list[tuple[str, bool]], want: int,
            count: bool = False, reader: Reader | None = None) -> tuple[list[Record], int]:
    """The first `want` matches (paging through the core's cursors), and how many match if `count`."""
    out: list[Record] = []
    total, cursor, pages = 0, None, 0
    while True:
        size = MAX_LIMIT if count else min(MAX_LIMIT, max(1, want - len(out)))
        if want <= 0 and not count:
            return [], 0
        q = Query(where=where, order=list(order), limit=size, cursor=cursor)
        page = reader(q) if reader is not None else ctx.data.query(coll, q)
        total += len(page.records)
        if len(out) < want:
            out.extend(page.records[: want - len(out)])
        cursor, pages = page.cursor, pages + 1
        if cursor is None or (not count and len(out) >= want):
            return out, total
        if pages >= (MAX_COUNT_PAGES if count else MAX_SKIP // 100):
            if count:
                raise InvalidQuery(f"count stops at {MAX_COUNT_PAGES * MAX_LIMIT} objects; narrow the where")
            return out, total


def _select_values(ctx: Ctx, class_name: str, where: Any, key: str) -> list[Any]:
    coll = class_collection(class_name)
    node = where_node(ctx, where if where is not None else None)
    recs, _ = collect(ctx, coll, node, [], MAX_LIMIT)
    fld = field_path(key)
    values = []
    for r in recs:
        v = r.uuid if fld == "uuid" else get_path(r.doc, fld)
        if isinstance(v, (str, int, float, bool, dict)):
            values.append(v)
    return values


def project(obj: dict[str, Any], keys: Any) -> dict[str, Any]:
    if not keys:
        return obj
    if not isinstance(keys, str):
        raise InvalidQuery("keys is a comma-separated list of field names")
    keep = {"objectId", "createdAt", "updatedAt", "ACL"} | {k.strip().split(".")[0] for k in keys.split(",")}
    return {k: v for k, v in obj.items() if k in keep}


def include(ctx: Ctx, objs: list[dict[str, Any]], spec: Any) -> None:
    """Replace pointers by their objects, one batched read per class and level of the paths."""
    if not spec:
        return
    if not isinstance(spec, str):
        raise InvalidQuery("include is a comma-separated list of pointer keys")
    tree: dict[str, Any] = {}
    for path in spec.split(","):
        node = tree
        for part in path.strip().split("."):
            if part:
                node = node.setdefault(part, {})
    _include(ctx, objs, tree)


def _pointers(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [p for p in items if isinstance(p, dict) and p.get("__type") == "Pointer"
            and isinstance(p.get("className"), str) and isinstance(p.get("objectId"), str)]


def _include(ctx: Ctx, objs: list[dict[str, Any]], tree: dict[str, Any]) -> None:
    for key, sub in tree.items():
        wanted: dict[str, set[str]] = {}
        for o in objs:
            for p in _pointers(o.get(key)):
                wanted.setdefault(p["className"], set()).add(p["objectId"].lower())
        fetched: dict[tuple[str, str], dict[str, Any]] = {}
        for cls, ids in wanted.items():
            try:
                coll = class_collection(cls)
            except BeaError:
                continue
            ordered = sorted(i for i in ids if is_uuid(i))
            for i in range(0, len(ordered), MAX_LIMIT):
                chunk = ordered[i: i + MAX_LIMIT]
                where = Or(tuple(Compare("uuid", "eq", u) for u in chunk))
                for r in ctx.data.query(coll, Query(where=where, limit=len(chunk))).records:
                    fetched[(cls, r.uuid)] = {"__type": "Object", "className": cls, **to_wire(r)}
        children = []
        for o in objs:
            v = o.get(key)
            if isinstance(v, list):
                o[key] = [_swap(x, fetched) for x in v]
            elif v is not None:
                o[key] = _swap(v, fetched)
        children = list(fetched.values())
        if sub and children:
            _include(ctx, children, sub)


def _swap(v: Any, fetched: dict[tuple[str, str], dict[str, Any]]) -> Any:
    if isinstance(v, dict) and v.get("__type") == "Pointer":
        return fetched.get((v.get("className"), str(v.get("objectId", "")).lower()), v)
    return v
