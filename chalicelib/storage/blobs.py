"""S3 implementation of the BlobStore port. The client is built on first use (cold start)."""

from __future__ import annotations

import builtins
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..core.ports import BlobInfo, VersionConflict

_lock = threading.Lock()


class S3BlobStore:
    def __init__(self, bucket: str, region: str, endpoint: str | None) -> None:
        self.bucket, self.region, self.endpoint = bucket, region, endpoint
        self._client: Any = None

    @property
    def s3(self) -> Any:
        if self._client is None:
            with _lock:
                if self._client is None:
                    from .clients import client

                    self._client = client("s3", self.region, self.endpoint, signature_version="s3v4")
        return self._client

    def put(self, key: str, data: bytes, content_type: str, owner: str | None = None,
            if_absent: bool = False, if_match: str | None = None) -> None:
        """`if_absent`: `If-None-Match: *`, so of two creators of one new key S3 keeps the first;
        `if_match`: `If-Match: <etag>`, so an overwrite replaces only the version that was checked
        (not a file someone deleted and created again meanwhile). A failed condition (412
        PreconditionFailed, or 409 ConditionalRequestConflict while another write is in flight)
        is a VersionConflict."""
        extra: dict[str, Any] = {"Metadata": {"owner": owner}} if owner else {}
        with _conditioned(extra, if_absent, if_match):
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, **extra)

    def exists(self, key: str) -> bool:
        return self.head(key) is not None

    def head(self, key: str) -> dict[str, str] | None:
        """{"owner", "content_type", "etag"} of an object (owner "" when none), None when absent: one HEAD."""
        from botocore.exceptions import ClientError

        try:
            got = self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as e:
            if _absent(e):
                return None
            raise
        return _described(got)

    def list(self, prefix: str, recursive: bool, limit: int) -> list[BlobInfo]:
        out: list[BlobInfo] = []
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
        if not recursive:
            kwargs["Delimiter"] = "/"
        for page in self.s3.get_paginator("list_objects_v2").paginate(**kwargs):
            for p in page.get("CommonPrefixes") or []:
                out.append(BlobInfo(p["Prefix"], 0, 0, True))
            for o in page.get("Contents") or []:
                out.append(BlobInfo(o["Key"], int(o["Size"]), int(o["LastModified"].timestamp() * 1000)))
            if len(out) >= limit:
                break
        return out[:limit]

    def list_page(self, prefix: str, start_after: str, limit: int) -> builtins.list[BlobInfo]:
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix, "MaxKeys": max(1, min(limit, 1000))}
        if start_after:
            kwargs["StartAfter"] = start_after
        page = self.s3.list_objects_v2(**kwargs)
        return [BlobInfo(o["Key"], int(o["Size"]), int(o["LastModified"].timestamp() * 1000))
                for o in page.get("Contents") or []]

    def read(self, key: str) -> tuple[bytes, dict[str, str]] | None:
        from botocore.exceptions import ClientError

        try:
            obj = self.s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as e:
            if _absent(e):
                return None
            raise
        return obj["Body"].read(), _described(obj)

    def delete(self, keys: Sequence[str]) -> None:
        for i in range(0, len(keys), 1000):
            chunk = [{"Key": k} for k in keys[i: i + 1000]]
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True})

    def copy(self, src: str, dst: str, owner: str | None = None, if_absent: bool = False,
             if_match: str | None = None) -> None:
        """The copy belongs to `owner` (its writer), not to the source's owner; the target is
        conditioned as in `put` (S3's CopyObject takes both conditions)."""
        head = self.head(src) or {"content_type": "application/octet-stream"}
        extra: dict[str, Any] = {"Metadata": {"owner": owner} if owner else {}}
        with _conditioned(extra, if_absent, if_match):
            self.s3.copy_object(Bucket=self.bucket, Key=dst, CopySource={"Bucket": self.bucket, "Key": src},
                                MetadataDirective="REPLACE", ContentType=head["content_type"], **extra)

    def download_url(self, key: str, expires_s: int, content_type: str | None = None,
                     disposition: str | None = None) -> str:
        """A presigned GET; `content_type`/`disposition` override what S3 answers with (its
        response-content-* parameters), so active content is served as a download."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if content_type:
            params["ResponseContentType"] = content_type
        if disposition:
            params["ResponseContentDisposition"] = disposition
        return str(self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_s))

    def upload_url(self, key: str, expires_s: int, content_type: str, owner: str | None = None,
                   if_absent: bool = False, if_match: str | None = None) -> str:
        """A presigned PUT; with an owner, the client must send `x-amz-meta-owner: <owner>`, with
        `if_absent` `If-None-Match: *`, with `if_match` `If-Match: <etag>` (all signed): S3 then
        refuses it (412) once the key exists, or once the checked version is gone."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "ContentType": content_type}
        if owner:
            params["Metadata"] = {"owner": owner}
        if if_absent:
            params["IfNoneMatch"] = "*"
        if if_match:
            params["IfMatch"] = if_match
        return str(self.s3.generate_presigned_url("put_object", Params=params, ExpiresIn=expires_s))

    def get(self, key: str) -> tuple[bytes, str] | None:
        from botocore.exceptions import ClientError

        try:
            obj = self.s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as e:
            if _absent(e):
                return None
            raise
        return obj["Body"].read(), str(obj.get("ContentType") or "application/octet-stream")


@contextmanager
def _conditioned(params: dict[str, Any], if_absent: bool, if_match: str | None) -> Iterator[None]:
    """Adds the write's condition to `params` and turns S3's refusal of it into VersionConflict."""
    from botocore.exceptions import ClientError

    if if_absent:
        params["IfNoneMatch"] = "*"
    if if_match:
        params["IfMatch"] = if_match
    try:
        yield
    except ClientError as e:
        if (if_absent or if_match) and e.response.get("Error", {}).get("Code") in (
                "PreconditionFailed", "ConditionalRequestConflict", "412", "409"):
            raise VersionConflict() from e
        if if_match and _absent(e):  # the checked version was deleted meanwhile
            raise VersionConflict() from e
        raise


def _absent(e: Any) -> bool:
    """A ClientError that means "no such object" (S3 says it three ways)."""
    return e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


def _described(obj: dict[str, Any]) -> dict[str, str]:
    """An object's owner ("" when none), content type and ETag, from a HEAD or GET answer."""
    return {"owner": str((obj.get("Metadata") or {}).get("owner") or ""),
            "content_type": str(obj.get("ContentType") or "application/octet-stream"),
            "etag": str(obj.get("ETag") or "")}
