"""`POST /batch`: sub-requests run one by one through the same routes, with the outer caller.

A sub-request's `path` carries the mount path of the SDK's SERVER_URL (`/parse/classes/X`, or
`/<stage>/parse/...` behind API Gateway); anything that is not under `/parse/` rejects the whole
batch with 107, as Parse does. Results keep request order: `{"success": ...}` or `{"error": {code, error}}`.
"""

from __future__ import annotations

import json
from typing import Any

from ...core.errors import CoreError
from ..parselike import errors as pe
from . import errors
from .common import Ctx, Out, Req, dispatch, route
from .errors import ParseError

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
    return Out(200, [_run(ctx, s) for s in subs])


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
