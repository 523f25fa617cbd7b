"""Moving an app's files out and in: `baas export --files`.

One exported record is one S3 object under `<app uuid>/`: the free-standing files (Backendless
Files API), BEA media (`bea-media/<collection>/<objectId>/<name>`) and Parse files
(`parse-files/<name>`), whose paths name what refers to them (entity uuids and Parse file names
survive an export and import, so the references hold). Usergrid assets (`assets/`) travel inside
their entities' records and `_tasks/` are the server's own: neither is exported here. A record is `{"path", "content_type", "owner", "size", "modified"}` plus either `data`
(base64, files up to INLINE_MAX bytes) or `url` (a presigned GET for bigger ones, so their bytes
never pass through Lambda); directory markers come as `{"path": "dir/", "directory": true}`.
A page is one bounded LIST call (`limit` keys) and its cursor is the last key's path: resuming
never lists twice. Import keeps paths and owners (the owner is S3 metadata, as AppFiles writes
it) and skips a path that exists, so re-running duplicates nothing; a record without `data` gets a
presigned PUT (carrying the owner) for the client to send the bytes to S3 itself.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from .errors import Forbidden, InvalidInput
from .files import URL_TTL_S, AppFiles, clean_path
from .ids import is_uuid

INLINE_MAX = 256 * 1024  # bytes of one file inlined in an export page / an import batch
PAGE_BYTES = 3_000_000  # inlined bytes per export page (base64 grows them by 4/3; Lambda answers <= 6 MB)
MAX_PAGE = 100  # keys one export page lists
MAX_BATCH = 50  # records per import request
DIRECTORY_TYPE = "application/x-directory"
NOT_EXPORTED = ("assets", "_tasks")  # assets come with their entities; tasks are the server's


@dataclass
class FileImportReport:
    imported: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[dict[str, Any]] = field(default_factory=list)


def _admin(files: AppFiles) -> None:
    if not files.privileged:
        raise Forbidden("moving files in or out needs the app's credentials or an org admin")


def _reserved(path: str) -> bool:
    """Areas this export leaves out (the other RESERVED areas, attached files, travel here)."""
    return path.split("/", 1)[0].lower() in NOT_EXPORTED


def export_files_page(files: AppFiles, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the app's files (key order) as export records, and the next page's cursor
    (None at the end). Keys in attached-file areas are passed over, so a page may come back empty
    with a cursor: the caller goes on."""
    _admin(files)
    prefix = f"{files.app.uuid}/"
    limit = max(1, min(limit, MAX_PAGE))
    if cursor is not None and (len(cursor) > 1024 or not cursor.isprintable()):
        raise InvalidInput("invalid cursor")
    # The cursor is the last key's path, as S3 has it: StartAfter only moves within the app's prefix.
    start = prefix + cursor if cursor else ""
    found = files.blobs.list_page(prefix, start, limit)
    out: list[dict[str, Any]] = []
    inlined = 0
    last = ""
    for b in found:
        path = b.key[len(prefix):]
        if not path or _reserved(path):
            last = path
            continue
        if inlined >= PAGE_BYTES:
            break  # the rest comes in the next page
        last = path
        if path.endswith("/"):
            out.append({"path": path, "directory": True})
            continue
        rec: dict[str, Any] = {"path": path, "size": b.size, "modified": b.modified_ms}
        if b.size <= INLINE_MAX:
            got = files.blobs.read(b.key)
            if got is None:  # deleted since the listing
                continue
            data, meta = got
            rec.update(content_type=meta["content_type"], owner=meta["owner"] or None,
                       data=base64.b64encode(data).decode())
            inlined += len(data)
        else:
            meta = files.blobs.head(b.key) or {"owner": "", "content_type": "application/octet-stream"}
            rec.update(content_type=meta["content_type"], owner=meta["owner"] or None,
                       url=files.blobs.download_url(b.key, URL_TTL_S))
        out.append(rec)
    more = len(found) == limit or (bool(found) and last != found[-1].key[len(prefix):])
    return out, (last or None) if more else None


def import_files(files: AppFiles, records: Any) -> FileImportReport:
    """Write each record unless its path exists (skipped as `exists`); records without `data` come
    back in `uploads` with a presigned PUT. Every record not imported is reported with why."""
    _admin(files)
    if not isinstance(records, list) or len(records) > MAX_BATCH:
        raise InvalidInput(f"files must be a list of at most {MAX_BATCH}")
    report = FileImportReport()
    for i, rec in enumerate(records):
        path = rec.get("path") if isinstance(rec, dict) else None
        reason, clean, data = _check(rec)
        if reason:
            report.skipped.append({"index": i, "path": path, "reason": reason})
            continue
        key = f"{files.app.uuid}/{clean}" + ("/" if rec.get("directory") else "")
        if files.blobs.head(key) is not None:
            report.skipped.append({"index": i, "path": path, "reason": "exists"})
            continue
        owner = rec.get("owner") or None
        if rec.get("directory"):
            files.blobs.put(key, b"", DIRECTORY_TYPE)
        elif data is not None:
            files.blobs.put(key, data, str(rec.get("content_type") or "application/octet-stream"), owner)
        else:
            ctype = str(rec.get("content_type") or "application/octet-stream")
            report.uploads.append({"path": clean, "uploadURL": files.blobs.upload_url(key, URL_TTL_S, ctype, owner),
                                   "method": "PUT", "expiresIn": URL_TTL_S,
                                   "headers": {"Content-Type": ctype, **({"x-amz-meta-owner": owner} if owner else {})}})
            continue
        report.imported += 1
    return report


def _check(rec: Any) -> tuple[str | None, str, bytes | None]:
    if not isinstance(rec, dict) or not isinstance(rec.get("path"), str):
        return "not an object with a `path` string", "", None
    try:
        clean = clean_path(rec["path"])
    except InvalidInput as e:
        return f"invalid path: {e}", "", None
    if _reserved(clean):
        return "path in an area not imported as files (assets come with their entities)", "", None
    owner = rec.get("owner")
    if owner not in (None, "") and not (isinstance(owner, str) and is_uuid(owner)):
        return "invalid owner", "", None
    ctype = rec.get("content_type")
    if ctype is not None and (not isinstance(ctype, str) or len(ctype) > 255 or not ctype.isprintable()):
        return "invalid content_type", "", None
    raw = rec.get("data")
    if raw is None:
        return None, clean, None
    if not isinstance(raw, str) or len(raw) > (INLINE_MAX * 4 // 3) + 4:
        return f"data must be base64 of at most {INLINE_MAX} bytes (bigger files: leave it out for an upload URL)", "", None
    try:
        return None, clean, base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return "data is not base64", "", None
