"""Hosted files per app on a blob store (S3), addressed by relative paths.

Every key is `<app uuid>/<path>`: a path is checked segment by segment (no `..`, no absolute
paths, no empty or control-character segments), so no request can reach another app's prefix.
Directories are implicit (any prefix) plus an empty `<dir>/` marker when created explicitly.
Bytes never pass through here for big uploads: `upload_url` hands out a presigned PUT.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from .errors import Conflict, InvalidInput, NotFound, TooLarge
from .ports import BlobInfo, BlobStore

MAX_DEPTH = 16
_SEGMENT_RE = re.compile(r"^[^\x00-\x1f\\]{1,255}$")
URL_TTL_S = 900
MAX_INLINE_BYTES = 6_000_000  # what a Lambda request can carry; bigger files go via upload_url


class FileNotFound(NotFound):
    default_message = "file or directory not found"


class FileExists(Conflict):
    default_message = "file already exists"


def clean_path(path: str, allow_root: bool = False) -> str:
    """Normalized relative path ("a/b.txt"), or InvalidInput for traversal and odd segments."""
    if not isinstance(path, str):
        raise InvalidInput("path must be a string")
    raw = path.strip()
    if raw.startswith("/") and not allow_root:
        raw = raw.lstrip("/")  # SDKs send "/dir/file" for rename/copy/move: relative to the app root
    parts = [p for p in raw.split("/") if p != ""]
    if not parts and not allow_root:
        raise InvalidInput("a file path is required")
    if len(parts) > MAX_DEPTH:
        raise InvalidInput(f"paths stop at {MAX_DEPTH} segments")
    for p in parts:
        if p in (".", "..") or not _SEGMENT_RE.match(p) or ":" in p and p.endswith(":"):
            raise InvalidInput(f"invalid path segment: {p!r}")
    return "/".join(parts)


class Files:
    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs

    def _key(self, app: str, path: str) -> str:
        return f"{app}/{clean_path(path)}"

    def upload(self, app: str, path: str, data: bytes, content_type: str, overwrite: bool) -> str:
        if len(data) > MAX_INLINE_BYTES:
            raise TooLarge("file too big for a direct upload: ask for an upload URL")
        key = self._key(app, path)
        if not overwrite and self.blobs.exists(key):
            raise FileExists(f"file {clean_path(path)} already exists")
        self.blobs.put(key, data, content_type or "application/octet-stream")
        return clean_path(path)

    def create_directory(self, app: str, path: str) -> None:
        self.blobs.put(self._key(app, path) + "/", b"", "application/x-directory")

    def exists(self, app: str, path: str) -> bool:
        key = self._key(app, path)
        return self.blobs.exists(key) or bool(self.blobs.list(key + "/", True, 1))

    def download_url(self, app: str, path: str) -> str:
        key = self._key(app, path)
        if not self.blobs.exists(key):
            raise FileNotFound(f"file {clean_path(path)} not found")
        return self.blobs.download_url(key, URL_TTL_S)

    def upload_url(self, app: str, path: str, content_type: str) -> dict[str, Any]:
        key = self._key(app, path)
        return {"uploadURL": self.blobs.upload_url(key, URL_TTL_S, content_type or "application/octet-stream"),
                "method": "PUT", "headers": {"Content-Type": content_type or "application/octet-stream"},
                "expiresIn": URL_TTL_S, "path": clean_path(path)}

    def listing(self, app: str, path: str, pattern: str = "*", sub: bool = False,
                limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        base = clean_path(path, allow_root=True)
        prefix = f"{app}/{base}/" if base else f"{app}/"
        found = [b for b in self.blobs.list(prefix, sub, offset + limit + 1000) if b.key != prefix]
        out = [self._entry(app, b) for b in found if fnmatch.fnmatchcase(self._name(b), pattern or "*")]
        return out[offset: offset + limit]

    def count(self, app: str, path: str, pattern: str = "*", sub: bool = False, dirs: bool = False) -> int:
        items = self.listing(app, path, pattern, sub, limit=100_000)
        return sum(1 for i in items if dirs or not i["isDirectory"])

    def delete(self, app: str, path: str) -> int:
        key = self._key(app, path)
        keys = [b.key for b in self.blobs.list(key + "/", True, 100_000)]
        if self.blobs.exists(key):
            keys.append(key)
        if not keys:
            raise FileNotFound(f"file or directory {clean_path(path)} not found")
        self.blobs.delete(keys)
        return len(keys)

    def copy(self, app: str, src: str, dst: str, move: bool = False) -> str:
        """Copy (or move) a file or a whole directory; `dst` is the target directory."""
        skey, target = self._key(app, src), clean_path(dst, allow_root=True)
        name = clean_path(src).rsplit("/", 1)[-1]
        dest = f"{app}/{target}/{name}" if target else f"{app}/{name}"
        return self._transfer(app, skey, dest, move)

    def rename(self, app: str, old: str, new_name: str) -> str:
        if "/" in new_name or not new_name:
            raise InvalidInput("newName must be a file or directory name, not a path")
        clean = clean_path(old)
        parent = clean.rsplit("/", 1)[0] if "/" in clean else ""
        dest = self._key(app, f"{parent}/{new_name}" if parent else new_name)
        return self._transfer(app, self._key(app, old), dest, True)

    def _transfer(self, app: str, skey: str, dkey: str, move: bool) -> str:
        pairs = [(b.key, dkey + b.key[len(skey):]) for b in self.blobs.list(skey + "/", True, 100_000)]
        if self.blobs.exists(skey):
            pairs.append((skey, dkey))
        if not pairs:
            raise FileNotFound(f"{skey.split('/', 1)[1]} not found")
        for s, d in pairs:
            self.blobs.copy(s, d)
        if move:
            self.blobs.delete([s for s, _ in pairs])
        return dkey.split("/", 1)[1]

    @staticmethod
    def _name(b: BlobInfo) -> str:
        return b.key.rstrip("/").rsplit("/", 1)[-1]

    def _entry(self, app: str, b: BlobInfo) -> dict[str, Any]:
        rel = b.key[len(app) + 1:].rstrip("/")
        return {"name": self._name(b), "path": rel, "size": b.size, "createdOn": b.modified_ms,
                "isDirectory": b.is_dir or b.key.endswith("/")}
