"""Usergrid assets: binary data attached to an entity, kept in S3 beside the app's files.

The bytes live at `<app>/assets/<collection>/<uuid>`; the entity carries `file-metadata`
(content type, length, MD5 checksum, last modified). Bodies up to the request limit pass
through the Lambda; bigger ones go straight to S3 with a presigned PUT the API hands out,
and downloads over INLINE_MAX answer with a redirect to a presigned GET.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .data import AppData
from .errors import NotFound
from .files import safe_download_url
from .ids import now_ms
from .ports import BlobStore

INLINE_MAX = 5 * 1024 * 1024  # API Gateway + Lambda answers stop near 6 MB
URL_TTL_S = 900


def key(app: str, collection: str, uuid: str) -> str:
    return f"{app}/assets/{collection}/{uuid}"


class Assets:
    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs

    def attach(self, data: AppData, collection: str, ident: str, body: bytes, content_type: str) -> dict[str, Any]:
        rec = data.record(collection, ident)
        data.policy.check(data.app, data.principal, "update", collection, rec)
        self.blobs.put(key(data.app.uuid, collection, rec.uuid), body, content_type)
        meta = {"content-type": content_type, "content-length": len(body),
                "checksum": hashlib.md5(body).hexdigest(), "last-modified": now_ms()}  # noqa: S324 - an ETag, not security
        return data.update(collection, rec.uuid, {"file-metadata": meta})

    def upload_url(self, data: AppData, collection: str, ident: str, content_type: str) -> dict[str, Any]:
        rec = data.record(collection, ident)
        data.policy.check(data.app, data.principal, "update", collection, rec)
        url = self.blobs.upload_url(key(data.app.uuid, collection, rec.uuid), URL_TTL_S, content_type)
        data.update(collection, rec.uuid, {"file-metadata": {"content-type": content_type, "last-modified": now_ms(),
                                                              "uploaded-directly": True}})
        return {"upload_url": url, "method": "PUT", "content-type": content_type, "expires_in": URL_TTL_S}

    def fetch(self, data: AppData, collection: str, ident: str) -> tuple[bytes, str] | str:
        """The bytes and content type, or a presigned URL for large assets."""
        rec = data.record(collection, ident)
        meta = rec.doc.get("file-metadata")
        if not isinstance(meta, dict):
            raise NotFound(f"{collection}/{ident} has no asset")
        k = key(data.app.uuid, collection, rec.uuid)
        if meta.get("uploaded-directly") or int(meta.get("content-length") or 0) > INLINE_MAX:
            return safe_download_url(self.blobs, k, URL_TTL_S, str(meta.get("content-type") or ""))
        got = self.blobs.get(k)
        if got is None:
            raise NotFound(f"{collection}/{ident} has no asset")
        return got
