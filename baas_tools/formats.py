"""Import sources read into export lines (`{"collection", "uuid", "entity", "owner", "acl", "password"}`,
the shape of chalicelib/core/transfer.py), so every source is imported the same way.

- `jsonl`: our own export, one line per entity, as written by `baas export`.
- `parse`: a Parse export, one JSON file per class (`{"results": [...]}` or a bare array), `_User`
  with `_hashed_password` (bcrypt) kept, so imported users log in with their passwords. objectIds
  become uuids derived from the class, the objectId and `createdAt` (the same every run: re-running
  duplicates nothing), and Pointers, ACL keys and `_p_` pointer columns follow them.
- `usergrid`: a Usergrid export: JSON files holding an array of entities, or API pages
  (`{"entities": [...]}`), or JSON Lines of entities; uuids (v1 in Usergrid) are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from chalicelib.core.entities import collection_key
from chalicelib.core.transfer import source_uuid

PARSE_BUILTIN = {"_User": "users", "_Role": "roles", "_Installation": "devices"}
PARSE_DROP = {"objectId", "createdAt", "updatedAt", "ACL", "_hashed_password", "sessionToken", "authData",
              "_rperm", "_wperm", "_acl"}


@dataclass
class Skipped:
    """What a reader itself could not use (the server reports the rest)."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, where: str, reason: str) -> None:
        self.items.append({"where": where, "reason": reason})


def detect(path: Path) -> str:
    if path.is_dir():
        names = [p.name for p in path.glob("*.json")]
        return "parse" if any(n.startswith("_User") or n.startswith("_Role") for n in names) or \
            any(_looks_parse(p) for p in path.glob("*.json")) else "usergrid"
    if path.suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    return "parse" if _looks_parse(path) else "usergrid"


def _looks_parse(path: Path) -> bool:
    head = path.open("rb").read(4096)
    return b'"objectId"' in head


def read(path: Path, fmt: str, skipped: Skipped) -> Iterator[dict[str, Any]]:
    if fmt == "jsonl":
        return read_jsonl(path, skipped)
    if fmt == "parse":
        return read_parse(path, skipped)
    if fmt == "usergrid":
        return read_usergrid(path, skipped)
    raise ValueError(f"unknown format {fmt}")


def read_jsonl(path: Path, skipped: Skipped) -> Iterator[dict[str, Any]]:
    with path.open("rb") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError:
                skipped.add(f"{path.name}:{n}", "not JSON")
                continue
            if not isinstance(item, dict) or not isinstance(item.get("collection"), str):
                skipped.add(f"{path.name}:{n}", "no collection")
                continue
            yield item


# -- Parse ---------------------------------------------------------------------------------
def _parse_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.json")) if path.is_dir() else [path]


def _parse_rows(file: Path, skipped: Skipped) -> list[dict[str, Any]]:
    try:
        data = json.loads(file.read_text())
    except ValueError:
        skipped.add(file.name, "not JSON")
        return []
    rows = data.get("results") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        skipped.add(file.name, "no `results` array")
        return []
    return rows


def _class_of(file: Path) -> str:
    return re.sub(r"\.json$", "", file.name)


def _ms(value: Any) -> int | None:
    if isinstance(value, dict) and value.get("__type") == "Date":
        value = value.get("iso")
    if not isinstance(value, str):
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def read_parse(path: Path, skipped: Skipped) -> Iterator[dict[str, Any]]:
    files = _parse_files(path)
    # Pass 1: every objectId's uuid, so Pointers and ACLs can be rewritten whatever the file order.
    ids: dict[tuple[str, str], str] = {}
    for file in files:
        cls = _class_of(file)
        for row in _parse_rows(file, Skipped()):
            if isinstance(row, dict) and isinstance(row.get("objectId"), str):
                ids[(cls, row["objectId"])] = source_uuid(cls, row["objectId"], _ms(row.get("createdAt")) or 0)
    users = {oid: u for (cls, oid), u in ids.items() if cls == "_User"}
    for file in files:
        cls = _class_of(file)
        coll = PARSE_BUILTIN.get(cls) or (None if cls.startswith("_") else collection_key(cls))
        if coll is None:
            skipped.add(file.name, f"Parse system class {cls} is not imported")
            continue
        for n, row in enumerate(_parse_rows(file, skipped)):
            where = f"{file.name}[{n}]"
            if not isinstance(row, dict) or not isinstance(row.get("objectId"), str):
                skipped.add(where, "no objectId")
                continue
            created = _ms(row.get("createdAt")) or 0
            entity: dict[str, Any] = {}
            for key, value in row.items():
                if key in PARSE_DROP:
                    continue
                if key.startswith("_p_") and isinstance(value, str) and "$" in value:  # Mongo-style pointer
                    target_cls, oid = value.split("$", 1)
                    entity[key[3:]] = _pointer(target_cls, oid, ids)
                    continue
                if key.startswith("_"):
                    continue
                entity[key] = _rewrite(value, ids)
            entity["created"] = created
            entity["modified"] = _ms(row.get("updatedAt")) or created
            if coll == "roles" and "name" in entity:
                entity.setdefault("roleName", entity["name"])
            acl = _acl(row.get("ACL"), users)
            yield {"collection": coll, "uuid": ids[(cls, row["objectId"])], "entity": entity, "acl": acl,
                   "owner": None, "password": row.get("_hashed_password") if coll == "users" else None}


def _pointer(cls: str, oid: str, ids: dict[tuple[str, str], str]) -> dict[str, Any]:
    return {"__type": "Pointer", "className": cls, "objectId": ids.get((cls, oid), oid)}


def _rewrite(value: Any, ids: dict[tuple[str, str], str]) -> Any:
    if isinstance(value, list):
        return [_rewrite(v, ids) for v in value]
    if isinstance(value, dict):
        if value.get("__type") == "Pointer" and isinstance(value.get("objectId"), str):
            return _pointer(str(value.get("className")), value["objectId"], ids)
        return {k: _rewrite(v, ids) for k, v in value.items()}
    return value


def _acl(acl: Any, users: dict[str, str]) -> dict[str, dict[str, bool]] | None:
    if not isinstance(acl, dict):
        return None
    out = {}
    for key, perms in acl.items():
        if not isinstance(perms, dict):
            continue
        who = key if key == "*" or key.startswith("role:") else users.get(key)
        if who:
            out[who] = {"read": bool(perms.get("read")), "write": bool(perms.get("write"))}
    return out or None


# -- Usergrid ------------------------------------------------------------------------------
def read_usergrid(path: Path, skipped: Skipped) -> Iterator[dict[str, Any]]:
    files = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl")) if path.is_dir() else [path]
    for file in files:
        for n, entity in enumerate(_usergrid_entities(file, skipped)):
            where = f"{file.name}[{n}]"
            if not isinstance(entity, dict) or not isinstance(entity.get("uuid"), str) or not entity.get("type"):
                skipped.add(where, "no uuid or type")
                continue
            if entity["type"] in ("application", "organization"):
                skipped.add(where, f"{entity['type']} entities are created with `baas apps`")
                continue
            doc = {k: v for k, v in entity.items() if k not in ("uuid", "type", "metadata", "password")}
            yield {"collection": collection_key(str(entity["type"])), "uuid": entity["uuid"], "entity": doc,
                   "acl": None, "owner": None, "password": None}


def _usergrid_entities(file: Path, skipped: Skipped) -> Iterator[Any]:
    text = file.read_text()
    try:
        data = json.loads(text)
    except ValueError:
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError:
                    skipped.add(f"{file.name}:{n}", "not JSON")
        return
    if isinstance(data, dict):
        data = data.get("entities", [data])
    yield from data if isinstance(data, list) else []
