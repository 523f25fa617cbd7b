"""`POST /batch`: sub-requests run one by one through the same routes, with the outer caller.

A sub-request's `path` carries the mount path of the SDK's SERVER_URL (`/parse/classes/X`, or
`/<stage>/parse/...` behind API Gateway); anything that is not under `/parse/` rejects the whole
batch with 107, as Parse does. A run of plain creates of one class (what `saveAll` sends) is
written with `AppData.create_many`: two sequential DynamoDB round trips for the run. Results keep request order: `{"success": ...}` or `{"error": {code, error}}`.
"""

from __future__ import annotations

import json
from typing import Any

from ...core.errors import CoreError
from ..parselike import errors as pe
from ..parselike.codec import iso, split_body
from ..parselike.ops import initial, split_ops
from . import errors
from .common import Ctx, Out, Req, dispatch, route
from .errors import ParseError
from .objects import collection

RELATION_OPS = ("AddRelation", "RemoveRelation", "Batch")

MAX_BATCH = 50


@route("batch")
def batch(ctx: Ctx, req: Req) -> Out:
    if req.method != "POST" or req.parts:
        raise ParseError(pe.INVALID_JSON, "batch takes POST /batch")
    cmds = req.fields().get("requests")
    if not isinstance(cmds, list):
        raise ParseError(pe.INVALID_JSON, "requests must be an array")
    if len(cmds) > MAX_BATCH:
        raise ParseError(pe.INVALID_JSON, f"too many requests in one batch: at most {MAX_BATCH}, got {len(cmds)}")
    subs = [command(c, req) for c in cmds]  # every path checked before anything runs
    results: list[dict[str, Any]] = []
    i = 0
    while i < len(subs):  # runs of plain creates of one class (the SDK's saveAll) go out together
        cls = _plain_create(subs[i])
        j = i + 1
        while cls is not None and j < len(subs) and _plain_create(subs[j]) == cls:
            j += 1
        results += _create_many(ctx, cls, subs[i:j]) if cls is not None and j - i > 1 else \
            [_run(ctx, s) for s in subs[i:j]]
        i = j
    return Out(200, results)


def _plain_create(sub: Req) -> str | None:
    """The class of a `POST /classes/<Class>` whose body has no relation operator (nor is a system class)."""
    if sub.method != "POST" or sub.route != "classes" or len(sub.parts) != 1 or not isinstance(sub.body, dict):
        return None
    cls = sub.parts[0]
    if cls.startswith("_") or any(isinstance(v, dict) and v.get("__op") in RELATION_OPS for v in sub.body.values()):
        return None
    return cls


def _create_many(ctx: Ctx, cls: str, subs: list[Req]) -> list[dict[str, Any]]:
    """Each create answers as its own command; two sequential round trips for the whole run."""
    try:
        coll = collection(cls)
        items = []
        for sub in subs:
            fields, acl = split_body(sub.body)
            plain, ops = split_ops(fields)
            items.append(({**plain, **initial(ops)}, acl))
    except CoreError:
        return [_run(ctx, s) for s in subs]
    return [{"error": errors.body(got)} if isinstance(got, CoreError) else
            {"success": {"objectId": got.uuid, "createdAt": iso(got.doc["created"])}}
            for got in ctx.data.create_many(coll, items, keep_nulls=True)]


def _run(ctx: Ctx, sub: Req) -> dict[str, Any]:
    try:
        return {"success": dispatch(ctx, sub).body}
    except CoreError as e:
        return {"error": errors.body(e)}


def command(cmd: Any, outer: Req) -> Req:
    if not isinstance(cmd, dict) or not isinstance(cmd.get("path"), str) or cmd.get("method") not in (
            "GET", "POST", "PUT", "DELETE"):
        raise ParseError(pe.INVALID_JSON, "each request needs a method (GET, POST, PUT, DELETE) and a path")
    segs = [p for p in cmd["path"].split("?")[0].split("/") if p]
    if "parse" not in segs or segs.index("parse") + 1 >= len(segs) or segs[segs.index("parse") + 1] == "batch":
        raise ParseError(pe.INVALID_JSON, f"cannot route batch path {cmd['path']}")
    parts = segs[segs.index("parse") + 1:]
    body = cmd.get("body")
    if cmd["method"] == "GET":
        params = dict(body) if isinstance(body, dict) else {}
        return Req("GET", parts[0], parts[1:], params, None, keys=outer.keys, headers=outer.headers)
    return Req(cmd["method"], parts[0], parts[1:], {}, body, json.dumps(body).encode() if body is not None else b"", "application/json",
               outer.keys, outer.headers)
