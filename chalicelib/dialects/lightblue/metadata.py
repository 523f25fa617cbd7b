"""Routes of the Lightblue metadata API (`/rest/metadata/...`) over core/metadata.py.

Reads are open to any caller of the app; writes need app credentials (client_credentials token)
or an org admin token. The layout is lightblue-rest's:

    GET    /                      entity names        GET /s=active,deprecated   names by status
    GET    /roles, /dependencies  over every entity   GET /{e}                   versions of e
    GET    /{e}/{v}               metadata document   GET /{e}[/{v}]/roles|dependencies
    PUT    /{e}/{v}               create entity or version   PUT /{e}/schema={v}  new version
    PUT    /{e}                   replace entityInfo  PUT /{e}/{v}/{status}      change status
    POST   /{e}/{v}/default       set default version DELETE /{e}/default        clear it
    DELETE /{e}                   remove an entity whose versions are all disabled

API Gateway allows one variable per path level, so the literal words (`roles`, `dependencies`,
`s=...`, `schema=...`, `default`) arrive as path parameters and are told apart here, as JAX-RS
tells its literal routes apart from `{entity}` in lightblue-rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice import Response

from ...bootstrap import services
from ...core.errors import Forbidden, InvalidInput
from ...core.metadata import EntityMeta
from ..http import json_body
from . import models
from .common import Caller, caller, json_response, request, view

SCHEMA_PREFIX = "schema="
STATUS_PREFIX = "s="


def _writer() -> Caller:
    c = caller()
    if c.principal.kind not in ("app", "admin"):
        raise Forbidden("metadata changes need app credentials or an org admin token", code="metadata:AuthFailed")
    return c


def _versions(meta: EntityMeta) -> list[dict[str, Any]]:
    out = []
    for v, s in meta.versions.items():
        info = s.get("version") or {}
        out.append({"version": v, "changelog": info.get("changelog", ""),
                    "extendsVersions": list(info.get("extendsVersions") or []), "status": meta.status(v),
                    "defaultVersion": v == meta.default_version})
    return out


def _roles(metas: list[tuple[EntityMeta, str | None]]) -> list[dict[str, Any]]:
    """lightblue-rest's role listing: one object per role with the paths each operation opens."""
    merged: dict[str, dict[str, list[str]]] = {}
    for meta, version in metas:
        for role, ops in meta.schema(version, allow_disabled=True).role_paths().items():
            for op, paths in ops.items():
                merged.setdefault(role, {}).setdefault(op, []).extend(paths)
    return [{"role": role, **ops} for role, ops in sorted(merged.items())]


def _dependencies(app: str, meta: EntityMeta, version: str | None, seen: set[str]) -> dict[str, Any]:
    """`{name, dependencies: [...]}`, following `reference` fields; a cycle stops at its second visit."""
    node: dict[str, Any] = {"name": meta.name}
    if meta.collection in seen:
        return node
    seen = seen | {meta.collection}
    version = version or meta.default_version
    if version is None or version not in meta.versions:
        return node
    deps = []
    for name in meta.references(version):
        ref = services().metadata.entity(app, name)
        deps.append(_dependencies(app, ref, None, seen) if ref is not None else {"name": name})
    if deps:
        node["dependencies"] = deps
    return node


def _entity_view(c: Caller, meta: EntityMeta, version: str | None, what: str) -> Any:
    if what == "roles":
        return json_response(_roles([(meta, version)]))
    return json_response([_dependencies(c.app.uuid, meta, version, set())])


@view("/rest/metadata", ["GET"], spec=models.NAMES)
def names() -> Any:
    c = caller()
    return json_response({"entities": services().metadata.names(c.app.uuid)})


@view("/rest/metadata/{entity}", ["GET", "PUT", "DELETE"], spec=models.ENTITY_META)
def entity_route(entity: str) -> Any:
    method, md = request().method, services().metadata
    if method == "GET":
        c = caller()
        if entity.startswith(STATUS_PREFIX):
            statuses = {s for s in entity[len(STATUS_PREFIX):].replace(";", ",").split(",") if s}
            return json_response({"entities": md.names(c.app.uuid, statuses)})
        if entity == "roles":
            return json_response(_roles([(m, None) for m in md.all(c.app.uuid) if m.default_version]))
        if entity == "dependencies":
            return json_response([_dependencies(c.app.uuid, m, None, set()) for m in md.all(c.app.uuid)])
        return json_response(_versions(md.require(c.app.uuid, entity)))
    c = _writer()
    if method == "PUT":
        meta = md.update_info(c.app.uuid, entity, json_body(request(), default=None))
        dv = meta.default_version
        return json_response(meta.document(dv) if dv else {"entityInfo": meta.info})
    md.remove(c.app.uuid, entity)
    return Response(body="", status_code=200, headers={"Content-Type": "application/json"})


@view("/rest/metadata/{entity}/{version}", ["GET", "PUT", "DELETE"], spec=models.VERSION_META)
def one_version(entity: str, version: str) -> Any:
    method = request().method
    md = services().metadata
    if method == "GET":
        c = caller()
        meta = md.require(c.app.uuid, entity)
        if version in ("roles", "dependencies"):
            return _entity_view(c, meta, None, version)
        if version not in meta.versions:
            meta.schema(version)  # raises the unknown-version error
        return json_response(meta.document(version))
    c = _writer()
    if method == "DELETE":
        if version != "default":
            raise InvalidInput("DELETE /metadata/{entity}/default clears the default version",
                               code="rest-metadata:UnsupportedOperation")
        meta = md.set_default(c.app.uuid, entity, None)
        return json_response(meta.info)
    body = json_body(request(), default=None)
    if version.startswith(SCHEMA_PREFIX):
        version = version[len(SCHEMA_PREFIX):]
        meta = md.create(c.app.uuid, entity, version, {"schema": body}, existing_only=True)
    else:
        meta = md.create(c.app.uuid, entity, version, body)
    return json_response(meta.document(version))


@view("/rest/metadata/{entity}/{version}/{action}", ["GET", "PUT", "POST"], spec=models.ACTION_META)
def change(entity: str, version: str, action: str) -> Any:
    if request().method == "GET":
        c = caller()
        meta = services().metadata.require(c.app.uuid, entity)
        if action not in ("roles", "dependencies"):
            raise InvalidInput(f"unknown metadata view {action!r}", code="rest-metadata:UnsupportedOperation")
        if version not in meta.versions:
            meta.schema(version)  # raises the unknown-version error
        return _entity_view(c, meta, version, action)
    c = _writer()
    md = services().metadata
    if action == "default":
        if request().method != "POST":
            raise InvalidInput("POST /metadata/{entity}/{version}/default sets the default version",
                               code="rest-metadata:UnsupportedOperation")
        meta = md.set_default(c.app.uuid, entity, version)
    else:
        if request().method != "PUT":
            raise InvalidInput("status changes are PUT /metadata/{entity}/{version}/{status}",
                               code="rest-metadata:UnsupportedOperation")
        qp: Mapping[str, str] = request().query_params or {}
        comment = qp.get("comment")
        meta = md.set_status(c.app.uuid, entity, version, action, comment)
    return json_response(meta.document(version))
