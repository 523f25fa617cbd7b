"""Moving an app's data out and in (the `baas` CLI's export and import, issue 14).

One exported line is one entity with everything needed to bring it back as it was:
`{"collection", "uuid", "entity": {props, created, modified}, "owner", "acl", "password"}`
(`password` is the stored hash: scrypt from us, bcrypt `$2a$`/`$2b$`/`$2y$` from Parse). Import keeps
the uuid, so re-running an import duplicates nothing: an entity whose uuid exists is skipped as
`exists`. Sources without uuids (Parse objectIds) get one derived from the source id and its creation
time (`source_uuid`): the same input always lands on the same uuid, and the uuid still sorts by
creation time as our own uuid7s do ("newest first" reads rely on it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .data import AppData
from .entities import collection_key
from .errors import CoreError, DuplicateUnique, Forbidden, InvalidInput
from .ids import is_uuid
from .query import Query
from .secrets import supported_hash

MAX_BATCH = 100  # entities per import request: bounded work per call
MAX_PAGE = 1000  # entities per export page (the planner's own maximum)


@dataclass
class ImportReport:
    imported: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def skip(self, index: int, uuid: Any, reason: str) -> None:
        self.skipped.append({"index": index, "uuid": uuid, "reason": reason})


def source_uuid(namespace: str, source_id: str, created_ms: int) -> str:
    """A uuid7-shaped id for an entity that came with another system's id: time from `created_ms`,
    the other 74 bits from a hash of (namespace, source id), so it is the same at every import."""
    digest = int.from_bytes(hashlib.sha256(f"{namespace}\x00{source_id}".encode()).digest()[:10], "big")
    value = ((created_ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (digest >> 68 & 0xFFF) << 64
             | 0b10 << 62 | (digest & ((1 << 62) - 1)))
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def export_page(data: AppData, collection: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the collection as export lines, newest first, and the cursor of the next page."""
    if not data.policy.sees_everything(data.app, data.principal):
        raise Forbidden("exporting needs the app's credentials or an org admin")
    collection = collection_key(collection)
    page = data.query(collection, Query(limit=max(1, min(limit, MAX_PAGE)), cursor=cursor))
    lines = [{"collection": collection, "uuid": r.uuid, "entity": r.doc, "owner": r.owner, "acl": r.acl,
              "password": r.secret} for r in page.records]
    return lines, page.cursor


def import_batch(data: AppData, collection: str, items: object) -> ImportReport:
    """Create each entity unless its uuid exists; every item not imported is reported with why."""
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        raise InvalidInput(f"entities must be a list of at most {MAX_BATCH}")
    collection = collection_key(collection)
    report = ImportReport()
    reasons = [_check_item(item) for item in items]
    wanted = {str(item["uuid"]).lower() for item, reason in zip(items, reasons, strict=True) if not reason}
    present = set(data.entities.store.batch_get(data.app.uuid, sorted(wanted))) if wanted else set()  # one read
    for i, item in enumerate(items):
        uuid = item.get("uuid") if isinstance(item, dict) else None
        if reasons[i]:
            report.skip(i, uuid, str(reasons[i]))
            continue
        uuid = str(uuid).lower()
        if uuid in present:
            report.skip(i, uuid, "exists")
            continue
        props = dict(item["entity"])
        stamps = _stamps(props)
        try:  # an empty ACL is a closed one (the master key alone, as in Parse): never "no ACL"
            data.import_record(collection, props, uuid=uuid, secret=item.get("password") or None,
                               owner=item.get("owner") or None, acl=item.get("acl"), stamps=stamps)
        except DuplicateUnique as e:
            report.skip(i, uuid, f"duplicate: {e}")
            continue
        except CoreError as e:
            if e.status in (401, 403):
                raise
            report.skip(i, uuid, f"invalid: {e}")
            continue
        report.imported += 1
        present.add(uuid)  # the same uuid again later in the batch: skipped as it would be next run
    return report


def _check_item(item: Any) -> str | None:
    if not isinstance(item, dict) or not isinstance(item.get("entity"), dict):
        return "not an object with an `entity` object"
    if not isinstance(item.get("uuid"), str) or not is_uuid(item["uuid"]):
        return "missing or invalid uuid"
    pw = item.get("password")
    if pw not in (None, "") and (not isinstance(pw, str) or not supported_hash(pw)):
        return "unsupported password hash (scrypt or bcrypt $2a$/$2b$/$2y$ only)"
    for key in ("owner",):
        if item.get(key) not in (None, "") and not (isinstance(item[key], str) and is_uuid(item[key])):
            return f"invalid {key}"
    acl = item.get("acl")
    if acl is not None and not (isinstance(acl, dict) and all(isinstance(v, dict) for v in acl.values())):
        return "invalid acl"
    return None


def _stamps(props: dict[str, Any]) -> tuple[int, int] | None:
    created, modified = props.pop("created", None), props.pop("modified", None)
    if not isinstance(created, int) or isinstance(created, bool) or created < 0:
        return None
    if not isinstance(modified, int) or isinstance(modified, bool) or modified < created:
        modified = created
    return created, modified
