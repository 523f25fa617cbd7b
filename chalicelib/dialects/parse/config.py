"""`/config`: the app's global parameters (`Parse.Config`).

`GET` for any caller with the app's keys: `{"params": {...}}`, plus `masterKeyOnly` (the
master-only parameters are left out without the master key). `PUT` with the master key:
`{"params": {...}, "masterKeyOnly": {...}}` sets each parameter (`{"__op": "Delete"}` removes
one) and answers `{"result": true}`. Storage: core/appconfig.py (one small document per app).
"""

from __future__ import annotations

from ...bootstrap import services
from ...core.errors import InvalidInput
from ..parselike import errors
from .common import Ctx, Out, Req, require_master, route
from .errors import ParseError, Refused


@route("config")
def config_route(ctx: Ctx, req: Req) -> Out:
    if req.parts:
        raise Refused(f"unknown route: {req.method} /config/{'/'.join(req.parts)}", 404)
    store = services().app_config
    if req.method == "GET":
        got = store.read(ctx.app.uuid, master=ctx.master)
        return Out(200, got if got["params"] or got["masterKeyOnly"] else {"params": {}})
    if req.method == "PUT":
        require_master(ctx)
        body = req.fields()
        try:
            store.update(ctx.app.uuid, body.get("params") or {}, body.get("masterKeyOnly"))
        except InvalidInput as e:
            if e.status == 413:
                raise
            raise ParseError(errors.INVALID_JSON, e.message) from None
        return Out(200, {"result": True})
    raise Refused(f"unknown route: {req.method} /config", 404)
