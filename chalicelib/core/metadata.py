"""Entity metadata per app: versions, their status, the default version, and schema validation.

One document per (app, collection) in the DocStore port (key `schema#<app>#<collection>`) holds the
entity info and every version's schema; one more (`schemas#<app>`) lists the app's entities, so
listing them needs no Scan. Keyed by the canonical collection, a schema applies to the collection
whichever dialect writes it: `AppData` calls `check` before every create and update (a cached read,
negative answers included, so collections without a schema pay one GetItem per container every few
seconds). Documents over DynamoDB's 400 KB item limit (hundreds of versions) are refused by storage.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .entities import collection_key
from .errors import Conflict, CoreError, InvalidInput, NotFound
from .ids import now_ms, uuid7
from .ports import DocStore
from .retry import retry_optimistic
from .schemas import STATUSES, FieldError, Schema, check_entity_info, parse_enums, parse_schema

CACHE_S = 5.0
MAX_RETRIES = 10


class SchemaViolation(InvalidInput):
    """A document breaks its collection's schema; `errors` lists every failed constraint."""

    default_message = "document does not match the entity schema"

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        super().__init__(message or "; ".join(e.msg for e in errors) or None, code=errors[0].code if errors else None)
        self.errors = errors


class UnknownEntity(NotFound):
    default_message = "unknown entity"


@dataclass
class EntityMeta:
    name: str  # the client's spelling
    collection: str
    info: dict[str, Any]
    versions: dict[str, dict[str, Any]]  # version -> schema section as stored

    @property
    def default_version(self) -> str | None:
        v = self.info.get("defaultVersion")
        return v if isinstance(v, str) else None

    def status(self, version: str) -> str:
        return _status(self.versions[version])

    def schema(self, version: str | None = None, *, allow_disabled: bool = False) -> Schema:
        """The schema of `version`, else the default version, else the newest version not disabled."""
        if version is None:
            version = self.default_version
        if version is None:
            live = [v for v in self.versions if self.status(v) != "disabled"]
            if not live:
                raise InvalidInput(f"entity {self.name} has no usable version", code="mongo-metadata:DisabledVersion")
            version = live[-1]
        if version not in self.versions:
            raise NotFound(f"unknown version {self.name}:{version}", code="mongo-metadata:UnknownVersion")
        if self.status(version) == "disabled" and not allow_disabled:
            raise InvalidInput(f"version {self.name}:{version} is disabled", code="mongo-metadata:DisabledVersion")
        return parse_schema(self.name, self.versions[version], parse_enums(self.info))

    def unique_indexes(self) -> tuple[tuple[str, ...], ...]:
        """`entityInfo.indexes` with `unique: true`, each as its field paths (`{field, dir}` objects or
        plain names, as Lightblue accepts both)."""
        out: list[tuple[str, ...]] = []
        for ix in self.info.get("indexes") or []:
            if not isinstance(ix, dict) or ix.get("unique") is not True:
                continue
            paths = tuple(f.get("field") if isinstance(f, dict) else f for f in ix.get("fields") or [])
            if paths and all(isinstance(p, str) and p for p in paths) and paths != ("_id",):
                out.append(tuple(str(p) for p in paths))
        return tuple(out)

    def references(self, version: str) -> list[str]:
        """Entities this version's `reference` fields point at (Lightblue's dependency graph)."""
        out: list[str] = []
        _references(self.versions[version].get("fields") or {}, out)
        return sorted(set(out))

    def document(self, version: str) -> dict[str, Any]:
        """The metadata document of one version, as Lightblue returns it (entityInfo + schema)."""
        return {"entityInfo": copy.deepcopy(self.info), "schema": copy.deepcopy(self.versions[version])}


class Metadata:
    def __init__(self, docs: DocStore, clock: Callable[[], float] = time.monotonic) -> None:
        self.docs = docs
        self.clock = clock
        self._cache: dict[tuple[str, str], tuple[float, EntityMeta | None]] = {}
        self._lock = threading.Lock()

    # -- reads -----------------------------------------------------------------------------
    def entity(self, app: str, name: str) -> EntityMeta | None:
        try:
            coll = collection_key(name)
        except InvalidInput:
            return None  # not a name a schema can carry (e.g. a dialect's internal collection)
        hit = self._cache.get((app, coll))
        if hit is not None and hit[0] > self.clock():
            return hit[1]
        got = self.docs.get(_key(app, coll))
        meta = _meta(coll, got[0]) if got and not got[0].get("removed") else None
        with self._lock:
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[(app, coll)] = (self.clock() + CACHE_S, meta)
        return meta

    def require(self, app: str, name: str) -> EntityMeta:
        meta = self.entity(app, name)
        if meta is None:
            raise UnknownEntity(f"Unknown entity: {name}", code="crud:UnknownEntity")
        return meta

    def names(self, app: str, statuses: set[str] | None = None) -> list[str]:
        """Entity names, or those with a version in one of `statuses` (`GET /metadata/s=active`).

        The listing document keeps each entity's version statuses, so both answers are one GetItem.
        """
        got = self.docs.get(f"schemas#{app}")
        out = []
        for entry in (got[0].get("entities", {}) if got else {}).values():
            name, have = (entry, None) if isinstance(entry, str) else (entry["name"], set(entry["statuses"]))
            if statuses is None or have is None or have & statuses:
                out.append(name)
        return sorted(out)

    def all(self, app: str) -> list[EntityMeta]:
        """Every entity of the app: one cached read each (apps define tens of entities, not thousands)."""
        return [m for m in (self.entity(app, n) for n in self.names(app)) if m is not None]

    def unique_fields(self, app: str, collection: str) -> tuple[tuple[str, ...], ...] | None:
        """The entity service's hook (core/entities.py): a collection with metadata is unique exactly
        on its declared unique indexes; None leaves Usergrid's unique `name`."""
        meta = self.entity(app, collection)
        return None if meta is None else meta.unique_indexes()

    # -- the validation hook (AppData) -----------------------------------------------------
    def validate(self, app: str, collection: str, doc: dict[str, Any], version: str | None = None) -> list[FieldError]:
        meta = self.entity(app, collection)
        if meta is None:
            return []
        return meta.schema(version).validate(doc)

    def fill(self, app: str, collection: str, doc: dict[str, Any], version: str | None = None) -> None:
        """Generated values a new document gets from its schema (`uid` fields), whichever dialect writes it."""
        meta = self.entity(app, collection)
        if meta is not None:
            meta.schema(version).fill_uids(doc, uuid7)

    def access_schema(self, app: str, collection: str, version: str | None = None) -> Schema | None:
        """The schema whose `access` rules hold for the collection, in every dialect: the version named,
        else the default one; an entity whose versions are all disabled keeps its newest rules."""
        meta = self.entity(app, collection)
        if meta is None:
            return None
        try:
            return meta.schema(version)
        except CoreError:
            if version is not None or not meta.versions:
                raise
            return meta.schema(list(meta.versions)[-1], allow_disabled=True)

    def check(self, app: str, collection: str, doc: dict[str, Any], version: str | None = None) -> None:
        errors = self.validate(app, collection, doc, version)
        if errors:
            raise SchemaViolation(errors)

    # -- writes ----------------------------------------------------------------------------
    def create(self, app: str, name: str, version: str, body: Any, *, existing_only: bool = False) -> EntityMeta:
        """A new entity, or a new version of an existing one (entityInfo, when given, is merged over the
        old). `existing_only`: `PUT /metadata/{entity}/schema={version}`, a new version of an entity
        that must already exist."""
        if not isinstance(body, dict) or not isinstance(body.get("schema"), dict):
            raise InvalidInput("expected {entityInfo, schema}", code="metadata:IllFormedMetadata")
        info = body.get("entityInfo") or {"name": name}
        schema = copy.deepcopy(body["schema"])
        if not isinstance(info, dict):
            raise InvalidInput("entityInfo must be an object", code="metadata:IllFormedMetadata")
        if info.get("name", name) != name or schema.get("name", name) != name:
            raise InvalidInput("entity name in the document does not match the path", code="rest-metadata:NoNameMatch")
        ver = schema.get("version")
        if isinstance(ver, str):
            schema["version"] = ver = {"value": ver}
        if not isinstance(ver, dict) or ver.get("value") != version:
            raise InvalidInput("version in the document does not match the path", code="rest-metadata:NoVersionMatch")
        schema["name"] = name
        status = schema.get("status")
        if isinstance(status, str):
            status = {"value": status}
        schema["status"] = status if isinstance(status, dict) else {"value": "active"}
        info = {**copy.deepcopy(info), "name": name}
        coll = collection_key(name)

        def change(doc: dict[str, Any] | None) -> dict[str, Any]:
            if existing_only and doc is None:
                raise UnknownEntity(f"Unknown entity: {name}", code="crud:UnknownEntity")
            if doc is not None and version in doc["versions"]:
                raise Conflict(f"{name}:{version} already exists", code="metadata:DuplicateSchema")
            versions = dict(doc["versions"]) if doc else {}
            versions[version] = schema
            merged = {**(doc["entityInfo"] if doc else {}), **info}
            check_entity_info(merged)
            parse_schema(name, schema, parse_enums(merged))  # ill-formed metadata never lands
            dv = merged.get("defaultVersion")
            if dv is not None and dv not in versions:
                raise InvalidInput(f"default version {dv} is not a version of {name}",
                                   code="mongo-metadata:InvalidDefaultVersion")
            return {"name": name, "entityInfo": merged, "versions": versions}

        return self._update(app, coll, change)

    def update_info(self, app: str, name: str, info: Any) -> EntityMeta:
        """`PUT /metadata/{entity}`: a new entityInfo for an existing entity; every version must still parse."""
        if not isinstance(info, dict):
            raise InvalidInput("expected an entityInfo object", code="metadata:IllFormedMetadata")
        if info.get("name", name) != name:
            raise InvalidInput("entity name in the document does not match the path", code="rest-metadata:NoNameMatch")

        def change(doc: dict[str, Any] | None) -> dict[str, Any]:
            doc = _existing(doc, name)
            new = {**copy.deepcopy(info), "name": name}
            check_entity_info(new)
            for schema in doc["versions"].values():
                parse_schema(name, schema, parse_enums(new))
            dv = new.get("defaultVersion")
            if dv is not None and (dv not in doc["versions"] or _status(doc["versions"][dv]) == "disabled"):
                raise InvalidInput(f"default version {dv} is not a usable version of {name}",
                                   code="mongo-metadata:InvalidDefaultVersion")
            return {**doc, "entityInfo": new}

        return self._update(app, collection_key(name), change)

    def remove(self, app: str, name: str) -> None:
        """`DELETE /metadata/{entity}`: only once every version is disabled, as in Lightblue. The
        collection's documents stay (readable through every dialect, schemaless again)."""

        def change(doc: dict[str, Any] | None) -> dict[str, Any]:
            doc = _existing(doc, name)
            live = [v for v, s in doc["versions"].items() if _status(s) != "disabled"]
            if live:
                raise Conflict(f"{name} has versions that are not disabled: {', '.join(live)}",
                               code="metadata:CannotDeleteEntity")
            return {"removed": True}

        self._write(app, collection_key(name), change)

    def set_status(self, app: str, name: str, version: str, status: str, comment: str | None = None) -> EntityMeta:
        if status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", code="metadata:ParseInvalidStatus")

        def change(doc: dict[str, Any] | None) -> dict[str, Any]:
            doc = _existing(doc, name)
            if version not in doc["versions"]:
                raise NotFound(f"unknown version {name}:{version}", code="mongo-metadata:UnknownVersion")
            if status == "disabled" and doc["entityInfo"].get("defaultVersion") == version:
                raise InvalidInput("the default version cannot be disabled", code="mongo-metadata:DisabledDefaultVersion")
            schema = copy.deepcopy(doc["versions"][version])
            log = list(schema.get("status", {}).get("log", []))
            log.append({"date": now_ms(), "value": status, "comment": comment or ""})
            schema["status"] = {"value": status, "log": log}
            return {**doc, "versions": {**doc["versions"], version: schema}}

        return self._update(app, collection_key(name), change)

    def set_default(self, app: str, name: str, version: str | None) -> EntityMeta:
        def change(doc: dict[str, Any] | None) -> dict[str, Any]:
            doc = _existing(doc, name)
            info = dict(doc["entityInfo"])
            if version is None:
                info.pop("defaultVersion", None)
            elif version not in doc["versions"]:
                raise NotFound(f"unknown version {name}:{version}", code="mongo-metadata:UnknownVersion")
            elif doc["versions"][version].get("status", {}).get("value") == "disabled":
                raise InvalidInput("a disabled version cannot be the default",
                                   code="mongo-metadata:DisabledDefaultVersion")
            else:
                info["defaultVersion"] = version
            return {**doc, "entityInfo": info}

        return self._update(app, collection_key(name), change)

    def _update(self, app: str, coll: str, change: Callable[[dict[str, Any] | None], dict[str, Any]]) -> EntityMeta:
        meta = self._write(app, coll, change)
        assert meta is not None, "only remove() writes a tombstone"
        return meta

    def _write(self, app: str, coll: str,
               change: Callable[[dict[str, Any] | None], dict[str, Any]]) -> EntityMeta | None:
        """Read, change, conditional put (retried on a lost race); a removed entity reads as None."""

        def attempt() -> dict[str, Any]:
            got = self.docs.get(_key(app, coll))
            current = got[0] if got and not got[0].get("removed") else None
            new = change(current)
            self.docs.put(_key(app, coll), new, got[1] if got else None)
            return new

        new = retry_optimistic(attempt)
        meta = None if new.get("removed") else _meta(coll, new)
        with self._lock:
            self._cache[(app, coll)] = (self.clock() + CACHE_S, meta)
        self._list(app, coll, meta)
        return meta

    def _list(self, app: str, coll: str, meta: EntityMeta | None) -> None:
        """Keep the app's listing (name and version statuses per entity) in step with one entity."""
        entry = None if meta is None else {"name": meta.name, "statuses": sorted({meta.status(v) for v in meta.versions})}

        def attempt() -> None:
            got = self.docs.get(f"schemas#{app}")
            entities = dict(got[0].get("entities", {})) if got else {}
            if entities.get(coll) == entry:
                return
            if entry is None:
                entities.pop(coll, None)
            else:
                entities[coll] = entry
            self.docs.put(f"schemas#{app}", {"entities": entities}, got[1] if got else None)

        retry_optimistic(attempt)


def _key(app: str, coll: str) -> str:
    return f"schema#{app}#{coll}"


def _meta(coll: str, doc: dict[str, Any]) -> EntityMeta:
    return EntityMeta(doc["name"], coll, doc["entityInfo"], doc["versions"])


def _existing(doc: dict[str, Any] | None, name: str) -> dict[str, Any]:
    if doc is None:
        raise UnknownEntity(f"Unknown entity: {name}", code="crud:UnknownEntity")
    return doc


def _status(schema: dict[str, Any]) -> str:
    return str(schema.get("status", {}).get("value", "active"))


def _references(fields: Any, out: list[str]) -> None:
    for spec in (fields.values() if isinstance(fields, dict) else []):
        if not isinstance(spec, dict):
            continue
        if spec.get("type") == "reference" and isinstance(spec.get("entity"), str):
            out.append(spec["entity"])
        _references(spec.get("fields"), out)
        items = spec.get("items")
        if isinstance(items, dict):
            _references({"": items}, out)
