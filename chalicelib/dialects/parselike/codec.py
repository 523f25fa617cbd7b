"""Parse-style objects <-> core entities (shared by the BEA and Parse dialects).

An object's `objectId` is the entity uuid, `createdAt`/`updatedAt` are the core's `created` and
`modified` (epoch ms) as ISO 8601 with milliseconds and `Z`; every other key is stored as is,
so an object written here is an entity of the same collection for every other dialect. Typed
values keep their `__type` hash in the document (the core indexes Dates by time and Pointers by
class and id). Which collection a class name maps to is each dialect's own rule.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, TypeGuard

from ...core.errors import InvalidPropertyName
from ...core.indexing import iso_to_ms, time_ms
from ...core.ports import Record
from . import errors
from .errors import ParseStyleError

KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,127}$")
CLASS_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
AUTO = ("objectId", "createdAt", "updatedAt")
CORE_KEYS = ("uuid", "type", "created", "modified", "metadata")  # the core's own names: reserved here
# Parse's own paths (those BEA answers or Parse clients call) and its session/role/installation
# classes: none of them may become a BEA class of objects (`POST /1/logout` must never create an
# object of class `logout`). Compared case-insensitively; `_`-prefixed names are refused anyway,
# `Users`/`users`/`_User` are routed to the users API before any class.
RESERVED_CLASSES = frozenset(n.lower() for n in (
    "batch", "classes", "login", "logout", "requestPasswordReset", "verificationEmailRequest", "users", "roles",
    "sessions", "installations", "files"))
TYPES = ("Date", "Pointer", "Relation", "PointerArray", "GeoPoint", "File", "Bytes", "Object", "Polygon",
         "DateTime", "Time")
# Seed 003's spellings of Parse types: stored (and answered) under Parse's name, so one value has one
# form whatever the dialect or SDK reading it.
ALIASES = {"GEOPoint": "GeoPoint"}


def is_number(x: object) -> TypeGuard[int | float]:
    """A JSON number: to Python `True` is an int, to JSON it is not."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def iso(ms: int | float) -> str:
    dt = datetime.fromtimestamp(int(ms) / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ms) % 1000:03d}Z"


def date_ms(value: Any) -> int | None:
    """Epoch ms of a `{"__type": "Date" | "DateTime", "iso"}` hash or of a bare ISO string."""
    if isinstance(value, dict) and value.get("__type") in ("Date", "DateTime"):
        value = value.get("iso")
    return iso_to_ms(value) if isinstance(value, str) else None


def check_key(key: Any) -> str:
    if not isinstance(key, str) or not KEY_RE.match(key) or key in CORE_KEYS:
        raise InvalidPropertyName(f"invalid field name: {key}")
    return key


# -- wire -> core ------------------------------------------------------------------------
def decode(value: Any, depth: int = 0) -> Any:
    """A client value as stored: typed hashes checked and normalized, nested keys checked."""
    if depth > 32:
        raise ParseStyleError(errors.INVALID_JSON, "object nesting is too deep")
    if isinstance(value, list):
        return [decode(v, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    if "__type" in value:
        return _typed(value)
    out = {}
    for k, v in value.items():
        if not isinstance(k, str) or k.startswith("$") or "." in k or k == "":
            raise InvalidPropertyName(f"invalid field name: {k}")
        out[k] = decode(v, depth + 1)
    return out


def pointer(class_name: str, object_id: str) -> dict[str, str]:
    return {"__type": "Pointer", "className": class_name, "objectId": object_id}


def _typed(v: dict[str, Any]) -> Any:
    t = v.get("__type")
    t = ALIASES.get(t, t) if isinstance(t, str) else t
    if t in ("Date", "DateTime"):  # DateTime (seed 003): an instant, encoded and ordered as a Date
        ms = date_ms(v)
        if ms is None:
            raise ParseStyleError(errors.INCORRECT_TYPE, f"invalid {t}: iso must be an ISO 8601 timestamp")
        return {"__type": t, "iso": iso(ms)}
    if t == "Time":  # seed 003: a time of day, no date, no zone; stored as `HH:MM:SS.mmm`
        ms = time_ms(v["iso"]) if isinstance(v.get("iso"), str) else None
        if ms is None:
            raise ParseStyleError(errors.INCORRECT_TYPE, "invalid Time: iso must be HH:MM:SS or HH:MM:SS.mmm")
        return {"__type": "Time",
                "iso": f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"}
    if t == "Pointer":
        if not isinstance(v.get("className"), str) or not isinstance(v.get("objectId"), str):
            raise ParseStyleError(errors.INVALID_POINTER, "a Pointer needs className and objectId strings")
        return pointer(v["className"], v["objectId"])
    if t in ("Relation", "PointerArray"):
        cls = v.get("className")
        objs = v.get("objects", [])
        if not isinstance(cls, str) or not isinstance(objs, list):
            raise ParseStyleError(errors.INVALID_POINTER, f"a {t} needs a className and a list of objects")
        return [pointer(cls, o) if isinstance(o, str) else _typed({**o, "__type": "Pointer"})
                for o in objs if isinstance(o, (str, dict))]
    if t == "GeoPoint":
        lat, lon = v.get("latitude"), v.get("longitude")
        if not (is_number(lat) and is_number(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ParseStyleError(errors.INCORRECT_TYPE, "a GeoPoint needs latitude in [-90, 90] and longitude in [-180, 180]")
        return {"__type": "GeoPoint", "latitude": lat, "longitude": lon}
    if t == "File":
        if not isinstance(v.get("name"), str) or not v["name"]:
            raise ParseStyleError(errors.INCORRECT_TYPE, "a File needs a name")
        return {k: v[k] for k in ("__type", "name", "url", "contentType", "size") if k in v}
    if t == "Polygon":
        pts = v.get("coordinates")
        if not isinstance(pts, list) or not 3 <= len(pts) <= 1000 or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                            for x in p) for p in pts):
            raise ParseStyleError(errors.INCORRECT_TYPE, "a Polygon needs 3 to 1,000 [latitude, longitude] coordinates")
        return {"__type": "Polygon", "coordinates": pts}
    if t == "Bytes":
        if not isinstance(v.get("base64"), str):
            raise ParseStyleError(errors.INCORRECT_TYPE, "Bytes need a base64 string")
        return {"__type": "Bytes", "base64": v["base64"]}
    raise ParseStyleError(errors.INCORRECT_TYPE, f"unknown __type: {t}")


def split_body(body: Any) -> tuple[dict[str, Any], dict[str, dict[str, bool]] | None]:
    """(fields, ACL) of a create/update body; reserved and invalid keys are refused with 105."""
    if not isinstance(body, dict):
        raise ParseStyleError(errors.INVALID_JSON, "the body must be a JSON object")
    acl = None
    fields: dict[str, Any] = {}
    for k, v in body.items():
        if k == "ACL":
            acl = check_acl(v)
            continue
        if k in AUTO or k == "__type":
            raise InvalidPropertyName(f"invalid field name: {k}")
        fields[check_key(k)] = v
    return fields, acl


def check_acl(acl: Any) -> dict[str, dict[str, bool]]:
    if not isinstance(acl, dict) or not all(
            isinstance(k, str) and isinstance(p, dict) and all(x in ("read", "write") and isinstance(b, bool)
                                                               for x, b in p.items())
            for k, p in acl.items()):
        raise ParseStyleError(123, "invalid ACL: expected {\"*\"|userId|\"role:Name\": {\"read\": bool, \"write\": bool}}")
    return acl


# -- core -> wire ------------------------------------------------------------------------
def to_wire(rec: Record) -> dict[str, Any]:
    out = wire_doc(rec.uuid, rec.doc)
    if rec.acl:
        out["ACL"] = rec.acl
    return out


def wire_doc(uuid: str, doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if k not in CORE_KEYS and k != "password"}
    out["objectId"] = uuid
    if "created" in doc:
        out["createdAt"] = iso(doc["created"])
    if "modified" in doc:
        out["updatedAt"] = iso(doc["modified"])
    return out


def wire_public(entity: dict[str, Any]) -> dict[str, Any]:
    """From `core.entities.public` (uuid + doc) to the wire."""
    return wire_doc(entity["uuid"], entity)
