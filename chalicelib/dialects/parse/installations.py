"""`/installations[/{objectId}]`: the `_Installation` class as Parse's InstallationsRouter serves it.

Reads, updates and deletes are the object routes of `_Installation` (collection `installations`).
A create is Parse's: it needs `deviceType` and an `installationId` or `deviceToken` (135
otherwise), and a device that registers again (same `installationId`, else same `deviceToken`)
updates its existing installation (200) instead of adding a second one (201); the lookup is one
indexed equality query.
"""

from __future__ import annotations

from typing import Any

from ...core.query import Compare, Query
from .common import Ctx, Out, Req, route
from .errors import ParseError
from .objects import class_route, create, update

CLASS, COLL = "_Installation", "installations"
MISSING = 135
DEVICE_TYPES = ("ios", "android", "osx", "tvos", "watchos", "win", "web", "embedded", "other")


def _existing(ctx: Ctx, body: dict[str, Any]) -> str | None:
    for key in ("installationId", "deviceToken"):
        value = body.get(key)
        if isinstance(value, str) and value:
            page = ctx.data.query(COLL, Query(where=Compare(key, "eq", value, case_sensitive=True), limit=1))
            if page.records:
                return page.records[0].uuid
    return None


def register(ctx: Ctx, body: dict[str, Any]) -> Out:
    if not any(isinstance(body.get(k), str) and body[k] for k in ("installationId", "deviceToken")):
        raise ParseError(MISSING, "at least one ID field (deviceToken, installationId) must be specified in this "
                                  "operation")
    existing = _existing(ctx, body)
    if existing is not None:
        return update(ctx, CLASS, COLL, existing, body)
    if not isinstance(body.get("deviceType"), str) or not body["deviceType"]:
        raise ParseError(MISSING, "deviceType must be specified in this operation")
    return create(ctx, CLASS, COLL, body)


@route("installations")
def installations(ctx: Ctx, req: Req) -> Out:
    if len(req.parts) > 1:
        raise ParseError(101, "expected /installations[/{objectId}]", 404)
    if req.method == "POST" and not req.parts:
        return register(ctx, req.fields())
    return class_route(ctx, req, CLASS, req.parts)
