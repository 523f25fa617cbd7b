"""The Usergrid blueprint, its view decorator and the response envelope of seeds 000/001."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from ...bootstrap import services
from ...core.auth import Principal
from ...core.tenancy import App
from ..http import base_url, bearer_token, cors, endpoint
from . import errors

bp = Blueprint(__name__)
CONTENT_TYPES = ["*/*"]  # JSON whatever the header says (curl -d), and binary assets
CORS = cors("Authorization")  # what the dialect's SDKs send


def request() -> Request:
    return bp.current_request


def view(path: str, methods: list[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a route with Usergrid's error mapping and metering around it."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        wrapped = endpoint(request, errors.render, "usergrid")(fn)
        bp.route(path, methods=methods, content_types=CONTENT_TYPES, cors=CORS)(wrapped)
        return wrapped

    return deco


def app_context(org: str, app_name: str) -> tuple[App, Principal]:
    """Resolve org/app (name or uuid) and the caller, and check the caller may use the app."""
    svc = services()
    app = svc.tenancy.app(org, app_name)
    principal = svc.auth.resolve(bearer_token(request()))
    svc.auth.check_app_access(principal, app)
    return app, principal


def params() -> dict[str, list[str]]:
    req = request()
    qp = req.query_params
    if not qp:
        return {}
    getlist = getattr(qp, "getlist", None)
    return {k: (getlist(k) if getlist else [qp[k]]) for k in qp if k != "access_token"}


def base_uri() -> str:
    return base_url(request(), "/usergrid")


def with_metadata(entity: dict[str, Any], collection: str) -> dict[str, Any]:
    out = {k: v for k, v in entity.items() if k != "password"}
    out["metadata"] = {"path": f"/{collection}/{entity['uuid']}"}
    return out


def envelope(action: str, app: App, collection: str | None, entities: list[dict[str, Any]] | None = None,
             started: float | None = None, **extra: Any) -> dict[str, Any]:
    path = f"/{collection}" if collection else ""
    body: dict[str, Any] = {
        "action": action,
        "application": app.uuid,
        "params": params(),
        "path": path,
        "uri": f"{base_uri()}/{app.org_name}/{app.name}{path}",
    }
    if entities is not None:
        body["entities"] = [with_metadata(e, collection or "") for e in entities]
    body.update({
        "timestamp": int(time.time() * 1000),
        "duration": int((time.perf_counter() - started) * 1000) if started else 0,
        "organization": app.org_name,
        "applicationName": app.name,
    })
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def json_response(body: Any, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})
