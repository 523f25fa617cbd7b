"""The Parse blueprint: both request styles, the caller, CORS and the route registry.

Chalice (and API Gateway) allow one variable segment per level and drop trailing slashes, so the
blueprint registers `/{a}` ... `/{a}/{b}/{c}/{d}` for every verb and OPTIONS, and dispatches on
the first segment (`classes`, `users`, `files`...) through `ROUTES`. A module adds routes with

    @route("schemas")                      # /parse/schemas[/...]; the caller's keys are checked first
    def schemas(ctx: Ctx, req: Req) -> Out: ...
    @route("health", keys=False)           # no keys: ctx is None
    @route("login", session=False)         # keys checked, a sent session token ignored

`req.parts` are the segments after the first; `req.params` the query parameters (header style:
the query string, each value JSON-decoded when it parses; body-key style: the body minus the
underscore keys, when `_method` is GET); `req.body` the object fields of a POST/PUT (underscore
keys removed). `require_master(ctx)` answers Parse's bare 403 for master-only routes. The same
`dispatch` runs the sub-requests of `POST /batch`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from chalice import Blueprint, Response
from chalice.app import Request

from ...bootstrap import note_caller, services
from ...core import validate
from ...core.errors import BadToken, Forbidden, MalformedBody, TenantNotFound
from ...core.ids import is_uuid
from ...core.tenancy import App
from ..http import base_url, endpoint, raw_body
from ..parselike import errors as pe
from ..parselike.caller import Caller
from . import errors
from .errors import CORS_HEADERS, ParseError, Refused, master_required, unauthorized

bp = Blueprint(__name__)
METHODS = ["GET", "POST", "PUT", "DELETE", "OPTIONS"]
PREFIX = "/parse"
TOKEN_PREFIX = "r:"  # Parse's revocable session tokens: the core token behind it
CLIENT_KEY_HEADERS = ("x-parse-rest-api-key", "x-parse-javascript-key", "x-parse-client-key", "x-parse-windows-key")
CLIENT_KEY_FIELDS = ("_JavaScriptKey", "_ClientKey", "_RestAPIKey", "_WindowsKey")


def request() -> Request:
    return bp.current_request


@dataclass
class Keys:
    """The credentials of a request, from `X-Parse-*` headers or the body's underscore keys."""

    app_id: str | None = None
    client_keys: list[str] = field(default_factory=list)
    master_key: str | None = None
    session_token: str | None = None
    installation_id: str | None = None
    context: Any = None


@dataclass
class Req:
    """One command: an HTTP request (either style) or one element of a batch."""

    method: str
    route: str  # first path segment after /parse
    parts: list[str]  # the segments after it
    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None  # parsed JSON fields (None: no body or not JSON)
    raw: bytes = b""
    content_type: str = ""
    keys: Keys = field(default_factory=Keys)
    headers: dict[str, str] = field(default_factory=dict)
    body_keys: bool = False  # the JS SDK's style: keys (and `_method`) in a text/plain JSON body

    def fields(self) -> dict[str, Any]:
        """The body as an object (107 otherwise)."""
        if self.body is None:
            if self.raw.strip():
                raise ParseError(pe.INVALID_JSON, "invalid JSON")
            return {}
        if not isinstance(self.body, dict):
            raise ParseError(pe.INVALID_JSON, "invalid JSON: the body must be an object")
        return dict(self.body)


@dataclass
class Ctx(Caller):
    """Who calls which app. `data` applies that caller's permissions (the master key: the app's own)."""

    master: bool
    token: str | None  # the session token as sent ("r:..."), when it resolved to a user
    base: str  # ".../parse" as the client reached us
    installation_id: str | None = None


@dataclass
class Out:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # a file download: bytes with headers["Content-Type"]


Handler = Callable[[Any, Req], Out]  # (Ctx, or None for keys=False routes; the request)


@dataclass
class Route:
    handler: Handler
    keys: bool
    session: bool


ROUTES: dict[str, Route] = {}


def route(name: str, *, keys: bool = True, session: bool = True) -> Callable[[Handler], Handler]:
    """Register `handler` for `/parse/<name>[/...]` (and for batch paths naming it)."""

    def register(handler: Handler) -> Handler:
        ROUTES[name] = Route(handler, keys, session)
        return handler

    return register


def require_master(ctx: Ctx) -> None:
    if not ctx.master:
        raise master_required()


def session_token(token: str) -> str:
    """The wire form of a core token."""
    return TOKEN_PREFIX + token


def core_token(token: str) -> str:
    return token[len(TOKEN_PREFIX):] if token.startswith(TOKEN_PREFIX) else token


# -- the caller ---------------------------------------------------------------------------
def caller(keys: Keys, use_session: bool = True) -> Ctx:
    """Parse's key rules: unknown app 403; master key; else a client key (the REST API key) must
    match; then the session token (unknown: 209 on any route)."""
    svc = services()
    if not keys.app_id or not is_uuid(keys.app_id):
        raise unauthorized()
    try:
        app = svc.tenancy.app_by_uuid(keys.app_id)
    except TenantNotFound:
        raise unauthorized() from None
    base = base_url(request(), PREFIX) if request() is not None else PREFIX
    token = keys.session_token if use_session else None
    if keys.master_key:
        try:
            principal = svc.auth.master_principal(app, keys.master_key)
            note_caller(app, principal)
            return Ctx(app, principal, True, None, base, keys.installation_id)
        except Forbidden:
            pass
    key = next((k for k in keys.client_keys if _key_ok(app, k)), None)
    if key is None:
        raise unauthorized()
    try:
        principal = svc.auth.key_principal(app, key, core_token(token) if token else None)
    except BadToken:
        raise ParseError(pe.INVALID_SESSION_TOKEN, "Invalid session token") from None
    note_caller(app, principal)
    return Ctx(app, principal, False, token if principal.kind == "user" else None, base, keys.installation_id)


def _key_ok(app: App, key: str) -> bool:
    try:
        services().auth.check_rest_key(app, key)
        return True
    except Forbidden:
        return False


# -- requests -----------------------------------------------------------------------------
def _json_value(text: str) -> Any:
    """A query parameter JSON-decoded when it is JSON (`where`, `limit`), else the text itself;
    JSON that breaks a rule of core/validate.py (NaN, 400 digits, depth) is that rule's 400."""
    try:
        return validate.loads(text, "a query parameter")
    except MalformedBody:
        return text


def _json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return validate.loads(raw)
    except MalformedBody:
        return None


def http_req(parts: list[str]) -> Req:
    """Either request style, normalized: body keys win only when the headers name no app."""
    r = request()
    h = {k.lower(): v for k, v in (r.headers or {}).items()}
    ct = h.get("content-type", "") or ""
    raw = raw_body(r) if r.method in ("POST", "PUT", "DELETE") else b""
    keys = Keys(h.get("x-parse-application-id"), [h[k] for k in CLIENT_KEY_HEADERS if h.get(k)],
                h.get("x-parse-master-key"), h.get("x-parse-session-token"), h.get("x-parse-installation-id"))
    if h.get("x-parse-cloud-context"):
        keys.context = _json_value(h["x-parse-cloud-context"])
    method = r.method
    multipart = ct.split(";")[0].strip().lower() == "multipart/form-data"
    body = None if multipart else _json(raw)
    params: dict[str, Any] = {k: _json_value(v) for k, v in (r.query_params or {}).items()}
    body_keys = False
    if isinstance(body, dict) and "_ApplicationId" in body and not (keys.app_id and _known(keys.app_id)):
        body, body_keys = dict(body), True
        method = str(body.pop("_method", None) or method).upper()
        keys = Keys(body.pop("_ApplicationId", None),
                    [v for k in CLIENT_KEY_FIELDS if isinstance(v := body.pop(k, None), str) and v],
                    body.pop("_MasterKey", None), body.pop("_SessionToken", None), body.pop("_InstallationId", None),
                    body.pop("_context", None))
        for k in BODY_KEYS:
            if k in body:
                params[k] = body.pop(k)
        if method == "GET":
            params.update(body)
            body = None
    elif isinstance(body, dict) and "_method" in body:
        body = dict(body)
        method = str(body.pop("_method") or method).upper()
        if method == "GET":
            params.update(body)
            body = None
    if not all(isinstance(v, (str, type(None))) for v in (keys.app_id, keys.master_key, keys.session_token,
                                                              keys.installation_id)):
        raise MalformedBody("_ApplicationId, _MasterKey, _SessionToken and _InstallationId must be strings")
    if method not in METHODS:
        raise ParseError(pe.INVALID_JSON, f"unsupported method: {method}")
    return Req(method, parts[0] if parts else "", parts[1:], params, body, raw, ct, keys, h, body_keys)


BODY_KEYS = ("_ClientVersion", "_RevocableSession", "_ContentType")  # kept in params for the routes that read them


def _known(app_id: str) -> bool:
    if not is_uuid(app_id):
        return False
    try:
        services().tenancy.app_by_uuid(app_id)
        return True
    except TenantNotFound:
        return False


def dispatch(ctx: Ctx | None, req: Req) -> Out:
    r = ROUTES.get(req.route)
    if r is None:
        raise Refused(f"unknown route: {req.method} /{req.route}", 404)
    return r.handler(ctx, req)


def location(ctx: Ctx, class_name: str, object_id: str) -> str:
    return f"{ctx.base}/classes/{quote(class_name)}/{object_id}"


def to_response(out: Out) -> Response:
    if out.status in (301, 302, 303, 307):
        return Response(body="", status_code=out.status, headers={**CORS_HEADERS, **out.headers})
    if out.raw is not None:
        return Response(body=out.raw, status_code=out.status, headers={**CORS_HEADERS, **out.headers})
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json", **CORS_HEADERS, **out.headers}
    return Response(body=json.dumps(out.body, separators=(",", ":")), status_code=out.status, headers=headers)


def _serve(*parts: str) -> Response:
    if request().method == "OPTIONS":  # preflight: before any key check, on every path
        return Response(body="", status_code=200, headers=dict(CORS_HEADERS))
    req = http_req(list(parts))
    r = ROUTES.get(req.route)
    if r is None:
        caller(req.keys)  # as Parse: the keys are checked before an unknown path is a 404
        raise Refused(f"unknown route: {req.method} /{'/'.join(parts)}", 404)
    ctx = caller(req.keys, r.session) if r.keys else None
    return to_response(r.handler(ctx, req))


_wrap = endpoint(request, errors.render, "parse")


@bp.route("/{a}", methods=METHODS, content_types=["*/*"])
@_wrap
def one(a: str) -> Response:
    return _serve(a)


@bp.route("/{a}/{b}", methods=METHODS, content_types=["*/*"])
@_wrap
def two(a: str, b: str) -> Response:
    return _serve(a, b)


@bp.route("/{a}/{b}/{c}", methods=METHODS, content_types=["*/*"])
@_wrap
def three(a: str, b: str, c: str) -> Response:
    return _serve(a, b, c)


@bp.route("/{a}/{b}/{c}/{d}", methods=METHODS, content_types=["*/*"])
@_wrap
def four(a: str, b: str, c: str, d: str) -> Response:
    return _serve(a, b, c, d)
