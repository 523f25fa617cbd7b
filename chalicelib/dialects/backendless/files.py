"""Backendless Files on S3 (keys `<app uuid>/<path>`).

Chalice has no greedy path parameter, so `/files/{p1}` ... `/files/{p1}/.../{pDEPTH}` are
registered in a loop and joined back into one path. GET answers with a 302 to a presigned S3
URL (bytes never pass through the Lambda); uploads over ~6 MB use `POST /files/upload-url/...`
to get a presigned PUT and send the bytes straight to S3.
"""

from __future__ import annotations

import base64
import binascii
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from chalice import Response

from ...bootstrap import services
from ...core import validate
from ...core.errors import InvalidInput
from ..http import base_url, json_body, raw_body
from . import models
from .common import Ctx, ok, query_param, request, route

DEPTH = 8


def _files(ctx: Ctx) -> Any:
    """The app's free-standing files as this caller may use them (core/files.AppFiles decides)."""
    return services().app_files(ctx.app, ctx.principal)


def _path(params: dict[str, str]) -> str:
    return "/".join(params[f"p{i}"] for i in range(1, DEPTH + 1) if f"p{i}" in params)


def _flag(name: str) -> bool:
    return str(query_param(name, "false")).lower() in ("true", "1", "yes")


def file_url(ctx: Ctx, path: str) -> str:
    return f"{base_url(request(), '/backendless')}/{ctx.app.uuid}/{ctx.rest_key}/files/{path}"


def _multipart_file() -> tuple[bytes, str]:
    ctype = request().headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        raise InvalidInput("upload a multipart/form-data body with a part named 'file'")
    msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw_body(request()))
    for part in msg.iter_parts() if msg.is_multipart() else []:
        if part.get_param("name", header="content-disposition") == "file":
            data = part.get_payload(decode=True)
            if not isinstance(data, bytes):  # None when the part is itself multipart
                raise InvalidInput("the part named 'file' must hold the file's bytes")
            return data, part.get_content_type() or "application/octet-stream"
    raise InvalidInput("the multipart body has no part named 'file'")


def _dir_post(ctx: Ctx, path: str) -> Any:
    if request().path.endswith("/") or not raw_body(request()).strip():
        _files(ctx).create_directory(path)
        return Response(body="", status_code=200)
    return None


def file_view(ctx: Ctx, **params: str) -> Any:
    path, method = _path(params), request().method
    if method == "POST":
        ctype = request().headers.get("content-type", "")
        if not ctype.lower().startswith("multipart/"):
            made = _dir_post(ctx, path)
            if made is not None:
                return made
        data, content_type = _multipart_file()
        saved = _files(ctx).upload(path, data, content_type, _flag("overwrite"))
        return ok({"fileURL": file_url(ctx, saved)})
    if method == "DELETE":
        _files(ctx).delete(path)
        return Response(body="", status_code=200)
    action = query_param("action")
    if action == "exists":
        return ok(_files(ctx).exists(path))
    if action == "count":
        return ok(_files(ctx).count(path, query_param("pattern", "*"), _flag("sub"),
                                 _flag("countDirectories")))
    if query_param("pattern") is not None or query_param("sub") is not None or request().path.endswith("/") \
            or not _files(ctx).exists(path) or _files(ctx).is_dir(path):
        return _list(ctx, path)
    return Response(body="", status_code=302, headers={"Location": _files(ctx).download_url(path)})


def _list(ctx: Ctx, path: str) -> Any:
    size = min(validate.integer(query_param("pagesize", None), "pagesize", 100, 1, 10**9), 1000)  # over 1,000: a full page
    offset = validate.integer(query_param("offset", None), "offset", 0, 0, 1_000_000)
    items = _files(ctx).listing(path, query_param("pattern", "*"), _flag("sub"), size, offset)
    if not items and not _files(ctx).exists(path):
        from ...core.files import FileNotFound

        raise FileNotFound(f"file or directory {path} not found")
    for i in items:
        i["publicUrl"] = i["url"] = file_url(ctx, i["path"])
    return ok(items)


def binary_view(ctx: Ctx, **params: str) -> Any:
    path = _path(params)
    if request().method != "PUT":
        return file_view(ctx, **{"p1": "binary", **{f"p{i + 1}": v for i, v in enumerate(path.split("/"))}})
    try:
        data = base64.b64decode(raw_body(request()).strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("the body must be base64") from None
    saved = _files(ctx).upload(path, data, "application/octet-stream", _flag("overwrite"))
    return ok(file_url(ctx, saved))


def upload_url_view(ctx: Ctx, **params: str) -> Any:
    """A presigned S3 PUT for files too big for a Lambda request (over ~6 MB)."""
    body = json_body(request(), {}) or {}
    ctype = body.get("contentType") if isinstance(body, dict) else None
    got = _files(ctx).upload_url(_path(params), str(ctype or "application/octet-stream"))
    return ok({**got, "fileURL": file_url(ctx, got["path"])})


def _transfer(kind: str) -> Any:
    def view(ctx: Ctx) -> Any:
        body = json_body(request())
        if not isinstance(body, dict):
            raise InvalidInput("expected a JSON object")
        f = _files(ctx)
        if kind == "rename":
            new = f.rename(str(body.get("oldPathName") or ""), str(body.get("newName") or ""))
        else:
            new = f.copy(str(body.get("sourcePath") or ""), str(body.get("targetPath") or ""), move=kind == "move")
        return ok(file_url(ctx, new))

    return view


route("/files/rename", models.TRANSFER, PUT=_transfer("rename"))
route("/files/copy", models.TRANSFER, PUT=_transfer("copy"))
route("/files/move", models.TRANSFER, PUT=_transfer("move"))
for depth in range(1, DEPTH + 1):
    segs = "".join(f"/{{p{i}}}" for i in range(1, depth + 1))
    route("/files" + segs, models.FILE, GET=file_view, POST=file_view, DELETE=file_view)
    route("/files/binary" + segs, models.BINARY, PUT=binary_view, GET=binary_view, POST=binary_view, DELETE=binary_view)
    route("/files/upload-url" + segs, models.UPLOAD_URL, POST=upload_url_view)
