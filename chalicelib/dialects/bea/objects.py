"""Objects and queries: `/1/{className}` and `/1/{className}/{objectId}` (seed 003), and `/1/batch`.

A `null` value is stored and read back as `null` (the seed's `Null` type, as in Parse); `{"__op":
"Delete"}` removes a field. Deviations from Parse, on purpose and documented: a delete answers `201` with a `Location`
header and `{"objectId"}` exactly as the seed shows; without `where` and `order` a query lists
oldest first (the seed's example order); with a `where` and no `order` results come in the order
of the index read the planner chose (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from ...core.budget import Room
from ...core.entities import Page, collection_key
from ...core.errors import CoreError, EntityNotFound
from ...core.ids import is_uuid
from ...core.ports import Record
from ...core.query import Node, Query
from ..parselike import errors
from ..parselike.batching import run_fitting, taken
from ..parselike.codec import CLASS_RE, RESERVED_CLASSES, iso, split_body, to_wire
from ..parselike.errors import ParseStyleError
from ..parselike.ops import initial, mutation, split_ops
from ..parselike.queries import Finder
from .common import Ctx, Out, Req, dispatch, location, router
from .forms import is_upload

Reader = Callable[[Query], Page]
MAX_BATCH = 50
# first path segments that are routes, not classes: a batch never groups them as plain creates
RESERVED_ROUTES = {"batch", "Users", "users", "login", "logout", "requestPasswordReset", "classes", "files"}
# the built-in classes of seed 003 and their collections
BUILTIN = {"_config": "bea-configs", "_locale": "bea-locales", "_emails": "bea-emails"}
RESERVED_ROUTES = {"batch", "Users", "users", "login", "logout", "classes", "files"}


def collection_of(class_name: str) -> str:
    """The core collection of a class; `_`-prefixed names are reserved for the built-ins."""
    if class_name in BUILTIN:
        return BUILTIN[class_name]
    if not CLASS_RE.match(class_name) or class_name.lower() in RESERVED_CLASSES:
        raise ParseStyleError(errors.INVALID_CLASS_NAME, f"Invalid class name: {class_name}")
    if class_name.startswith("_"):
        raise ParseStyleError(errors.OPERATION_FORBIDDEN,
                       f"class names starting with _ are reserved for built-in classes: {class_name}", 403)
    coll = collection_key(class_name)
    if coll in ("users", "roles", "groups"):
        raise ParseStyleError(errors.OPERATION_FORBIDDEN, f"{class_name} is a built-in class: use /1/Users", 403)
    return coll


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
        raise ParseStyleError(errors.OBJECT_NOT_FOUND, "batch takes POST", 405)
    cmds = req.body.get("requests") if isinstance(req.body, dict) else None
    if not isinstance(cmds, list):
        raise ParseStyleError(errors.INVALID_JSON, "requests must be an array")
    if len(cmds) > MAX_BATCH:
        raise ParseStyleError(errors.INVALID_JSON, f"too many requests in one batch: at most {MAX_BATCH}, got {len(cmds)}")
    results: list[dict[str, Any]] = []
    room = Room()  # the answer stays under Lambda's limit (parselike/batching.py)
    i = 0
    while i < len(cmds):  # consecutive plain creates of one class go out together (two round trips)
        cls = _plain_create(cmds[i])
        j = i + 1
        while cls is not None and j < len(cmds) and _plain_create(cmds[j]) == cls:
            j += 1
        if cls is not None and j - i > 1:
            results += taken(room, _create_batch(ctx, cls, [c.get("body") for c in cmds[i:j]]))
        else:
            results += [run_fitting(room, _method(c), partial(_run_command, ctx, c), errors.body)
                        for c in cmds[i:j]]
        i = j
    return Out(200, {"results": results})


def _plain_create(cmd: Any) -> str | None:
    """The class of a `POST /1/<Class>` command with a JSON object body (not Users: signup is its own)."""
    try:
        sub = _command(cmd)
    except CoreError:
        return None
    if sub.method != "POST" or len(sub.parts) != 1 or not isinstance(sub.body, dict):
        return None
    cls = sub.parts[0]
    try:
        if cls in RESERVED_ROUTES or class_collection(cls) == "users":
            return None
    except CoreError:
        return None  # answered (as an error) by its own command
    return cls


def _create_batch(ctx: Ctx, cls: str, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`create` for many objects of one class, as AppData.create_many: each answers as its own command."""
    try:
        coll = class_collection(cls)
        items = []
        for body in bodies:
            fields, acl = split_body(body)
            plain, ops = split_ops(fields)
            items.append(({**plain, **initial(ops)}, acl))
    except CoreError:
        return [_run_command(ctx, {"method": "POST", "path": f"/1/{cls}", "body": b}) for b in bodies]
    out: list[dict[str, Any]] = []
    for got in ctx.data.create_many(coll, items, keep_nulls=True):
        if isinstance(got, CoreError):
            out.append({"error": errors.body(got)})
        else:
            out.append({"success": {"createdAt": iso(got.doc["created"]), "objectId": got.uuid}})
    return out


def _run_command(ctx: Ctx, cmd: Any) -> dict[str, Any]:
    try:
        sub = _command(cmd)
        return {"success": dispatch(ctx, sub).body}
    except CoreError as e:
        return {"error": errors.body(e)}


def _method(cmd: Any) -> str:
    return str(cmd.get("method")) if isinstance(cmd, dict) else ""


def _command(cmd: Any) -> Req:
    if not isinstance(cmd, dict) or not isinstance(cmd.get("path"), str) or cmd.get("method") not in (
            "GET", "POST", "PUT", "DELETE"):
        raise ParseStyleError(errors.INVALID_JSON, "each request needs a method (GET, POST, PUT, DELETE) and a path")
    parts = [p for p in cmd["path"].split("?")[0].split("/") if p]
    if parts[:1] == ["bea"]:
        parts = parts[1:]
    if parts[:1] == ["1"]:
        parts = parts[1:]
    if not parts or parts[0] == "batch":
        raise ParseStyleError(errors.INVALID_JSON, f"invalid path in batch: {cmd['path']}")
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
            raise ParseStyleError(errors.MISSING_OBJECT_ID, "objectId is required: DELETE /1/{className}/{objectId}")
        raise ParseStyleError(errors.OBJECT_NOT_FOUND, f"{req.method} is not supported on a class", 405)
    if len(req.parts) == 2:
        cls, oid = req.parts
        coll = class_collection(cls)
        if req.method == "GET":
            rec = _record(ctx, coll, oid)
            obj = to_wire(rec)
            if "media" in rec.doc:
                from .media import with_urls

                obj["media"] = with_urls(ctx, rec)
            return Out(200, finder(ctx).one(obj, req.params))
        if req.method == "PUT":
            return update(ctx, coll, oid, req.body)
        if req.method == "DELETE":
            rec = _record(ctx, coll, oid)
            ctx.data.delete_record(coll, rec.uuid)
            if isinstance(rec.doc.get("media"), list):
                from .media import delete_files, with_urls

                delete_files(ctx, coll, rec.uuid, [f["name"] for f in with_urls(ctx, rec)])
            return Out(201, {"objectId": rec.uuid}, {"Location": location(ctx, cls, rec.uuid)})
        raise ParseStyleError(errors.OBJECT_NOT_FOUND, "POST is not supported on an object; use PUT", 405)
    return None


def create(ctx: Ctx, cls: str, coll: str, body: Any, extra: dict[str, Any] | None = None,
           secret: str | None = None, uuid: str | None = None) -> Out:
    fields, acl = split_body(body if body is not None else {})
    plain, ops = split_ops(fields)
    props = {**plain, **initial(ops), **(extra or {})}
    rec = ctx.data.create_record(coll, props, acl=acl, secret=secret, uuid=uuid, keep_nulls=True)
    return Out(201, {"createdAt": iso(rec.doc["created"]), "objectId": rec.uuid},
               {"Location": location(ctx, cls, rec.uuid)})


def update(ctx: Ctx, coll: str, oid: str, body: Any, secret: str | None = None) -> Out:
    fields, acl = split_body(body if body is not None else {})
    plain, ops = split_ops(fields)
    if not is_uuid(oid):
        raise EntityNotFound("Object not found.")
    rec = ctx.data.update_record(coll, oid, plain, mutate=mutation(ops) if ops else None, acl=acl, secret=secret,
                                 keep_nulls=True)
    out: dict[str, Any] = {"updatedAt": iso(rec.doc["modified"]), "objectId": rec.uuid}
    out.update({k: rec.doc.get(k) for k in ops})  # as Parse: the new value of each operator's key
    return Out(200, out)


# -- queries (shared with the Parse dialect: dialects/parselike/queries.py) ---------------
def finder(ctx: Ctx, reader: Reader | None = None, reader_collection: str | None = None) -> Finder:
    return Finder(ctx.data, class_collection, reader=reader, reader_collection=reader_collection)


def find(ctx: Ctx, coll: str, params: dict[str, Any], reader: Reader | None = None) -> dict[str, Any]:
    """`reader`: how pages of `coll` are read (the caller's `AppData.query`, or `profiles` for users);
    sub-queries on other classes (`$select`, `$inQuery`) read those classes as usual."""
    return finder(ctx, reader, coll if reader is not None else None).find(coll, params)


def collect(ctx: Ctx, coll: str, where: Node | None, order: list[tuple[str, bool]], want: int,
            count: bool = False) -> tuple[list[Record], int]:
    return finder(ctx).collect(coll, where, order, want, count)
