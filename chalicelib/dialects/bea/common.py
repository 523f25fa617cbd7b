"""The BEA blueprint, the request context (app id + REST key + session token) and the router.

Chalice (and API Gateway) allow one variable segment per level and drop trailing slashes, so
the blueprint registers `/1/{a}`, `/1/{a}/{b}` and `/1/{a}/{b}/{c}` for every method and routes
here by segment: the same dispatcher runs the commands of `POST /1/batch`. Unknown paths and
methods answer `{code, error}` like every other failure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from chalice import Blueprint, CORSConfig, Response
from chalice.app import Request

from ...bootstrap import note_caller, services
from ...core.errors import BadToken, Forbidden, TenantNotFound
from ...core.ids import is_uuid
from ..http import base_url, endpoint, raw_body
from ..openapi import EXPAND, NOT_SERVED, annotate
from ..parselike import errors
from ..parselike.caller import Caller
from ..parselike.errors import ParseStyleError

bp = Blueprint(__name__)
METHODS = ["GET", "POST", "PUT", "DELETE"]
HEADERS = ["X-BEA-Application-Id", "X-BEA-Authorization", "X-BEA-Session-Token", "X-BEA-Master-Key", "Content-Type"]
CORS = CORSConfig(allow_origin="*", allow_headers=HEADERS, expose_headers=["Location", "X-Request-Cost"],
                  max_age=86400)


def request() -> Request:
    return bp.current_request


@dataclass
class Ctx(Caller):
    """Who is calling which app. `data` applies the permissions of that caller."""

    token: str | None
    base: str  # ".../bea" as the client reached us, for Location headers


@dataclass
class Req:
    """One command: an HTTP request or one element of a batch."""

    method: str
    parts: list[str]  # path segments after /1
    params: dict[str, str] = field(default_factory=dict)
    body: Any = None  # parsed JSON (or form fields), None when absent
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # (name, content type, bytes)
    raw: bytes = b""
    content_type: str = ""


@dataclass
class Out:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Ctx, Req], Out]
_routes: list[Callable[[Ctx, Req], Out | None]] = []


def router(fn: Callable[[Ctx, Req], Out | None]) -> Callable[[Ctx, Req], Out | None]:
    """Register a dispatcher: it answers the commands it knows and returns None for the others."""
    _routes.append(fn)
    return fn


def dispatch(ctx: Ctx, req: Req) -> Out:
    for fn in _routes:
        out = fn(ctx, req)
        if out is not None:
            return out
    raise ParseStyleError(errors.INVALID_CLASS_NAME if req.parts else errors.OBJECT_NOT_FOUND,
                   f"unknown route: {req.method} /1/{'/'.join(req.parts)}", 404)


def context() -> Ctx:
    """The app named by X-BEA-Application-Id, checked against X-BEA-Authorization (its REST key)."""
    req = request()
    h: Mapping[str, str] = req.headers or {}
    app_id, key, master = h.get("x-bea-application-id"), h.get("x-bea-authorization"), h.get("x-bea-master-key")
    if not app_id or not (key or master):
        raise ParseStyleError(errors.OPERATION_FORBIDDEN,
                       "unauthorized: X-BEA-Application-Id and X-BEA-Authorization are required", 401)
    svc = services()
    try:
        if not is_uuid(app_id):
            raise TenantNotFound()
        app = svc.tenancy.app_by_uuid(app_id)
    except TenantNotFound:
        raise ParseStyleError(errors.OPERATION_FORBIDDEN, "unauthorized: unknown application id", 403) from None
    token = h.get("x-bea-session-token") or None
    if master:  # the server-side credential (Parse's master key): acts as the app
        try:
            principal = svc.auth.master_principal(app, master)
            note_caller(app, principal)
            return Ctx(app, principal, token, base_uri())
        except Forbidden:
            raise ParseStyleError(errors.OPERATION_FORBIDDEN, "unauthorized: invalid master key", 403) from None
    assert key, "checked above: a REST key when there is no master key"
    try:
        principal = svc.auth.key_principal(app, key, token)
    except Forbidden:
        raise ParseStyleError(errors.OPERATION_FORBIDDEN, "unauthorized: invalid REST API key", 403) from None
    except BadToken:
        raise ParseStyleError(errors.INVALID_SESSION_TOKEN, "Invalid session token") from None
    note_caller(app, principal)
    return Ctx(app, principal, token, base_uri())


def base_uri() -> str:
    return base_url(request(), "/bea")


def location(ctx: Ctx, class_name: str, object_id: str) -> str:
    return f"{ctx.base}/1/{quote(class_name)}/{object_id}"


def http_req(parts: list[str]) -> Req:
    from .forms import parse_body

    req = request()
    qp: Mapping[str, str] = req.query_params or {}
    ct = req.headers.get("content-type", "") or ""
    raw = raw_body(req) if req.method in ("POST", "PUT") else b""
    body, files = parse_body(raw, ct)
    return Req(req.method, parts, {k: qp[k] for k in qp}, body, files, raw, ct)


def to_response(out: Out) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json", **out.headers}
    if out.status in (301, 302, 303, 307):
        return Response(body="", status_code=out.status, headers=dict(out.headers))
    return Response(body=json.dumps(out.body, separators=(",", ":")), status_code=out.status, headers=headers)


def _serve(*parts: str) -> Response:
    ctx = context()
    return to_response(dispatch(ctx, http_req(list(parts))))


_wrap = endpoint(request, errors.render, "bea")


@bp.route("/1/{a}", methods=METHODS, content_types=["*/*"], cors=CORS)
@_wrap
def one(a: str) -> Response:
    return _serve(a)


@bp.route("/1/{a}/{b}", methods=METHODS, content_types=["*/*"], cors=CORS)
@_wrap
def two(a: str, b: str) -> Response:
    return _serve(a, b)


@bp.route("/1/{a}/{b}/{c}", methods=METHODS, content_types=["*/*"], cors=CORS)
@_wrap
def three(a: str, b: str, c: str) -> Response:
    return _serve(a, b, c)


@bp.route("/{a}", methods=METHODS, content_types=["*/*"], cors=CORS)
@_wrap
def unknown(a: str) -> Response:
    raise ParseStyleError(errors.OBJECT_NOT_FOUND, f"unknown route: /{a}; the API lives under /bea/1/", 404)


@bp.route("/1/{a}/{b}/{c}/{d}", methods=METHODS, content_types=["*/*"], cors=CORS)
@_wrap
def too_deep(a: str, b: str, c: str, d: str) -> Response:
    raise ParseStyleError(errors.OBJECT_NOT_FOUND, "unknown route", 404)


# The segment dispatchers stand for the routes of models.ROUTES in the OpenAPI document.
for _view in (one, two, three):
    annotate(_view, EXPAND)
for _view in (unknown, too_deep):
    annotate(_view, NOT_SERVED)
