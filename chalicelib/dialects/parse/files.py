"""Files: `POST /files/{name}` (the three upload forms), `GET /files/{appId}/{name}` (public),
`DELETE /files/{name}` (master key).

Uploads: a body-key JSON body `{"base64", "_ContentType", "fileData"}` (browsers), or the raw
bytes with X-Parse-* headers and the file's Content-Type (node's `X-Parse-Upload-Mode: stream`,
REST clients). Each file is stored as `<app uuid>/parse-files/<32 hex>_<name>` in S3 and answered
`201 {"name", "url"}` with `url` = `.../parse/files/<appId>/<name>`; that URL answers a 302 to a
presigned S3 GET (15 minutes), so downloads never pass through Lambda, whatever their size.
Files bigger than a Lambda request (6 MB) go around Lambda too: `POST /files/{name}` with the
body-key / JSON body `{"_UploadMode": "presigned", "_ContentType": ...}` (our extension, no Parse
SDK sends it) answers `{"name", "url", "uploadURL", "method": "PUT", "headers"}`; the client PUTs
the bytes there. As Parse Server 9 by default, uploads need a session or the master key (130).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets

from ...bootstrap import services
from ...core.errors import InvalidInput, NotFound
from ...core.ids import is_uuid
from ...core.tenancy import App
from ..parselike import errors as pe
from .common import Ctx, Out, Req, caller, require_master, route
from .errors import INVALID_FILE_NAME, ParseError, Refused

NAME_RE = re.compile(r"^[_a-zA-Z0-9][a-zA-Z0-9@. ~_\-$]{0,127}$")
STORED_RE = re.compile(r"^[0-9a-f]{32}_[_a-zA-Z0-9][a-zA-Z0-9@. ~_\-$]{0,127}$")
DIR = "parse-files"


def _path(name: str) -> str:
    return f"{DIR}/{name}"


def file_url(ctx: Ctx, name: str) -> str:
    return f"{ctx.base}/files/{ctx.app.uuid}/{name}"


@route("files", keys=False)
def files(_: None, req: Req) -> Out:
    if req.method == "GET" and len(req.parts) == 2:
        return download(req.parts[0], req.parts[1])
    ctx = caller(req.keys)
    if len(req.parts) != 1:
        raise Refused("unknown route", 404)
    name = req.parts[0]
    if req.method == "POST":
        return upload(ctx, req, name)
    if req.method == "DELETE":
        require_master(ctx)
        if not STORED_RE.match(name):
            raise ParseError(INVALID_FILE_NAME, "Filename contains invalid characters.")
        try:
            services().files().delete(ctx.app.uuid, _path(name))
        except NotFound:
            raise ParseError(153, "Could not delete file.") from None
        return Out(200, {})
    raise ParseError(pe.INVALID_JSON, f"{req.method} is not supported on files")


def upload(ctx: Ctx, req: Req, name: str) -> Out:
    if not ctx.master and ctx.user_id is None:
        raise ParseError(pe.FILE_SAVE_ERROR, "File upload by public is disabled.")
    if not NAME_RE.match(name):
        raise ParseError(INVALID_FILE_NAME, "Filename contains invalid characters.")
    stored = f"{secrets.token_hex(16)}_{name}"
    fields = req.body if isinstance(req.body, dict) else None
    if req.body_keys or (fields is not None and ("base64" in fields or "_UploadMode" in fields)):
        fields = fields or {}
        ct = req.params.get("_ContentType") or fields.get("_ContentType") or "application/octet-stream"
        if not isinstance(ct, str):
            raise ParseError(pe.INVALID_JSON, "_ContentType must be a string")
        if fields.get("_UploadMode") == "presigned":
            grant = services().files().upload_url(ctx.app.uuid, _path(stored), ct)
            return Out(201, {"name": stored, "url": file_url(ctx, stored), "uploadURL": grant["uploadURL"],
                             "method": "PUT", "headers": grant["headers"], "expiresIn": grant["expiresIn"]})
        b64 = fields.get("base64")
        if not isinstance(b64, str):
            raise ParseError(pe.FILE_SAVE_ERROR, "base64 file data is required")
        try:
            data = base64.b64decode(b64.split(",", 1)[-1] if b64.startswith("data:") else b64, validate=True)
        except (binascii.Error, ValueError):
            raise ParseError(pe.FILE_SAVE_ERROR, "base64 file data is invalid") from None
    else:
        data = req.raw
        ct = req.content_type or "application/octet-stream"
    if not data:
        raise ParseError(pe.FILE_SAVE_ERROR, "Invalid file upload.")
    try:
        services().files().upload(ctx.app.uuid, _path(stored), data, ct, True)
    except InvalidInput as e:
        raise ParseError(pe.FILE_SAVE_ERROR, e.message) from None
    return Out(201, {"name": stored, "url": file_url(ctx, stored)}, {"Location": file_url(ctx, stored)})


def download(app_id: str, name: str) -> Out:
    """Public, as Parse's file URLs: the unguessable 128-bit prefix is the capability."""
    if not is_uuid(app_id) or not STORED_RE.match(name):
        raise Refused("File not found.", 404)
    try:
        app: App = services().tenancy.app_by_uuid(app_id)
        url = services().files().download_url(app.uuid, _path(name))
    except NotFound:
        raise Refused("File not found.", 404) from None
    return Out(302, None, {"Location": url, "Cache-Control": "private, max-age=600"})
