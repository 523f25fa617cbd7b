"""The Backendless blueprint, its router and the codec between Backendless objects and core entities.

Every route lives under `/{app_id}/{rest_key}/...`. Chalice sends a method a route does not
declare to its own `{"Code","Message"}` 405, so `route()` registers each path for every method
and dispatches here: an undeclared method is a Backendless 404 like any unknown route.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from chalice import Blueprint, Response
from chalice.app import Request

from ...bootstrap import note_caller, services
from ...core.auth import Principal
from ...core.data import AppData
from ...core.errors import BadToken, EntityNotFound, Forbidden, MethodNotAllowed, TenantNotFound
from ...core.ports import Record
from ...core.relations import kind as relation_kind
from ...core.tenancy import App
from ..http import cors, endpoint, master_key
from ..openapi import NOT_SERVED, Spec, annotate
from . import errors

bp = Blueprint(__name__)
PREFIX = "/{app_id}/{rest_key}"
CORS = cors("user-token", "application-id", "secret-key", "application-type", "Authorization")  # what the dialect's SDKs send
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
SYSTEM_COLUMNS = ("objectId", "created", "updated", "ownerId", "___class", "__meta", "___jsonclass")
_names = itertools.count()


def request() -> Request:
    return bp.current_request


@dataclass
class Ctx:
    app: App
    principal: Principal
    token: str | None
    rest_key: str

    @property
    def data(self) -> AppData:
        return services().data(self.app, self.principal)

    @property
    def user_id(self) -> str | None:
        return self.principal.subject if self.principal.kind == "user" else None


def context(app_id: str, rest_key: str) -> Ctx:
    """The app named by its uuid, checked against its REST API key, and the caller (user-token)."""
    svc = services()
    try:
        app = svc.tenancy.app_by_uuid(app_id)
    except TenantNotFound:
        raise errors.BackendlessError(2002, "Invalid application info (application id or api key)", 401) from None
    token = request().headers.get("user-token") or None
    master = master_key(request(), "master-key") or master_key(request())
    try:
        if master:  # the server-side credential, in a header beside the REST key of the URL
            svc.auth.check_rest_key(app, rest_key)
            principal = svc.auth.master_principal(app, master)
            note_caller(app, principal)
            return Ctx(app, principal, token, rest_key)
        principal = svc.auth.key_principal(app, rest_key, token)
    except BadToken:
        raise errors.BackendlessError(3064, f"Not existing user token - {token}. Relogin user to update your user token",
                                      401) from None
    except Forbidden:  # a wrong REST API key
        raise errors.BackendlessError(2002, "Invalid application info (application id or api key)", 403) from None
    note_caller(app, principal)
    return Ctx(app, principal, token, rest_key)


Handler = Callable[..., Any]


def route(path: str, spec: Spec | Mapping[str, Spec] | None = None, **handlers: Handler) -> None:
    """Register `PREFIX + path` for every method; `handlers` maps GET/POST/... to `fn(ctx, **params)`,
    `spec` (models.py: one Op for all, or per method) documents them in the OpenAPI document."""

    def view(app_id: str, rest_key: str, **params: str) -> Any:
        ctx = context(app_id, rest_key)
        fn = handlers.get(request().method)
        if fn is None:
            raise MethodNotAllowed(f"{request().method} is not supported on this resource")
        return fn(ctx, **{k: unquote(v) for k, v in params.items()})

    wrapped = endpoint(request, errors.render, "backendless")(view)
    wrapped.__name__ = f"backendless_{next(_names)}"
    given = dict(spec) if isinstance(spec, Mapping) else dict.fromkeys(handlers, spec) if spec is not None else {}
    annotate(wrapped, {m: (given[m] if m in handlers else NOT_SERVED) for m in METHODS
                       if m not in handlers or given.get(m) is not None})
    bp.route(PREFIX + path, methods=METHODS, content_types=["*/*"], cors=CORS, name=wrapped.__name__)(wrapped)


def query_param(name: str, default: Any = None) -> Any:
    qp: Mapping[str, str] = request().query_params or {}
    return qp.get(name, default)


def ok(value: Any, status: int = 200) -> Response:
    return errors.json_response(value, status)


# -- codec ---------------------------------------------------------------------------------------
def from_wire(obj: Any) -> dict[str, Any]:
    """A Backendless object as core props: system columns and SDK bookkeeping are ours to set, and
    relations are changed by the relation routes only (relations.py): a loaded related object (or list
    of them) sent back with a save is left out, as Backendless' save leaves it."""
    if not isinstance(obj, dict):
        raise errors.BackendlessError(8002, "the object must be a JSON object", 400)
    return {k: v for k, v in obj.items() if k not in SYSTEM_COLUMNS and not k.startswith("__")
            and not _related(v)}


def _related(value: Any) -> bool:
    if isinstance(value, dict):
        return "___class" in value or relation_kind(value) is not None
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "___class" in v for v in value)


def to_wire(rec: Record | dict[str, Any], table: str, owner: str | None = None) -> dict[str, Any]:
    """A core entity as a Backendless object; relation columns (core/relations.py) appear only when loaded."""
    if isinstance(rec, Record):
        doc, uuid, owner = rec.doc, rec.uuid, rec.owner
    else:
        doc, uuid = rec, rec["uuid"]
    out = {k: v for k, v in doc.items() if k not in ("uuid", "type", "modified", "password")
           and relation_kind(v) is None}
    out["objectId"] = uuid
    out["created"] = doc.get("created")
    modified = doc.get("modified")
    out["updated"] = modified if modified != doc.get("created") else None
    out["ownerId"] = owner
    out["___class"] = table
    if table == "Users":
        out.setdefault("userStatus", "ENABLED")
    return out


def display_table(name: str) -> str:
    """The class name the client used; `users` in any spelling is Backendless' `Users` table."""
    return "Users" if name.lower() in ("users", "user") else name


def not_found(table: str, ident: str) -> EntityNotFound:
    return EntityNotFound(f"Entity with the specified ID cannot be found: table - {table}, id - {ident}")
