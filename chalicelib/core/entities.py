"""Entities: schemaless JSON documents in collections, with every property indexed.

Write protocol (see docs/ARCHITECTURE.md): claim unique names, put the new index entries,
then write the entity conditionally on its version, then delete the entries it replaced.
Each step is a plain (batched) write; a reader verifies every index hit against the entity,
so a crash between steps leaves only entries that readers skip and repair.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from . import indexing, parallel, validate
from .errors import (
    CoreError,
    DuplicateUnique,
    EntityNotFound,
    InvalidInput,
    InvalidPropertyName,
    TooLarge,
)
from .ids import is_uuid, now_ms, uuid7
from .plural import collection_name, singularize
from .ports import EntityStore, Record, UniqueStore
from .retry import retry_optimistic

SYSTEM_PROPS = ("uuid", "type", "created", "modified", "metadata")
PROP_RE = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$\-]{0,127}$")
MAX_DOC_BYTES = 350_000  # DynamoDB items stop at 400 KB; leave room for bookkeeping
GRACE_MS = 60_000  # an index entry or claim younger than this may belong to a write in flight
COLLECTION_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$")


def collection_key(name: str) -> str:
    """Canonical collection: lower-case plural, so `item`, `items` and `Items` are one collection."""
    if not COLLECTION_RE.match(name):
        raise InvalidInput(f"invalid collection name: {name}")
    return collection_name(name)


def unique_fields(collection: str) -> tuple[str, ...]:
    if collection == "users":
        return ("username", "email")
    return ("path",) if collection == "groups" else ("name",)


def name_field(collection: str) -> str:
    """The property that addresses an entity by name in a URL (Usergrid: users by username, groups by path)."""
    return {"users": "username", "groups": "path"}.get(collection, "name")


@dataclass
class NewEntity:
    """One entity of `Entities.create_many`."""

    props: dict[str, Any]
    secret: str | None = None
    owner: str | None = None
    acl: dict[str, dict[str, bool]] | None = None
    keep_nulls: bool = False  # see Entities.create_record


@dataclass
class Page:
    entities: list[dict[str, Any]]
    cursor: str | None
    records: list[Record] = field(default_factory=list)


# (app, collection) -> the unique indexes a collection's schema declares (each a tuple of property
# paths), or None when it has no schema and Usergrid's rule holds (`name` unique per collection).
UniqueIndexes = Callable[[str, str], "tuple[tuple[str, ...], ...] | None"]


class Entities:
    def __init__(self, store: EntityStore, unique: UniqueStore, clock: Callable[[], int] = now_ms,
                 uniques: UniqueIndexes | None = None) -> None:
        self.store = store
        self.unique = unique
        self.clock = clock
        self.uniques = uniques
        self._names = _NameCache()
        # Called once per (app, collection) per process before the first create there: the app's
        # collection list (exports, the Usergrid application entity) costs one write per new collection.
        self.on_collection: Callable[[str, str], None] | None = None
        self._seen: set[tuple[str, str]] = set()
        self.collection_names: Callable[[str], list[str]] | None = None  # the list on_collection keeps
        # (app, collection) -> the shard count new index entries go under (core/layouts.py); 1 without it
        self.shards: Callable[[str, str], int] | None = None

    def _shards(self, app: str, collection: str) -> int:
        return self.shards(app, collection) if self.shards is not None else 1

    def prefetch_layout(self, app: str, collection: str) -> None:
        """Warm the collection's layout (cached per container) beside other reads."""
        self._shards(app, collection)

    # -- reads ---------------------------------------------------------------------------
    def get(self, app: str, collection: str, ident: str) -> dict[str, Any]:
        return public(self.get_record(app, collection, ident))

    def get_record(self, app: str, collection: str, ident: str) -> Record:
        rec = self.find_record(app, collection, ident)
        if rec is None:
            raise EntityNotFound(f"Could not find entity {ident} in {collection}")
        return rec

    def find_record(self, app: str, collection: str, ident: str) -> Record | None:
        """By uuid, or by name (users: username or email, as in Usergrid; groups: path)."""
        if is_uuid(ident):
            rec = self.store.get(app, ident.lower())
            return rec if rec is not None and rec.collection == collection else None
        if collection == "users" and "@" in ident:
            rec = self.find_by_unique(app, collection, "email", ident)
            if rec is not None:
                return rec
        return self.find_by_unique(app, collection, name_field(collection), ident)

    def find_by_unique(self, app: str, collection: str, prop: str, value: str) -> Record | None:
        """The entity holding a unique value: one GetItem when this container has seen the name.

        The name's owner is remembered (`_names`) and the entity read is checked to still hold the name,
        exactly as after reading the claim, so a renamed or deleted entity falls back to the claim.
        """
        key = _unique_key(app, collection, prop, value.lower())
        known = self._names.get(key)
        if known is not None:
            rec = self.store.get(app, known)
            if rec is not None and rec.collection == collection and _lower(rec.doc.get(prop)) == value.lower():
                return rec
            self._names.drop(key)
        claim = self.unique.get(key)
        if claim is None:
            return None
        rec = self.store.get(app, claim[0])
        if rec is None or _lower(rec.doc.get(prop)) != value.lower():
            return None
        self._names.put(key, rec.uuid)
        return rec

    # -- writes --------------------------------------------------------------------------
    def create(self, app: str, collection: str, props: dict[str, Any], *, secret: str | None = None,
               uuid: str | None = None, owner: str | None = None,
               acl: dict[str, dict[str, bool]] | None = None) -> dict[str, Any]:
        return public(self.create_record(app, collection, props, secret=secret, uuid=uuid, owner=owner, acl=acl))

    def create_record(self, app: str, collection: str, props: dict[str, Any], *, secret: str | None = None,
                      uuid: str | None = None, owner: str | None = None,
                      acl: dict[str, dict[str, bool]] | None = None,
                      stamps: tuple[int, int] | None = None, keep_nulls: bool = False) -> Record:
        """`stamps`: (created, modified) kept from elsewhere (an import); the clock's now otherwise.

        A null property is dropped (Usergrid: null means absent) unless `keep_nulls` (Parse-style
        dialects, where `null` is a value a client reads back and `{"__op": "Delete"}` removes)."""
        doc = clean_props(props, drop_nulls=not keep_nulls)
        now = self.clock()
        doc["created"], doc["modified"] = stamps or (now, now)
        _check_size(doc)
        fresh = uuid is None
        uuid = uuid or uuid7()
        entries = indexing.entries_for(doc)
        shards = self._shards(app, collection)
        keys = _keys(entries, uuid, dict.fromkeys(entries, 1), shards)
        claimed: list[str] = []
        written: list[bool] = []

        def index() -> None:
            self.store.write_index(_prefix(app, collection), keys, [], hidden=_hidden(keys, acl))
            written.append(True)

        putting = False
        try:  # steps 1 and 2 of the protocol do not depend on each other: one round trip
            # the collection's listing entry (idempotent, once per container) rides along
            parallel.run_all([lambda: claimed.extend(self._claim_all(app, collection, uuid, doc, {})), index,
                              lambda: self._note_collection(app, collection)])
            rec = Record(app, collection, uuid, 1, doc, dict.fromkeys(entries, 1), secret, owner, acl, shards=shards)
            putting = True
            self.store.put(rec, expected_version=None)
        except BaseException:
            # Before the entity put, a fresh uuid's entries are nobody's: removed at once (a lost name is
            # common). After it, or with an explicit uuid (its keys could be an existing entity's), they
            # are left to readers, who skip and repair them.
            undo: list[Callable[[], Any]] = [partial(self.unique.release, k, uuid) for k in claimed]
            if fresh and written and not putting:
                undo.append(partial(self.store.write_index, _prefix(app, collection), [], keys))
            parallel.run_all(undo)
            raise
        return rec

    def _note_collection(self, app: str, collection: str) -> None:
        if self.on_collection is not None and (app, collection) not in self._seen:
            self.on_collection(app, collection)
            if len(self._seen) > 10_000:
                self._seen.clear()
            self._seen.add((app, collection))

    def create_many(self, app: str, collection: str, items: list[NewEntity]) -> list[Record | CoreError]:
        """Create several entities of one collection in two waves, whatever their number: every claim
        and every index entry at once (index entries in full 25-item BatchWriteItem requests), then
        every entity (BatchWriteItem: fresh uuid7s cannot exist yet, so the put needs no condition).
        The protocol's order holds per entity. Each item succeeds or fails alone (a taken name is that
        item's DuplicateUnique); an error of the store itself releases every claim and is raised."""
        out: list[Record | CoreError] = []
        ready: list[tuple[int, Record, list[tuple[str, str]]]] = []
        now = self.clock()
        shards = self._shards(app, collection) if items else 1
        for i, item in enumerate(items):
            try:
                doc = clean_props(item.props, drop_nulls=not item.keep_nulls)
                doc["created"] = doc["modified"] = now
                _check_size(doc)
                uuid = uuid7()
                entries = indexing.entries_for(doc)
                pv = dict.fromkeys(entries, 1)
                ready.append((i, Record(app, collection, uuid, 1, doc, pv, item.secret, item.owner, item.acl,
                                        shards=shards), _keys(entries, uuid, pv, shards)))
                out.append(None)  # type: ignore[arg-type]  # filled below
            except CoreError as e:
                out.append(e)
        claimed: dict[int, list[str]] = {}

        def claim(i: int, rec: Record) -> None:
            try:
                claimed[i] = self._claim_all(app, collection, rec.uuid, rec.doc, {})
            except CoreError as e:
                out[i] = e

        prefix = _prefix(app, collection)
        try:
            hidden = {k for _, r, ks in ready for k in _hidden(ks, r.acl)}
            parallel.run_all([*(lambda i=i, r=r: claim(i, r) for i, r, _ in ready),
                              lambda: self.store.write_index(prefix, [k for _, _, ks in ready for k in ks], [], hidden=hidden),
                              *([lambda: self._note_collection(app, collection)] if ready else [])])
            lost = [k for i, _, ks in ready if out[i] is not None for k in ks]
            won = [rec for i, rec, _ in ready if out[i] is None]
            parallel.run_all([lambda: self.store.put_new(won), lambda: self.store.write_index(prefix, [], lost)])
        except BaseException:
            parallel.run_all([partial(self.unique.release, k, rec.uuid)
                              for i, rec, _ in ready for k in claimed.get(i, [])])
            raise
        for i, rec, _ in ready:
            if out[i] is None:
                out[i] = rec
        return out

    def update(self, app: str, collection: str, ident: str, props: dict[str, Any], *,
               secret: str | None = None, replace: bool = False,
               mutate: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
               acl: dict[str, dict[str, bool]] | None = None) -> dict[str, Any]:
        return public(self.update_record(app, collection, ident, props, secret=secret, replace=replace,
                                         mutate=mutate, acl=acl))

    def update_record(self, app: str, collection: str, ident: str, props: dict[str, Any], *,
                      secret: str | None = None, replace: bool = False,
                      mutate: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                      acl: dict[str, dict[str, bool]] | None = None, current: Record | None = None,
                      reread: Callable[[Record], None] | None = None,
                      guard: Callable[[Record, dict[str, Any]], dict[str, Any]] | None = None,
                      keep_nulls: bool = False) -> Record:
        """Merge `props` into the entity (null removes a property, unless `keep_nulls`: then it is
        stored as null, as Parse does); retried on version conflicts.

        `mutate`, when given, computes the new document from the current one on every attempt,
        which is how atomic operators (increments, array adds) stay race-free. `current`, the record
        the caller just read, saves the first read (the conditional put catches it if stale); every
        later attempt re-reads and passes the fresh record to `reread` (a permission re-check).
        `guard(current, new document)` runs on every attempt before the write and returns the document
        to write (field-level access rules: core/data.py).
        """
        clean = clean_props(props, drop_nulls=False)
        given, target = [current], [ident]

        def attempt() -> Record:
            rec, given[0] = _current(self, app, collection, target[0], given[0], reread)
            target[0] = rec.uuid  # a retry re-reads by uuid: a concurrent rename must not lose the entity
            base = {k: rec.doc[k] for k in ("created",) if k in rec.doc} if replace else dict(rec.doc)
            for k, v in clean.items():
                if v is None and not keep_nulls:
                    base.pop(k, None)
                else:
                    base[k] = v
            if mutate is not None:
                base = mutate(base)
            if guard is not None:
                base = guard(rec, base)
            base["modified"] = max(self.clock(), int(rec.doc.get("modified", 0)) + 1)
            _check_size(base)
            return self._commit(rec, base, secret, acl)

        return retry_optimistic(attempt)

    def _commit(self, rec: Record, doc: dict[str, Any], secret: str | None,
                acl: dict[str, dict[str, bool]] | None = None, shards: int | None = None) -> Record:
        """An entity written under another shard count than the collection's now moves whole: every
        property counts as changed, so its new entries carry the new version (a reader never takes
        them for stale while the write is in flight) and its old ones are deleted in step 4."""
        app, coll, uuid = rec.app, rec.collection, rec.uuid
        version = rec.version + 1
        shards = shards or self._shards(app, coll)
        old = indexing.entries_for(rec.doc, check=False)
        new = indexing.entries_for(doc)
        new_acl = acl if acl is not None else rec.acl
        # moved to another shard count, or another answer to "may anyone read it" (every entry carries
        # it, see readable_by_anyone): every entry is written anew
        moving = shards != rec.shards or readable_by_anyone(new_acl) != readable_by_anyone(rec.acl)
        changed = {p for p in set(old) | set(new) if moving or old.get(p) != new.get(p)}
        pv = {p: v for p, v in rec.prop_versions.items() if p in new and p not in changed}
        pv.update({p: version for p in changed if p in new})
        puts = _keys({p: new[p] for p in changed if p in new}, uuid, pv, shards)
        dels = _keys({p: old[p] for p in changed if p in old}, uuid, rec.prop_versions, rec.shards)
        claimed: list[str] = []
        try:  # claims and new entries at once (steps 1, 2), then the entity (3)
            parallel.run_all([lambda: claimed.extend(self._claim_all(app, coll, uuid, doc, rec.doc)),
                              lambda: self.store.write_index(_prefix(app, coll), puts, [], hidden=_hidden(puts, new_acl))])
            new_rec = Record(app, coll, uuid, version, doc, pv, secret if secret is not None else rec.secret,
                             rec.owner, new_acl, shards=shards,
                             out_verbs=rec.out_verbs, in_verbs=rec.in_verbs)
            self.store.put(new_rec, expected_version=rec.version)
        except BaseException:
            # Entries stay: a concurrent writer at the same version may own identical keys.
            parallel.run_all([partial(self.unique.release, k, uuid) for k in claimed])
            raise
        # Step 4 and the released names, together: neither is visible to a reader that verifies.
        parallel.run_all([lambda: self.store.write_index(_prefix(app, coll), [], dels),
                          *self._releases(app, coll, uuid, rec.doc, doc)])
        return new_rec

    def delete(self, app: str, collection: str, ident: str, *, current: Record | None = None,
               reread: Callable[[Record], None] | None = None) -> dict[str, Any]:
        return public(self.delete_record(app, collection, ident, current=current, reread=reread))

    def delete_record(self, app: str, collection: str, ident: str, *, current: Record | None = None,
                      reread: Callable[[Record], None] | None = None) -> Record:
        """Conditional on the version read; `current` and `reread` as in update_record. The record
        returned is the one deleted (its connection verbs included: a verb change bumps the version)."""
        given, target = [current], [ident]

        def attempt() -> Record:
            rec, given[0] = _current(self, app, collection, target[0], given[0], reread)
            target[0] = rec.uuid
            self.store.delete(app, rec.uuid, rec.version)
            return rec

        rec = retry_optimistic(attempt)
        entries = indexing.entries_for(rec.doc, check=False)
        dels = _keys(entries, rec.uuid, rec.prop_versions, rec.shards)
        parallel.run_all([lambda: self.store.write_index(_prefix(app, collection), [], dels),
                          *self._releases(app, collection, rec.uuid, rec.doc, {})])
        return rec

    def reshard(self, rec: Record, shards: int) -> bool:
        """Rewrite one entity's index entries under `shards` (a layout migration, core/layouts.py): the
        document, its `modified` and its owner stay; the version moves on. Retried on a concurrent
        write, which may have moved it already. False when there was nothing to move."""
        first = [True]

        def attempt() -> bool:
            cur = rec if first[0] else self.store.get(rec.app, rec.uuid)
            first[0] = False
            if cur is None or cur.collection != rec.collection or cur.shards == shards:
                return False
            self._commit(cur, dict(cur.doc), None, shards=shards)
            return True

        return retry_optimistic(attempt)

    # -- unique names --------------------------------------------------------------------
    def _unique_specs(self, app: str, coll: str) -> list[_Unique]:
        """Usergrid's unique names, or, for a collection whose schema declares unique indexes
        (Lightblue `entityInfo.indexes`), exactly those: a Lightblue `customer` may have two
        documents with one `name`. Users and groups keep their names: logins depend on them."""
        declared = self.uniques(app, coll) if self.uniques is not None and coll not in ("users", "groups") else None
        if declared is None:
            return [_Unique(prop, (prop,), True) for prop in unique_fields(coll)]
        return [_Unique("+".join(paths), paths, False) for paths in declared]

    def _claim_all(self, app: str, coll: str, uuid: str, doc: dict[str, Any], old: dict[str, Any]) -> list[str]:
        """Claim every new unique value at once (a user's username and email: one round trip); all or none."""
        todo: list[tuple[str, _Unique, str]] = []
        for spec in self._unique_specs(app, coll):
            value = spec.value(doc)
            if value is None or value == spec.value(old):
                continue
            if spec.usergrid:
                raw = doc.get(spec.label)
                # Usergrid's User.java: an email of "" is a value like any other (seed 000's
                # example user sends one), so it is claimed once per app like any email.
                if not isinstance(raw, str) or not (raw or spec.label == "email"):
                    raise InvalidInput(f"{spec.label} must be a non-empty string")
                if spec.label == "name" and is_uuid(raw):
                    raise InvalidInput("a name cannot be a uuid")
            todo.append((_unique_key(app, coll, spec.label, value), spec, value))
        claimed: list[str] = []

        def claim(key: str, spec: _Unique, value: str) -> None:
            self._claim(key, uuid, app, spec, value)
            claimed.append(key)
            self._names.put(key, uuid)  # a hint for find_by_unique, verified there

        try:
            parallel.run_all([partial(claim, *t) for t in todo])
        except BaseException:
            parallel.run_all([partial(self.unique.release, k, uuid) for k in claimed])
            raise
        return claimed

    def _claim(self, key: str, uuid: str, app: str, spec: _Unique, value: str) -> None:
        owner = self.unique.claim(key, uuid)
        if owner is None or owner == uuid:
            return
        # The owner may be a write that crashed before its entity landed: take over stale claims.
        current = self.unique.get(key)
        if current is not None:
            owner, written = current
            holder = self.store.get(app, owner)
            holds = holder is not None and spec.value(holder.doc) == value
            if not holds and self.clock() - written > GRACE_MS and self.unique.replace(key, owner, uuid):
                return
        coll = key.split("#", 2)[1]
        shown = value if spec.usergrid else "(" + ", ".join(value.split(_JOIN)) + ")"
        raise DuplicateUnique(f"Entity {coll} requires that property named {spec.label} be unique, value of "
                              f"{shown} exists", prop=spec.label)

    def _releases(self, app: str, coll: str, uuid: str, old: dict[str, Any],
                  new: dict[str, Any]) -> list[Callable[[], None]]:
        """The claim releases of unique values `old` held and `new` does not, as calls to run together."""
        out: list[Callable[[], None]] = []
        for spec in self._unique_specs(app, coll):
            value = spec.value(old)
            if value is not None and value != spec.value(new):
                key = _unique_key(app, coll, spec.label, value)
                self._names.drop(key)
                out.append(partial(self.unique.release, key, uuid))
        return out


_JOIN = "\x1f"


class _NameCache:
    """Unique key -> owner uuid, the most recent NAMES of them: a hint, always checked against the entity."""

    NAMES = 10_000

    def __init__(self) -> None:
        self._d: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            got = self._d.get(key)
            if got is not None:
                self._d.move_to_end(key)
            return got

    def put(self, key: str, uuid: str) -> None:
        with self._lock:
            self._d[key] = uuid
            self._d.move_to_end(key)
            while len(self._d) > self.NAMES:
                self._d.popitem(last=False)

    def drop(self, key: str) -> None:
        with self._lock:
            self._d.pop(key, None)


@dataclass(frozen=True)
class _Unique:
    """One unique index: its label in the claim key, the property paths it covers, and whether it is
    a Usergrid name (one string, compared case-insensitively) or a declared index (exact values, as
    MongoDB's unique indexes behind Lightblue compare them; a document missing a field is not claimed)."""

    label: str
    paths: tuple[str, ...]
    usergrid: bool

    def value(self, doc: dict[str, Any]) -> str | None:
        """The claim's value part; None when the document does not take part in this index."""
        if self.usergrid:
            name = doc.get(self.label)
            return name.lower() if isinstance(name, str) else None if name is None else str(name)
        parts = []
        for p in self.paths:
            v: Any = doc
            for seg in p.split("."):
                v = v.get(seg) if isinstance(v, dict) else None
            if v is None or isinstance(v, (dict, list)):
                return None
            parts.append(json.dumps(v, sort_keys=True))
        return _JOIN.join(parts)


def _current(ents: Entities, app: str, collection: str, ident: str, given: Record | None,
             reread: Callable[[Record], None] | None) -> tuple[Record, None]:
    """The record to write against: the caller's on the first attempt, a fresh read after that."""
    if given is not None and given.collection == collection and not given.partial:
        return given, None
    rec = ents.get_record(app, collection, ident)
    if reread is not None:
        reread(rec)
    return rec, None


def readable_by_anyone(acl: dict[str, dict[str, bool]] | None) -> bool:
    """No ACL, or one granting public read (permissions.py `_acl_allows` for a caller with no user
    and no role): what every index entry of the entity records (`r`), for REST-key counts."""
    return acl is None or any(k == "*" and isinstance(p, dict) and bool(p.get("read")) for k, p in acl.items())


def public(rec: Record) -> dict[str, Any]:
    return {"uuid": rec.uuid, "type": singularize(rec.collection), **rec.doc}


def collection_uuid(app: str, collection: str) -> str:
    """A collection's uuid (Usergrid addresses collections by uuid too): stable, derived from
    the app and the name, so no item maps it; resolving one reads the app's collection list."""
    import uuid as _uuid

    return str(_uuid.uuid5(_uuid.UUID(app), collection)) if is_uuid(app) else str(_uuid.uuid5(_uuid.NAMESPACE_URL, f"{app}/{collection}"))


def clean_props(props: Any, drop_nulls: bool) -> dict[str, Any]:
    if not isinstance(props, dict):
        raise InvalidInput("entity must be a JSON object")
    out: dict[str, Any] = {}
    for key, value in props.items():
        if key in SYSTEM_PROPS:
            continue  # clients (the Usergrid SDKs among them) send these back; they are ours to set
        if not isinstance(key, str) or not PROP_RE.match(key) or key.startswith("__"):
            raise InvalidPropertyName(f"invalid property name: {key}")
        if value is None and drop_nulls:
            continue
        out[key] = _geo_point(value) if key == "location" else value
    return out


def _geo_point(value: Any) -> Any:
    """A `location` with latitude and longitude must hold numbers (numeric strings become numbers,
    as Usergrid reads them); anything else there is a 400, not a point silently left unindexed."""
    if not isinstance(value, dict) or not ({"latitude", "longitude"} & set(value)):
        return value
    out = dict(value)
    for key, low, high in (("latitude", -90.0, 90.0), ("longitude", -180.0, 180.0)):
        v = out.get(key)
        if isinstance(v, str):
            try:
                v = float(v.strip())
            except ValueError:
                v = None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not low <= v <= high:
            raise InvalidInput(f"location.{key} must be a number between {low:g} and {high:g}")
        out[key] = v
    return out


def _check_size(doc: dict[str, Any]) -> None:
    """The last gate before a document is stored, whichever dialect or operator built it (an
    increment can overflow what the edge let in): storable numbers, well-formed text, bounded
    depth, and at most MAX_DOC_BYTES of UTF-8 JSON."""
    validate.check(doc, "entity")
    if len(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()) > MAX_DOC_BYTES:
        raise TooLarge(f"entity is larger than {MAX_DOC_BYTES} bytes")


def _prefix(app: str, coll: str) -> str:
    return f"{app}#{coll}#"


def _unique_key(app: str, coll: str, prop: str, value: str) -> str:
    """`value` comes lower-cased from a Usergrid name spec (or from a URL lookup), exact from a declared index."""
    return f"{app}#{coll}#{prop}#{value}"


def _keys(entries: dict[str, set[indexing.Entry]], uuid: str, pv: dict[str, int],
          shards: int) -> list[tuple[str, str]]:
    """(partition under the collection's prefix, sort key) of each entry, spread over `shards` keys."""
    return [(indexing.shard_name(e.prop, uuid, shards), indexing.sort_key(e.enc, uuid, pv[p]))
            for p, es in entries.items() for e in _sorted(es)]


def _hidden(keys: list[tuple[str, str]], acl: dict[str, dict[str, bool]] | None) -> list[tuple[str, str]]:
    """The entries to flag as not readable by everyone: all of them, or none (see readable_by_anyone)."""
    return [] if readable_by_anyone(acl) else keys


def _sorted(es: Iterable[indexing.Entry]) -> list[indexing.Entry]:
    return sorted(es, key=lambda e: (e.prop, e.enc))


def _lower(v: Any) -> Any:
    return v.lower() if isinstance(v, str) else v
