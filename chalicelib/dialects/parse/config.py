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
from .common import Ctx, Out, Req, require_master, router
from .errors import ParseError


@router
def config_route(ctx: Ctx, req: Req) -> Out | None:
    if req.parts != ["config"]:
        return None
    store = services().app_config
    if req.method == "GET":
        got = store.read(ctx.app.uuid, master=ctx.master)
        return Out(200, got if got["params"] or got["masterKeyOnly"] else {"params": {}})
    if req.method == "PUT":
        require_master(ctx)
        body = req.body if isinstance(req.body, dict) else {}
        try:
            store.update(ctx.app.uuid, body.get("params") or {}, body.get("masterKeyOnly"))
        except InvalidInput as e:
            if e.status == 413:
                raise
            raise ParseError(errors.INVALID_JSON, e.message) from None
        return Out(200, {"result": True})
    return None
