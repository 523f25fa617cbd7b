"""The Usergrid blueprint, its view decorator and the response envelope of seeds 000/001."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from chalice import Blueprint, Response
from chalice.app import Request

from ...bootstrap import note_caller, services
from ...core.auth import Principal
from ...core.entities import public
from ...core.ports import Record
from ...core.tenancy import App
from ..http import base_url, bearer_token, cors, endpoint, master_key
from ..openapi import Spec, annotate
from . import errors

bp = Blueprint(__name__)
DEFAULT_LIMIT, MAX_LIMIT = 10, 1000
GROUP_PATH = re.compile(r"[A-Za-z0-9./-]{1,255}")  # Usergrid's GroupsService: letters, digits and -./
CONTENT_TYPES = ["*/*"]  # JSON whatever the header says (curl -d), and binary assets
CORS = cors("Authorization")  # what the dialect's SDKs send


def request() -> Request:
    return bp.current_request


def view(path: str, methods: list[str], spec: Spec | Mapping[str, Spec]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a route with Usergrid's error mapping and metering around it; `spec` (models.py) is
    its entry in the OpenAPI document."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def decoded(**segments: str) -> Any:
            # `chalice local` and the test client hand over path segments still percent-encoded
            # (an email's `%40`, a name's `%2B`); Usergrid addresses entities by the decoded text.
            return fn(**{k: unquote(v) if "%" in v else v for k, v in segments.items()})

        wrapped = endpoint(request, errors.render, "usergrid")(decoded)
        annotate(wrapped, spec)
        bp.route(path, methods=methods, content_types=CONTENT_TYPES, cors=CORS)(wrapped)
        return wrapped

    return deco


def app_context(org: str, app_name: str) -> tuple[App, Principal]:
    """Resolve org/app (name or uuid) and the caller, and check the caller may use the app."""
    svc = services()
    app = svc.tenancy.app(org, app_name)
    master = master_key(request())
    if master:  # X-Master-Key: the server-side credential, acting as the app
        principal = svc.auth.master_principal(app, master)
    else:
        principal = svc.auth.resolve(bearer_token(request()))
        svc.auth.check_app_access(principal, app)
    note_caller(app, principal)
    return app, principal


def params() -> dict[str, list[str]]:
    req = request()
    qp = req.query_params
    if not qp:
        return {}
    getlist = getattr(qp, "getlist", None)
    return {k: (getlist(k) if getlist else [qp[k]]) for k in qp if k != "access_token"}


def limit_param(raw: str | None) -> int:
    """`limit`: above 1,000 clamped, zero, negative, empty or not a number the default (reference 4.5)."""
    try:
        n = int(raw or "")
    except ValueError:
        return DEFAULT_LIMIT
    return DEFAULT_LIMIT if n <= 0 else min(n, MAX_LIMIT)


def ql_param(qp: Any) -> str | None:
    """`ql`, or its aliases `q` and `query`."""
    return next((qp[k] for k in ("ql", "q", "query") if qp.get(k)), None)


def base_uri() -> str:
    return base_url(request(), "/usergrid")


LINKS = "\x00links"  # the verbs `shown` hands to `with_metadata`: no property can have this name (PROP_RE)
HIDDEN_VERBS = ("connection",)  # Usergrid's AbstractService leaves its generic verb out of the links
# Links that are Usergrid collections of an entity, not connections (its Schema: a group's users, a
# user's activities and feed, a role's users): kept as connections here, never shown as such.
COLLECTION_VERBS = {"users": ("activities", "feed"), "groups": ("users", "activities", "feed"), "roles": ("users",)}
COLLECTION_TARGETS = {"users": ("users",), "activities": ("activities", "feed")}  # the other end of those


def shown(rec: Record) -> dict[str, Any]:
    """An entity with the verbs of its connections, which `with_metadata` turns into Usergrid's
    `metadata.connections` / `metadata.connecting` links: kept on the entity, so no read."""
    out = public(rec)
    hide_out = HIDDEN_VERBS + COLLECTION_VERBS.get(rec.collection, ())
    hide_in = HIDDEN_VERBS + COLLECTION_TARGETS.get(rec.collection, ())
    verbs = {"connections": [v for v in rec.out_verbs if v not in hide_out],
             "connecting": [v for v in rec.in_verbs if v not in hide_in]}
    if verbs["connections"] or verbs["connecting"]:
        out[LINKS] = verbs
    return out


def _link_sides() -> tuple[bool, bool]:
    """(outbound, inbound) links wanted: `?connections=none|in|out|all` on a GET (anything else: all,
    Usergrid's default); other methods always show both (ServiceResource.executeServiceRequest)."""
    req = request()
    if req.method != "GET":
        return True, True
    qp: Mapping[str, str] = req.query_params or {}
    choice = (qp.get("connections") or "all").lower()
    return {"none": (False, False), "in": (False, True), "out": (True, False)}.get(choice, (True, True))


def with_metadata(entity: dict[str, Any], collection: str, uri: str = "") -> dict[str, Any]:
    out = {k: v for k, v in entity.items() if k not in ("password", LINKS)}
    path = f"/{collection}/{entity['uuid']}"
    meta: dict[str, Any] = {"path": path}
    verbs = entity.get(LINKS)
    if isinstance(verbs, dict) and (verbs.get("connections") or verbs.get("connecting")):
        outbound, inbound = _link_sides()
        if outbound and verbs.get("connections"):
            meta["connections"] = {v: f"{path}/{v}" for v in verbs["connections"]}
        if inbound and verbs.get("connecting"):
            meta["connecting"] = {v: f"{path}/connecting/{v}" for v in verbs["connecting"]}
    out["metadata"] = meta
    if uri and "uuid" in entity:
        out["uri"] = f"{uri}/{entity['uuid']}"
    return out


def envelope(action: str, app: App, collection: str | None, entities: list[dict[str, Any]] | None = None,
             started: float | None = None, **extra: Any) -> dict[str, Any]:
    path = f"/{collection}" if collection else ""
    uri = f"{base_uri()}/{app.org_name}/{app.name}{path}"
    body: dict[str, Any] = {
        "action": action,
        "application": app.uuid,
        "params": params(),
        "path": path,
        "uri": uri,
    }
    if entities is not None:
        body["entities"] = [with_metadata(e, collection or "", uri) for e in entities]
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
