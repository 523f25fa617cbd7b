"""Routes of the Lightblue metadata API (`/rest/metadata/...`) over core/metadata.py.

Reads are open to any caller of the app; writes need app credentials (client_credentials token)
or an org admin token. Layout as in lightblue-rest: `PUT /{entity}/{version}` creates an entity or
a new version, `PUT /{entity}/{version}/{status}` changes a version's status, `POST
/{entity}/{version}/default` makes it the default version and `DELETE /{entity}/default` clears it.
"""

from __future__ import annotations

from typing import Any

from ...bootstrap import services
from ...core.errors import Forbidden, InvalidInput
from ...core.metadata import EntityMeta
from ..http import json_body
from .common import Caller, caller, json_response, request, view


def _writer() -> Caller:
    c = caller()
    if c.principal.kind not in ("app", "admin"):
        raise Forbidden("metadata changes need app credentials or an org admin token", code="metadata:AuthFailed")
    return c


def _versions(meta: EntityMeta) -> list[dict[str, Any]]:
    return [{"value": v, "changelog": s.get("version", {}).get("changelog", ""), "status": meta.status(v),
             "defaultVersion": v == meta.default_version} for v, s in meta.versions.items()]


@view("/rest/metadata", ["GET"])
def names() -> Any:
    c = caller()
    return json_response({"entities": services().metadata.names(c.app.uuid)})


@view("/rest/metadata/{entity}", ["GET"])
def versions(entity: str) -> Any:
    c = caller()
    return json_response(_versions(services().metadata.require(c.app.uuid, entity)))


@view("/rest/metadata/{entity}/{version}", ["GET", "PUT", "DELETE"])
def one_version(entity: str, version: str) -> Any:
    method = request().method
    md = services().metadata
    if method == "GET":
        c = caller()
        meta = md.require(c.app.uuid, entity)
        if version not in meta.versions:
            meta.schema(version)  # raises the unknown-version error
        return json_response(meta.document(version))
    c = _writer()
    if method == "DELETE":
        if version != "default":
            raise InvalidInput("DELETE /metadata/{entity}/default clears the default version",
                               code="rest-metadata:UnsupportedOperation")
        meta = md.set_default(c.app.uuid, entity, None)
        return json_response({"entityInfo": meta.info, "versions": _versions(meta)})
    meta = md.create(c.app.uuid, entity, version, json_body(request(), default=None))
    return json_response(meta.document(version))


@view("/rest/metadata/{entity}/{version}/{action}", ["PUT", "POST"])
def change(entity: str, version: str, action: str) -> Any:
    c = _writer()
    md = services().metadata
    if action == "default":
        meta = md.set_default(c.app.uuid, entity, version)
    else:
        if request().method != "PUT":
            raise InvalidInput("status changes are PUT /metadata/{entity}/{version}/{status}",
                               code="rest-metadata:UnsupportedOperation")
        comment = (request().query_params or {}).get("comment")
        meta = md.set_status(c.app.uuid, entity, version, action, comment)
    return json_response(meta.document(version))
