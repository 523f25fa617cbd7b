"""The Lightblue blueprint, its view decorator, the caller's context and the response envelope.

Auth: `Authorization: Bearer <token>` from the Usergrid token endpoints. A user token or a
client_credentials token carries its app; an org admin token names the app in `X-App-Id`
(the app uuid). Without a token: 401 in Lightblue's error envelope.
"""

from __future__ import annotations

import contextvars
import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from ...bootstrap import note_caller, request_app, services
from ...core.auth import Principal
from ...core.data import AppData
from ...core.errors import CoreError, InvalidInput, Unauthorized
from ...core.tenancy import App
from ..http import BODY_CONTENT_TYPES, bearer_token, cors, endpoint, json_body, master_key
from ..openapi import Spec, annotate
from . import errors

bp = Blueprint(__name__)
CORS = cors("Authorization", "X-App-Id")  # what the dialect's SDKs send
APP_HEADER = "x-app-id"


def request() -> Request:
    return bp.current_request


def _context() -> str:
    return errors.request_context(request())


def _render(err: CoreError | None, exc: Exception, started: float) -> Response:
    return errors.render(err, _context())


def view(path: str, methods: list[str], spec: Spec | Mapping[str, Spec]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a route with Lightblue's error envelope and metering around it; `spec` (models.py)
    is its entry in the OpenAPI document."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def with_session(*args: Any, **kwargs: Any) -> Any:
            _session.set(None)
            return _add_session(fn(*args, **kwargs))

        wrapped = endpoint(request, _render, "lightblue")(with_session)
        annotate(wrapped, spec)
        bp.route(path, methods=methods, content_types=BODY_CONTENT_TYPES, cors=CORS)(wrapped)
        return wrapped

    return deco


@dataclass
class Caller:
    app: App
    principal: Principal
    roles: set[str] | None  # None: every role (app credentials, org admins)

    def data(self, version: str | None = None) -> AppData:
        d = services().data(self.app, self.principal)
        d.schema_version = version
        return d


# The seed's `session` (implementation dependent): ours says who the request ran as; it is added
# to the answers of callers that authenticated with the body's `clientId`.
_session: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("lightblue_session", default=None)


def _client_token() -> str | None:
    """The seed's `client` / `clientId`: the caller's authentication in the body, here the same token
    a Bearer header carries, as a string or as `{"token": ...}` (or `{"clientId": ...}`)."""
    if request().method not in ("POST", "PUT"):
        return None
    try:
        body = json_body(request(), {})
    except CoreError:
        return None
    client = body.get("clientId", body.get("client")) if isinstance(body, dict) else None
    if isinstance(client, dict):
        client = client.get("token") or client.get("clientId") or client.get("access_token")
    return client if isinstance(client, str) and client else None


def _add_session(result: Any) -> Any:
    session = _session.get()
    if session is None or not isinstance(result, Response) or not isinstance(result.body, dict):
        return result
    if "status" in result.body and "session" not in result.body:
        result.body["session"] = session
    return result


def caller() -> Caller:
    svc = services()
    req = request()
    master = master_key(req)
    if master:  # X-Master-Key with X-App-Id: the server-side credential, acting as the app
        app_id = req.headers.get(APP_HEADER)
        if not app_id:
            raise InvalidInput("the master key needs the X-App-Id header (the application uuid)",
                               code="rest-crud:NoApplication")
        app = svc.tenancy.app_by_uuid(app_id)
        request_app.set(app.uuid)
        principal = svc.auth.master_principal(app, master)
        note_caller(app, principal)
        return Caller(app, principal, None)
    header_token = bearer_token(req)
    token = header_token or _client_token()
    if not token:
        raise Unauthorized("an access token is required: Authorization: Bearer <token>, or the body's clientId")
    principal = svc.auth.resolve(token)
    if principal.kind in ("user", "app") and principal.app:
        app = svc.tenancy.app_by_uuid(principal.app)
    elif principal.kind == "admin":
        app_id = req.headers.get(APP_HEADER)
        if not app_id:
            raise InvalidInput("an admin token needs the X-App-Id header (the application uuid)",
                               code="rest-crud:NoApplication")
        app = svc.tenancy.app_by_uuid(app_id)
    else:
        raise Unauthorized("this token does not belong to an application")
    svc.auth.check_app_access(principal, app)
    request_app.set(app.uuid)  # for the request's log line, metadata routes included
    note_caller(app, principal)
    roles = svc.permissions.schema_roles(app, principal)
    if not header_token:  # a body-authenticated caller (clientId) is told its session
        _session.set({"application": app.uuid, "principal": principal.kind, "user": principal.subject
                      if principal.kind == "user" else None, "roles": sorted(roles) if roles is not None else None})
    return Caller(app, principal, roles)


def json_response(body: Any, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})


def envelope(status: str = "COMPLETE", modified: int = 0, matched: int = 0, processed: list[Any] | None = None,
             data_errors: list[Any] | None = None, errs: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "modifiedCount": modified, "matchCount": matched}
    body.update({k: v for k, v in extra.items() if v is not None})
    if processed is not None:
        body["processed"] = processed
    if data_errors:
        body["dataErrors"] = data_errors
    if errs:
        body["errors"] = errs
    return body


def now_ms() -> int:
    return int(time.time() * 1000)
