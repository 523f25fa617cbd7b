"""Media: files attached to an object of a class, bytes in S3 (seed 003's Media API).

The seed's media URLs (`POST /1/{className}/`, `GET|DELETE /1/{className}/{objectId}/`) differ
from the object URLs only by a trailing slash, which API Gateway drops. The collision is
resolved so:

- `POST /1/{className}` with a JSON (or url-encoded) body creates an object. A body of any other
  content type (image/png, application/octet-stream...) is a file: it creates an object whose
  `media` array holds it, or, with `?objectId=...`, is added to that object's `media`. A
  `multipart/form-data` body creates an object from its text fields with its file parts as media
  (or adds them to `?objectId=`). The file name comes from `?name=` (or the part's filename).
- `GET /1/{className}/{objectId}` returns the object, `media` included (each File with a
  presigned `url`, valid 15 minutes): that is the seed's "Retrieving Media For Objects".
  `GET /1/{className}/{objectId}/media` lists just the files; `?name=x` redirects (302) to one.
- `DELETE /1/{className}/{objectId}/media` deletes every file of the object (or `?name=x` only)
  and leaves the object; `DELETE /1/{className}/{objectId}` deletes the object and its files.
  Why: the seed lists "Deleting Media For Objects" (`DELETE /1/<className>/<objectId>/`) and
  "Deleting Objects" (`DELETE /1/<className>/<objectId>`) on what is one URL once the slash is
  gone; a client deleting the object must not leave orphaned files behind (billed, and readable
  through a stale presigned URL), and in Parse deleting an object is the end of everything it
  holds. So that URL deletes both and answers as an object delete (`201`, `Location`,
  `{"objectId"}`); files alone go through `/media`. The seed's class-URL example (`DELETE
  /1/GameScore`) names no object: 400 with code 104 (objects.py), nothing deleted.

Keys are `<app uuid>/bea-media/<collection>/<objectId>/<name>` (core/files.py adds the app uuid
and refuses path traversal), so the Backendless file API sees them under `bea-media/`.
"""

from __future__ import annotations

import re
from typing import Any

from ...bootstrap import services
from ...core.errors import EntityNotFound
from ...core.files import safe_download_url
from ...core.ids import is_uuid, uuid7
from ...core.ports import Record
from ..parselike import errors
from ..parselike.codec import to_wire
from ..parselike.errors import ParseStyleError
from .common import Ctx, Out, Req, location, router

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\- ]{0,127}$")
URL_TTL_S = 900
FIELD = "media"


def _path(coll: str, oid: str, name: str) -> str:
    return f"bea-media/{coll}/{oid}/{name}"


def _name(raw: Any) -> str:
    name = str(raw or "file").rsplit("/", 1)[-1]
    if not NAME_RE.match(name):
        raise ParseStyleError(122, f"invalid file name: {name}")
    return name


def upload(ctx: Ctx, cls: str, coll: str, req: Req) -> Out:
    from .objects import create

    files = [(_name(req.params.get("name") if n == "file" and "name" in req.params else n), ct, data)
             for n, ct, data in req.files]
    if not files:
        raise ParseStyleError(errors.FILE_SAVE_ERROR, "no file in the request body")
    target = req.params.get("objectId")
    oid = target.lower() if isinstance(target, str) and is_uuid(target) else uuid7()
    if target is not None and not is_uuid(target):
        raise EntityNotFound("Object not found.")
    # Check first, write second: a refused upload must not have replaced anyone's file.
    data = ctx.data
    if target is not None:
        data.policy.check(ctx.app, ctx.principal, "update", coll, data.record(coll, oid))
    else:
        data.policy.check(ctx.app, ctx.principal, "create", coll)
    app_files = services().files()
    metas: list[dict[str, Any]] = []
    for name, ct, content in files:  # not `data`: that is the app's data above
        app_files.upload(ctx.app.uuid, _path(coll, oid, name), content, ct or "application/octet-stream", True)
        metas.append({"__type": "File", "name": name, "contentType": ct or "application/octet-stream",
                      "size": len(content)})

    def add(doc: dict[str, Any]) -> dict[str, Any]:
        kept = [m for m in doc.get(FIELD) or [] if isinstance(m, dict) and m.get("name") not in {x["name"] for x in metas}]
        return {**doc, FIELD: kept + metas}

    if target is not None:
        rec = ctx.data.update_record(coll, oid, {}, mutate=add)
        return Out(200, {"updatedAt": to_wire(rec)["updatedAt"], "objectId": oid, FIELD: with_urls(ctx, rec)})
    body = req.body if isinstance(req.body, dict) else {}
    out = create(ctx, cls, coll, body, extra={FIELD: metas}, uuid=oid)
    out.body[FIELD] = [dict(m, url=_url(ctx, coll, oid, m["name"], m["contentType"])) for m in metas]
    return out


def _url(ctx: Ctx, coll: str, oid: str, name: str, content_type: str | None = None) -> str:
    """A presigned GET; active content (HTML, SVG, scripts) comes back as a sandboxed download."""
    key = f"{ctx.app.uuid}/{_path(coll, oid, name)}"
    return safe_download_url(services().files().blobs, key, URL_TTL_S, content_type)


def with_urls(ctx: Ctx, rec: Record) -> list[dict[str, Any]]:
    media = rec.doc.get(FIELD)
    if not isinstance(media, list):
        return []
    return [dict(m, url=_url(ctx, rec.collection, rec.uuid, m["name"], m.get("contentType"))) for m in media
            if isinstance(m, dict) and m.get("__type") == "File" and isinstance(m.get("name"), str)]


@router
def media_route(ctx: Ctx, req: Req) -> Out | None:
    if len(req.parts) != 3 or req.parts[2] != FIELD:
        return None
    from .objects import class_collection

    cls, oid, _ = req.parts
    coll = class_collection(cls)
    if not is_uuid(oid):
        raise EntityNotFound("Object not found.")
    name = req.params.get("name")
    if req.method == "GET":
        rec = ctx.data.record(coll, oid)
        files = with_urls(ctx, rec)
        if name is not None:
            hit = next((f for f in files if f["name"] == name), None)
            if hit is None:
                raise ParseStyleError(errors.OBJECT_NOT_FOUND, f"no media named {name}", 404)
            return Out(302, None, {"Location": hit["url"]})
        return Out(200, {"results": files})
    if req.method == "DELETE":
        rec = ctx.data.record(coll, oid)
        names = [f["name"] for f in with_urls(ctx, rec) if name is None or f["name"] == name]
        if name is not None and not names:
            raise ParseStyleError(errors.OBJECT_NOT_FOUND, f"no media named {name}", 404)

        def drop(doc: dict[str, Any]) -> dict[str, Any]:
            left = [m for m in doc.get(FIELD) or [] if not (isinstance(m, dict) and m.get("name") in names)]
            out = dict(doc)
            if left:
                out[FIELD] = left
            else:
                out.pop(FIELD, None)
            return out

        ctx.data.update_record(coll, oid, {}, mutate=drop)
        delete_files(ctx, coll, oid, names)
        return Out(200, {"objectId": oid, "deleted": names}, {"Location": location(ctx, cls, oid)})
    return None


def delete_files(ctx: Ctx, coll: str, oid: str, names: list[str]) -> None:
    if names:
        services().files().blobs.delete([f"{ctx.app.uuid}/{_path(coll, oid, n)}" for n in names])
