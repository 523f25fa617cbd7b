"""Backendless Messaging (publish, polling subscriptions, status, email), Geo points and Cloud Code."""

from __future__ import annotations

import importlib
import math
from typing import Any

from chalice import Response

from ...bootstrap import services
from ...core.cloudcode import NAME_RE, CloudCodeError, Invocation, lookup
from ...core.errors import CoreError, InvalidInput, NotFound
from ...core.query import And, In, Node, Query, Within
from ..http import json_body
from . import models
from .common import Ctx, ok, query_param, request, route, to_wire
from .errors import BackendlessError


# -- messaging ---------------------------------------------------------------------------------
def _m() -> Any:
    return services().messaging()


def _may(ctx: Ctx, kind: str, name: str, verb: str) -> None:
    services().require(ctx.app, ctx.principal, kind, name, verb)


def channel_view(ctx: Ctx, channel: str) -> Any:
    if request().method == "GET":  # GET /messaging/{messageId}: the message's status
        _may(ctx, "messaging", "", "get")
        return ok(_m().status(ctx.app.uuid, channel))
    _may(ctx, "messaging", channel, "post")
    body = json_body(request())
    if not isinstance(body, dict) or "message" not in body:
        raise InvalidInput("the body must be a JSON object with a 'message'")
    if _asks_for_push(body):
        # Nothing here delivers push (APNs, FCM): say so rather than publish and pretend it was pushed.
        raise BackendlessError(PUSH_UNAVAILABLE, "Push notifications are not available in this application: "
                               "no push provider is configured. Publish without pushPolicy, pushBroadcast and "
                               "pushSinglecast (or pushPolicy NONE).", 400)
    return ok(_m().publish(ctx.app.uuid, channel, body["message"], body.get("headers"), body.get("publishAt"),
                           ctx.user_id))


PUSH_UNAVAILABLE = 5050  # our code for "no push provider": see README, differences from Backendless


def _asks_for_push(body: dict[str, Any]) -> bool:
    policy = str(body.get("pushPolicy") or "NONE").upper()
    return policy in ("ONLY", "ALSO") or bool(body.get("pushBroadcast")) or bool(body.get("pushSinglecast"))


def subscribe(ctx: Ctx, channel: str) -> Any:
    _may(ctx, "messaging", channel, "get")
    return ok({"subscriptionId": _m().subscribe(ctx.app.uuid, channel)})


def poll(ctx: Ctx, channel: str, subscription_id: str) -> Any:
    """An unknown (or expired) subscription is a 400, the only error seed 002 lists for this route;
    Backendless' docs name no code for it and SDK 8 polls no more (it subscribes over RT), so the
    code is ours: 1000, "not found" as for a missing object (README, Differences)."""
    _may(ctx, "messaging", channel, "get")
    try:
        return ok({"messages": _m().poll(ctx.app.uuid, channel, subscription_id)})
    except NotFound as e:
        raise BackendlessError(1000, e.message, 400) from None


def email(ctx: Ctx) -> Any:
    body = json_body(request())
    if not isinstance(body, dict):
        raise InvalidInput("expected a JSON object")
    parts = body.get("bodyparts") or {}
    if not isinstance(parts, dict):
        raise InvalidInput("bodyparts must be an object")
    mid = services().send_email(ctx.app, ctx.principal, body.get("to"), body.get("subject"), parts.get("textmessage"),
                                parts.get("htmlmessage"))
    return ok({"status": "sent", "messageId": mid})


route("/messaging/email", models.EMAIL, POST=email)
route("/messaging/{channel}", models.CHANNEL, POST=channel_view, GET=channel_view)
route("/messaging/{channel}/subscribe", models.SUBSCRIBE, POST=subscribe)
route("/messaging/{channel}/{subscription_id}", models.POLL, GET=poll)


# -- geo: points are entities of the core collection `geopoints`, found through its geo index -----
UNITS = {"METERS": 1.0, "KILOMETERS": 1000.0, "MILES": 1609.344, "YARDS": 0.9144, "FEET": 0.3048}


def _num(v: Any, name: str) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a number") from None
    if not math.isfinite(x):
        raise InvalidInput(f"{name} must be a number")
    return x


def _point(rec: Any, distance_m: float | None = None, unit: float = 1.0) -> dict[str, Any]:
    d = to_wire(rec, "GeoPoint")
    loc = d.pop("location", {}) or {}
    out = {"objectId": d["objectId"], "latitude": loc.get("latitude"), "longitude": loc.get("longitude"),
           "categories": d.get("categories") or ["Default"], "metadata": d.get("pointMetadata") or {},
           "___class": "GeoPoint"}
    if distance_m is not None:
        out["distance"] = distance_m / unit
    return out


def geo_view(ctx: Ctx) -> Any:
    data = ctx.data
    if request().method == "POST":
        body = json_body(request())
        if not isinstance(body, dict):
            raise InvalidInput("a geo point must be a JSON object")
        lat, lon = _num(body.get("latitude"), "latitude"), _num(body.get("longitude"), "longitude")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InvalidInput("latitude or longitude out of range")
        cats = body.get("categories") or ["Default"]
        meta = body.get("metadata") or {}
        if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats) or not isinstance(meta, dict):
            raise InvalidInput("categories must be a list of strings and metadata an object")
        rec = data.create_record("geopoints", {"location": {"latitude": lat, "longitude": lon},
                                               "categories": cats, "pointMetadata": meta})
        return ok(_point(rec))
    terms: list[Node] = []
    cats_raw = query_param("categories")
    if cats_raw:
        terms.append(In("categories", tuple(c.strip() for c in cats_raw.split(",") if c.strip())))
    near = None
    unit = UNITS.get(str(query_param("units", "METERS")).upper())
    if unit is None:
        raise InvalidInput("units must be one of " + ", ".join(UNITS))
    if query_param("lat") is not None or query_param("radius") is not None:
        lat, lon = _num(query_param("lat"), "lat"), _num(query_param("lon"), "lon")
        radius = _num(query_param("radius"), "radius") * unit
        if radius <= 0:
            raise InvalidInput("radius must be positive")
        near = Within("location", radius, lat, lon)
        terms.append(near)
    if not terms:
        raise InvalidInput("search by categories, or by lat, lon and radius")
    size = int(_num(query_param("pageSize", 100), "pageSize"))
    where = terms[0] if len(terms) == 1 else And(tuple(terms))
    result = data.query("geopoints", Query(where=where, limit=max(1, min(size, 100))))
    from ...core.geo import distance_m

    out = []
    for rec in result.records:
        loc = rec.doc.get("location") or {}
        dist = distance_m(near.lat, near.lon, loc["latitude"], loc["longitude"]) if near else None
        out.append(_point(rec, dist, unit))
    return ok(out)


route("/geo/points", models.GEO, GET=geo_view, POST=geo_view)


# -- cloud code ------------------------------------------------------------------------------------
def invoke(ctx: Ctx, service: str, method: str) -> Any:
    if not NAME_RE.match(service) or not NAME_RE.match(method):
        raise NotFound(f"service {service} not found")
    try:
        importlib.import_module(f"chalicelib.cloudcode.{service.lower()}")
    except ModuleNotFoundError:
        raise BackendlessError(14001, f"Service {service} not found", 404) from None
    fn = lookup(service, method)
    if fn is None:
        raise BackendlessError(14002, f"Method {method} not found in service {service}", 404)
    _may(ctx, "services", f"{service}/{method}", "post")
    body = json_body(request(), None)
    user = None
    if ctx.user_id:
        found = ctx.data.find_record("users", ctx.user_id)
        user = to_wire(found, "Users") if found else None
    try:
        result = fn(Invocation(ctx.app, user, body, ctx.data))
    except (CloudCodeError, CoreError):
        raise
    except Exception as e:  # noqa: BLE001 - a bug in cloud code is the service's error, not a 500
        raise BackendlessError(14000, f"Cloud code {service}.{method} failed: {type(e).__name__}: {e}") from None
    return Response(body=_dumps(result), status_code=200, headers={"Content-Type": "application/json"})


def _dumps(v: Any) -> str:
    import json

    try:
        return json.dumps(v)
    except (TypeError, ValueError):
        raise BackendlessError(14000, "cloud code returned a value that is not JSON") from None


route("/services/{service}/{method}", models.SERVICE, POST=invoke, GET=invoke, PUT=invoke)
