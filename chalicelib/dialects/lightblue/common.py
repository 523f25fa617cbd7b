"""The Lightblue blueprint, its view decorator, the caller's context and the response envelope.

Auth: `Authorization: Bearer <token>` from the Usergrid token endpoints. A user token or a
client_credentials token carries its app; an org admin token names the app in `X-App-Id`
(the app uuid). Without a token: 401 in Lightblue's error envelope.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from ...bootstrap import request_app, services
from ...core.auth import Principal
from ...core.data import AppData
from ...core.errors import CoreError, InvalidInput, Unauthorized
from ...core.tenancy import App
from ..http import BODY_CONTENT_TYPES, bearer_token, cors, endpoint
from . import errors

bp = Blueprint(__name__)
CORS = cors("Authorization", "X-App-Id")  # what the dialect's SDKs send
APP_HEADER = "x-app-id"


def request() -> Request:
    return bp.current_request


def _context() -> str:
    req = request()
    return f"rest/{req.method} {req.path}" if req is not None else "rest"


def _render(err: CoreError | None, exc: Exception, started: float) -> Response:
    return errors.render(err, _context())


def view(path: str, methods: list[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a route with Lightblue's error envelope and metering around it."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        wrapped = endpoint(request, _render, "lightblue")(fn)
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


def caller() -> Caller:
    svc = services()
    req = request()
    token = bearer_token(req)
    if not token:
        raise Unauthorized("an access token is required: Authorization: Bearer <token>")
    principal = svc.auth.resolve(token)
    if principal.kind in ("user", "app") and principal.app:
        app = svc.tenancy.app_by_uuid(principal.app)
    elif principal.kind == "admin":
        app_id = (req.headers or {}).get(APP_HEADER)
        if not app_id:
            raise InvalidInput("an admin token needs the X-App-Id header (the application uuid)",
                               code="rest-crud:NoApplication")
        app = svc.tenancy.app_by_uuid(app_id)
    else:
        raise Unauthorized("this token does not belong to an application")
    svc.auth.check_app_access(principal, app)
    request_app.set(app.uuid)  # for the request's log line, metadata routes included
    roles = None
    if principal.kind == "user" and principal.subject:
        roles = set(svc.permissions.roles_of(app.uuid, principal.subject)) | {"authenticated"}
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
