"""Hosted files per app on a blob store (S3), addressed by relative paths.

Every key is `<app uuid>/<path>`: a path is checked segment by segment (no `..`, no absolute
paths, no empty or control-character segments), so no request can reach another app's prefix.
Directories are implicit (any prefix) plus an empty `<dir>/` marker when created explicitly.
Bytes never pass through here for big uploads: `upload_url` hands out a presigned PUT.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Protocol

from .auth import Principal
from .errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from .ports import BlobInfo, BlobStore, VersionConflict
from .tenancy import App

MAX_DEPTH = 16
_SEGMENT_RE = re.compile(r"^[^\x00-\x1f\\]{1,255}$")
URL_TTL_S = 900
MAX_INLINE_BYTES = 6_000_000  # what a Lambda request can carry; bigger files go via upload_url


class FileNotFound(NotFound):
    default_message = "file or directory not found"


class FileChanged(Conflict):
    default_message = "the file was changed by another request meanwhile: try again"


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
        try:  # without overwrite, a conditional create: no HEAD first, no race with another creator
            self.blobs.put(key, data, content_type or "application/octet-stream", if_absent=not overwrite)
        except VersionConflict:
            raise FileExists(f"file {clean_path(path)} already exists") from None
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

    def _transfer(self, app: str, skey: str, dkey: str, move: bool, owner: str | None = None,
                  expected: dict[str, str] | None = None) -> str:
        """Copy (then delete, for a move) every key under `skey`. `expected` maps target keys to the
        ETag that was checked ("" for a target that was absent): each copy lands only on that
        version, so a file created, replaced or recreated meanwhile by someone else is never
        overwritten blindly (FileChanged; the sources stay, so a move loses nothing). With
        `expected`, only the files it names are copied or moved: one added since the check (its
        target, its owner unchecked) is left where it is."""
        pairs = [(b.key, dkey + b.key[len(skey):]) for b in self.blobs.list(skey + "/", True, 100_000)]
        if self.blobs.exists(skey):
            pairs.append((skey, dkey))
        if not pairs:
            raise FileNotFound(f"{skey.split('/', 1)[1]} not found")
        if expected is not None:  # a source that appeared after the check (its target unchecked) stays put
            pairs = [(s, d) for s, d in pairs if d in expected]
        for s, d in pairs:
            if expected is None:
                self.blobs.copy(s, d, owner)
                continue
            try:
                self.blobs.copy(s, d, owner, if_absent=not expected[d], if_match=expected[d] or None)
            except VersionConflict:
                raise FileChanged(f"{d.split('/', 1)[1]} was changed by another request meanwhile") from None
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


# -- who may touch which file ------------------------------------------------------------------
# Prefixes of files that belong to an entity (their entity's rules decide), to another dialect's
# file API with rules of its own (Parse files: deleted only with the master key), or to the
# server: the free-standing file API never reaches them, whatever the caller.
RESERVED = ("bea-media", "assets", "parse-files", "_tasks")
# Content a browser would run (scripts, markup) if served inline from our origin or the bucket's.
_ACTIVE = ("text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
           "text/javascript", "application/javascript", "application/ecmascript", "text/ecmascript",
           "application/x-javascript", "text/xsl", "application/pdf", "multipart/x-mixed-replace")
SANDBOX_CSP = "sandbox; default-src 'none'"
MAX_CHECKED = 1000  # files a non-privileged directory operation may touch (one HEAD each)


def is_active(content_type: str | None) -> bool:
    """True for types a browser executes or renders with scripts (HTML, SVG, XML, JS...), and for
    no type at all (a browser would sniff it)."""
    base = (content_type or "").split(";")[0].strip().lower()
    return not base or base in _ACTIVE or base.endswith(("+xml", "/xml")) or "script" in base


def serving_headers(content_type: str | None) -> dict[str, str]:
    """Headers for serving user-uploaded bytes from our origin: active types keep their type (the
    client asked for it) but come as attachments under a CSP sandbox, so nothing in them runs."""
    ctype = content_type or "application/octet-stream"
    if is_active(content_type):
        return {"Content-Type": ctype, "Content-Disposition": "attachment", "Content-Security-Policy": SANDBOX_CSP}
    return {"Content-Type": ctype}


def safe_download_url(blobs: BlobStore, key: str, expires_s: int, content_type: str | None) -> str:
    """A presigned GET that S3 answers as an attachment when the content is active. S3 cannot add a
    CSP to its answer, so the type is also replaced by application/octet-stream: nothing renders."""
    if is_active(content_type):
        return blobs.download_url(key, expires_s, "application/octet-stream", "attachment")
    return blobs.download_url(key, expires_s)


class ResourcePolicy(Protocol):
    def sees_everything(self, app: App, principal: Principal) -> bool: ...

    def require(self, app: App, principal: Principal, path: str, verb: str) -> None: ...


class AppFiles:
    """The free-standing files of one app as one caller may use them (Backendless Files API).

    Path rules: `get|post|put|delete:/_/files/<path>` permissions of the caller's roles (post
    creates, put overwrites). Owners: a file written by a user carries that user's uuid in its S3
    object metadata (`x-amz-meta-owner`), so the check costs the HEAD that the write does anyway
    and no second store can disagree with S3; only that user or a privileged caller (app
    credentials, org admins, master key) overwrites, moves or deletes it. Files written with the
    key alone or by a privileged caller have no owner. Entity-attached files (RESERVED) are out
    of reach: their entity's rules apply through the dialect that attaches them.
    """

    def __init__(self, files: Files, app: App, principal: Principal, policy: ResourcePolicy) -> None:
        self.files, self.blobs, self.app, self.principal, self.policy = files, files.blobs, app, principal, policy
        self.privileged = policy.sees_everything(app, principal)
        self.owner = principal.subject if principal.kind == "user" and not self.privileged else None

    def _path(self, path: str, allow_root: bool = False) -> str:
        clean = clean_path(path, allow_root)
        if clean and clean.split("/", 1)[0].lower() in RESERVED:
            raise Forbidden(f"{clean.split('/', 1)[0]}/ holds files attached to entities: use their own API")
        return clean

    def _require(self, path: str, verb: str) -> None:
        from .permissions import resource_path

        self.policy.require(self.app, self.principal, resource_path("files", path), verb)

    def _may_change(self, key: str, head: dict[str, str] | None = None) -> None:
        head = head if head is not None else self.blobs.head(key)
        if head and head.get("owner") and not self.privileged and head["owner"] != self.owner:
            raise Forbidden(f"{key.split('/', 1)[1]} belongs to another user")

    def _keys_under(self, key: str) -> list[str]:
        keys = [b.key for b in self.blobs.list(key + "/", True, 100_000)]
        if not self.privileged and len(keys) > MAX_CHECKED:
            raise TooLarge(f"more than {MAX_CHECKED} files: ask with app credentials")
        return keys

    def upload(self, path: str, data: bytes, content_type: str, overwrite: bool) -> str:
        """A new path is created conditionally (S3 `If-None-Match: *`): of two creators at the same
        moment the first keeps the file and the other is answered as if he came later (the file
        exists; an overwrite is checked against the winner's file), never the last writer winning."""
        clean = self._path(path)
        self._require(clean, "post")
        if len(data) > MAX_INLINE_BYTES:
            raise TooLarge("file too big for a direct upload: ask for an upload URL")
        key, ctype = f"{self.app.uuid}/{clean}", content_type or "application/octet-stream"
        head = self.blobs.head(key)
        if head is None:
            try:
                self.blobs.put(key, data, ctype, self.owner, if_absent=True)
                return clean
            except VersionConflict:  # created meanwhile: decide against the file that won
                head = self.blobs.head(key)
                if head is None:  # and deleted again since: no file to keep, none to overwrite
                    raise FileExists(f"file {clean} was being written by another request") from None
        if not overwrite:
            raise FileExists(f"file {clean} already exists")
        self._require(clean, "put")
        self._may_change(key, head)
        owner = head.get("owner") or self.owner  # an overwrite keeps the file's owner
        try:  # replaces the version that was checked, not one recreated meanwhile by someone else
            self.blobs.put(key, data, ctype, owner, if_match=head.get("etag") or None)
        except VersionConflict:
            raise FileChanged(f"file {clean} was changed by another request meanwhile") from None
        return clean

    def upload_url(self, path: str, content_type: str) -> dict[str, Any]:
        clean = self._path(path)
        self._require(clean, "post")
        key = f"{self.app.uuid}/{clean}"
        head = self.blobs.head(key)
        if head is not None:
            self._require(clean, "put")
            self._may_change(key, head)
        ctype = content_type or "application/octet-stream"
        owner = (head or {}).get("owner") or self.owner
        headers = {"Content-Type": ctype, **({"x-amz-meta-owner": owner} if owner else {})}
        etag = (head or {}).get("etag") or None
        if head is None:  # a new path stays a creation: a file someone made meanwhile is not replaced
            headers["If-None-Match"] = "*"
        elif etag:  # an overwrite replaces the version checked here, not one recreated meanwhile
            headers["If-Match"] = etag
        url = self.blobs.upload_url(key, URL_TTL_S, ctype, owner, if_absent=head is None, if_match=etag)
        return {"uploadURL": url, "method": "PUT", "headers": headers, "expiresIn": URL_TTL_S, "path": clean}

    def create_directory(self, path: str) -> None:
        clean = self._path(path)
        self._require(clean, "post")
        self.files.create_directory(self.app.uuid, clean)

    def exists(self, path: str) -> bool:
        clean = self._path(path)
        self._require(clean, "get")
        return self.files.exists(self.app.uuid, clean)

    def is_dir(self, path: str) -> bool:
        clean = self._path(path)
        self._require(clean, "get")
        return bool(self.files.listing(self.app.uuid, clean, limit=1, sub=True))

    def download_url(self, path: str) -> str:
        clean = self._path(path)
        self._require(clean, "get")
        key = f"{self.app.uuid}/{clean}"
        head = self.blobs.head(key)
        if head is None:
            raise FileNotFound(f"file {clean} not found")
        return safe_download_url(self.blobs, key, URL_TTL_S, head.get("content_type"))

    def listing(self, path: str, pattern: str = "*", sub: bool = False, limit: int = 100,
                offset: int = 0) -> list[dict[str, Any]]:
        clean = self._path(path, allow_root=True)
        self._require(clean, "get")
        if clean:
            return self.files.listing(self.app.uuid, clean, pattern, sub, limit, offset)
        got = self.files.listing(self.app.uuid, clean, pattern, sub, limit + offset + 100, 0)
        return [i for i in got if i["path"].split("/", 1)[0].lower() not in RESERVED][offset: offset + limit]

    def count(self, path: str, pattern: str = "*", sub: bool = False, dirs: bool = False) -> int:
        items = self.listing(path, pattern, sub, limit=100_000)
        return sum(1 for i in items if dirs or not i["isDirectory"])

    def delete(self, path: str) -> int:
        clean = self._path(path)
        self._require(clean, "delete")
        key = f"{self.app.uuid}/{clean}"
        if not self.privileged:
            for k in self._keys_under(key) + [key]:
                self._may_change(k)
        return self.files.delete(self.app.uuid, clean)

    def copy(self, src: str, dst: str, move: bool = False) -> str:
        s, d = self._path(src), self._path(dst, allow_root=True)
        name = s.rsplit("/", 1)[-1]
        return self._transfer(s, f"{d}/{name}" if d else name, move)

    def rename(self, old: str, new_name: str) -> str:
        if "/" in new_name or not new_name:
            raise InvalidInput("newName must be a file or directory name, not a path")
        s = self._path(old)
        parent = s.rsplit("/", 1)[0] if "/" in s else ""
        return self._transfer(s, f"{parent}/{new_name}" if parent else new_name, True)

    def _transfer(self, src: str, dst: str, move: bool) -> str:
        """Check every source (read; delete and owner when moving) and every target (create;
        overwrite and owner when it exists) before copying anything."""
        dst = self._path(dst)
        self._require(src, "get")
        self._require(dst, "post")
        if move:
            self._require(src, "delete")
        skey, dkey = f"{self.app.uuid}/{src}", f"{self.app.uuid}/{dst}"
        expected: dict[str, str] | None = None
        if not self.privileged:  # each target is written only as it was checked (absent, or that ETag)
            expected = {}
            for k in self._keys_under(skey) + [skey]:
                target = dkey + k[len(skey):]
                if move:
                    self._may_change(k)
                head = self.blobs.head(target)
                expected[target] = (head or {}).get("etag") or ""  # a file without an ETag: only if it is gone
                if head is not None:
                    self._require(dst, "put")
                    self._may_change(target, head)
        return self.files._transfer(self.app.uuid, skey, dkey, move, self.owner, expected)
