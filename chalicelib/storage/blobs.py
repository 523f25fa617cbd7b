"""S3 implementation of the BlobStore port. The client is built on first use (cold start)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from ..core.ports import BlobInfo

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

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

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

    def delete(self, keys: Sequence[str]) -> None:
        for i in range(0, len(keys), 1000):
            chunk = [{"Key": k} for k in keys[i: i + 1000]]
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True})

    def copy(self, src: str, dst: str) -> None:
        self.s3.copy_object(Bucket=self.bucket, Key=dst, CopySource={"Bucket": self.bucket, "Key": src})

    def download_url(self, key: str, expires_s: int) -> str:
        return str(self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                                  ExpiresIn=expires_s))

    def upload_url(self, key: str, expires_s: int, content_type: str) -> str:
        return str(self.s3.generate_presigned_url(
            "put_object", Params={"Bucket": self.bucket, "Key": key, "ContentType": content_type},
            ExpiresIn=expires_s))

    def get(self, key: str) -> tuple[bytes, str] | None:
        from botocore.exceptions import ClientError

        try:
            obj = self.s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return obj["Body"].read(), str(obj.get("ContentType") or "application/octet-stream")
