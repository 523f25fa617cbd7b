"""The one door to an app's data: every dialect reads and writes entities through `AppData`.

It binds an app and the caller (principal) to the entity and query services, so the access
rules (the Policy) run below every route: a dialect cannot forget them. Methods returning
`Record`s give dialects the owner and ACL that Backendless and Parse-style APIs expose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from . import parallel
from .auth import Principal
from .classes import SKIP, ClassRegistry
from .connections import Connections, Linked
from .entities import Entities, NewEntity, Page, collection_key, collection_uuid, name_field, public
from .errors import (
    ConcurrencyExhausted,
    CoreError,
    DuplicateUnique,
    EntityNotFound,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
)
from .ids import is_uuid
from .planner import Executor, count_range
from .ports import Record, VersionConflict
from .query import Node, Query
from .tenancy import App

ACL = dict[str, dict[str, bool]]
Mutation = Callable[[dict[str, Any]], dict[str, Any]]


class Validator(Protocol):
    """Checks a document against its collection's schema; raises an InvalidInput subclass."""

    def check(self, app: str, collection: str, doc: dict[str, Any], version: str | None = None) -> None: ...

    def fill(self, app: str, collection: str, doc: dict[str, Any], version: str | None = None) -> None: ...


class Policy:
    """Decides what a principal may do with a collection or one entity of it."""

    def can(self, app: App, principal: Principal, action: str, collection: str, record: Record | None = None) -> bool:
        return True

    def sees_everything(self, app: App, principal: Principal) -> bool:
        """True when no entity is hidden from this caller, so an index count is its count too."""
        return True

    def may_add_field(self, app: App, principal: Principal, collection: str) -> bool:
        """Whether this caller's write may bring a field the collection has never held (Parse `addField`)."""
        return True

    def prefetch(self, app: App, principal: Principal) -> None:
        """Warm whatever `can` reads for this caller; run beside the entity read (one round trip)."""

    def check(self, app: App, principal: Principal, action: str, collection: str, record: Record | None = None) -> None:
        if not self.can(app, principal, action, collection, record):
            if principal.is_anonymous:
                raise Unauthorized(f"log in to {action} {collection}")
            raise Forbidden(f"not allowed to {action} {collection}")


@dataclass
class AppData:
    entities: Entities
    executor: Executor
    app: App
    principal: Principal
    policy: Policy
    connections: Connections | None = None
    validator: Validator | None = None  # schema validation (core/metadata.py), when the app has schemas
    schema_version: str | None = None  # the schema version writes are checked against (None: default)
    registry: ClassRegistry | None = None  # the fields each collection holds (core/classes.py), kept on write

    def _new_fields(self, collection: str, props: Any) -> None:
        """Before a write: a field the class has never held needs the `addField` class permission."""
        if self.registry is None or not isinstance(props, dict):
            return
        known = (self.registry.classes(self.app.uuid).get(collection) or {}).get("fields")
        if known is not None and all(k in known or k in SKIP for k in props):
            return
        if not self.policy.may_add_field(self.app, self.principal, collection):
            raise Forbidden(f"Permission denied for action addField on class {collection}.")

    def _observe(self, rec: Record) -> Record:
        if self.registry is not None:
            self.registry.observe(self.app.uuid, rec.collection, rec.doc)
        return rec

    def _validate(self, collection: str, doc: dict[str, Any]) -> dict[str, Any]:
        if self.validator is not None:
            self.validator.check(self.app.uuid, collection, doc, self.schema_version)
        return doc

    def _check(self, action: str, collection: str, record: Record | None = None) -> None:
        self.policy.check(self.app, self.principal, action, collection, record)

    # -- records (owner and ACL included) ------------------------------------------------
    def create_record(self, collection: str, props: dict[str, Any], *, secret: str | None = None,
                      acl: ACL | None = None, uuid: str | None = None) -> Record:
        self._check("create", collection)
        if self.validator is not None and isinstance(props, dict):
            self.validator.fill(self.app.uuid, collection, props, self.schema_version)
        self._validate(collection, {k: v for k, v in props.items() if v is not None} if isinstance(props, dict) else props)
        self._new_fields(collection, props)
        owner = self.principal.subject if self.principal.kind == "user" else None
        return self._observe(self.entities.create_record(self.app.uuid, collection, props, secret=secret, owner=owner,
                                                         acl=acl, uuid=uuid))

    def _read(self, collection: str, ident: str) -> Record | None:
        """The entity and the caller's rules, fetched together: the check that follows reads no more."""
        got: list[Record | None] = []
        parallel.run_all([lambda: self.policy.prefetch(self.app, self.principal),
                          lambda: got.append(self.entities.find_record(self.app.uuid, collection, ident))])
        return got[0]

    def _must_read(self, collection: str, ident: str) -> Record:
        rec = self._read(collection, ident)
        if rec is None:
            raise EntityNotFound(f"Could not find entity {ident} in {collection}")
        return rec

    def create_many(self, collection: str, items: list[tuple[dict[str, Any], ACL | None]]) -> list[Record | CoreError]:
        """Several creates in one collection, two sequential round trips in all (Entities.create_many);
        each item is checked (permission, schema) and succeeds or fails on its own."""
        owner = self.principal.subject if self.principal.kind == "user" else None
        out: list[Record | CoreError | None] = []
        todo: list[tuple[int, NewEntity]] = []
        for i, (props, acl) in enumerate(items):
            try:
                self._check("create", collection)
                if self.validator is not None and isinstance(props, dict):
                    self.validator.fill(self.app.uuid, collection, props, self.schema_version)
                self._validate(collection, {k: v for k, v in props.items() if v is not None}
                               if isinstance(props, dict) else props)
                self._new_fields(collection, props)
                todo.append((i, NewEntity(props, owner=owner, acl=acl)))
                out.append(None)
            except CoreError as e:
                out.append(e)
        done = self.entities.create_many(self.app.uuid, collection, [n for _, n in todo])
        for (i, _), got in zip(todo, done, strict=True):
            out[i] = self._observe(got) if isinstance(got, Record) else got
        return [o for o in out if o is not None]
    def import_record(self, collection: str, props: dict[str, Any], *, uuid: str, secret: str | None,
                      owner: str | None, acl: ACL | None, stamps: tuple[int, int] | None) -> Record:
        """An entity brought in from an export (core/transfer.py): its uuid, owner, ACL, password hash
        and timestamps are kept. Only callers who see everything (org admins, the app) may do this."""
        if not self.policy.sees_everything(self.app, self.principal):
            raise Forbidden("importing needs the app's credentials or an org admin")
        self._check("create", collection)
        self._validate(collection, {k: v for k, v in props.items() if v is not None})
        return self.entities.create_record(self.app.uuid, collection, props, secret=secret, owner=owner, acl=acl,
                                           uuid=uuid, stamps=stamps)

    def record(self, collection: str, ident: str) -> Record:
        rec = self._must_read(collection, ident)
        self._check("read", collection, rec)
        return rec

    def find_record(self, collection: str, ident: str) -> Record | None:
        rec = self._read(collection, ident)
        if rec is not None:
            self._check("read", collection, rec)
        return rec

    def update_record(self, collection: str, ident: str, props: dict[str, Any], *, secret: str | None = None,
                      replace: bool = False, mutate: Mutation | None = None, acl: ACL | None = None,
                      current: Record | None = None) -> Record:
        """`current`: the record the caller just read (a query's hit), which saves reading it again;
        each version the write is attempted against passes the permission check."""
        rec = current if current is not None else self._must_read(collection, ident)
        self._check("update", collection, rec)
        self._new_fields(collection, props)
        if self.validator is not None:
            inner = mutate
            mutate = lambda doc: self._validate(collection, inner(doc) if inner else doc)  # noqa: E731
        return self._observe(self.entities.update_record(self.app.uuid, collection, rec.uuid, props, secret=secret,
                                                         replace=replace, mutate=mutate, acl=acl, current=rec,
                                                         reread=lambda r: self._check("update", collection, r)))

    def collections(self) -> list[str]:
        """The app's collections that have held an entity."""
        names = self.entities.collection_names
        return names(self.app.uuid) if names is not None else []

    def collection(self, segment: str) -> str:
        """A URL's collection segment, by name (any case, singular or plural) or by uuid."""
        if is_uuid(segment):
            found = next((c for c in self.collections()
                          if collection_uuid(self.app.uuid, c) == segment.lower()), None)
            if found is None:
                raise NotFound(f"no collection has the uuid {segment}")
            return found
        return collection_key(segment)

    def upsert_record(self, collection: str, ident: str, props: dict[str, Any]) -> Record:
        """Update the entity a uuid or name addresses, or create it with that uuid or name when
        there is none (Usergrid's PUT, reference section 3). A create lost to a concurrent one
        (same name claimed, same uuid put) becomes an update of the winner."""
        for _ in range(3):
            rec = self.entities.find_record(self.app.uuid, collection, ident)
            if rec is not None:
                return self.update_record(collection, rec.uuid, props, current=rec)
            if is_uuid(ident):
                taken = self.entities.store.get(self.app.uuid, ident.lower())
                if taken is not None:
                    raise InvalidInput(f"{ident} is the uuid of an entity of another collection")
                try:
                    return self.create_record(collection, props, uuid=ident.lower())
                except VersionConflict:
                    continue
            try:
                return self.create_record(collection, {**props, name_field(collection): ident})
            except DuplicateUnique:
                continue
        raise ConcurrencyExhausted()

    def delete_record(self, collection: str, ident: str, *, current: Record | None = None) -> Record:
        rec = current if current is not None else self._must_read(collection, ident)
        self._check("delete", collection, rec)
        self.entities.delete(self.app.uuid, collection, rec.uuid, current=rec,
                             reread=lambda r: self._check("delete", collection, r))
        return rec

    # -- plain documents -----------------------------------------------------------------
    def create(self, collection: str, props: dict[str, Any], *, secret: str | None = None,
               acl: ACL | None = None) -> dict[str, Any]:
        return public(self.create_record(collection, props, secret=secret, acl=acl))

    def get(self, collection: str, ident: str) -> dict[str, Any]:
        return public(self.record(collection, ident))

    def find(self, collection: str, ident: str) -> dict[str, Any] | None:
        rec = self.find_record(collection, ident)
        return public(rec) if rec is not None else None

    def update(self, collection: str, ident: str, props: dict[str, Any], *, secret: str | None = None,
               replace: bool = False, mutate: Mutation | None = None, acl: ACL | None = None) -> dict[str, Any]:
        return public(self.update_record(collection, ident, props, secret=secret, replace=replace,
                                         mutate=mutate, acl=acl))

    def delete(self, collection: str, ident: str) -> dict[str, Any]:
        return public(self.delete_record(collection, ident))

    def query(self, collection: str, query: Query) -> Page:
        """Only what the caller may read, filtered inside the indexed read (counts and cursors stay right)."""
        self._check("query", collection)
        result = self.executor.run(
            self.app.uuid, collection, query,
            visible=lambda r: self.policy.can(self.app, self.principal, "read", collection, r))
        return Page([public(r) for r in result.records], result.cursor, result.records)

    def count_all(self, collection: str) -> int | None:
        """How many entities the collection holds, from its `created` index alone (no entity read);
        None when some may be hidden from the caller, whose count then needs the entities themselves.
        Entries of a create still in flight, or of a crashed write no reader has repaired yet, count too."""
        return self.count(collection, None)

    def countable(self, collection: str, where: Node | None) -> bool:
        """Would `count` answer from the index alone (no read needed to tell)?"""
        return self.policy.sees_everything(self.app, self.principal) and count_range(where) is not None

    def count(self, collection: str, where: Node | None) -> int | None:
        """How many entities match `where`, counted on the index alone (planner.count_range): no entity is
        read. None when the caller may not see everything (readability is per entity) or the where clause
        needs each entity checked; the caller then counts what a query returns."""
        self._check("query", collection)
        if not self.policy.sees_everything(self.app, self.principal):
            return None
        return self.executor.count(self.app.uuid, collection, where)

    # -- connections ---------------------------------------------------------------------
    def _target(self, ident: str, collection: str | None) -> Record:
        if collection is None:
            rec = self.entities.store.get(self.app.uuid, ident.lower())
            if rec is None:
                from .errors import EntityNotFound

                raise EntityNotFound(f"Could not find entity {ident}")
            return rec
        return self.entities.get_record(self.app.uuid, collection, ident)

    def connect(self, collection: str, ident: str, verb: str, target: str, target_collection: str | None = None,
                *, remove: bool = False) -> Record:
        """Connecting changes the source (update) and names the target (read)."""
        assert self.connections is not None
        source = self.entities.get_record(self.app.uuid, collection, ident)
        self._check("update", collection, source)
        dest = self._target(target, target_collection)
        self._check("read", dest.collection, dest)
        (self.connections.disconnect if remove else self.connections.connect)(self.app.uuid, source, verb, dest)
        return dest

    def connection(self, collection: str, ident: str, verb: str, target: str,
                   target_collection: str | None = None) -> Record:
        """The target of one connection; NotFound when the two are not connected by `verb`."""
        assert self.connections is not None
        source = self.entities.get_record(self.app.uuid, collection, ident)
        self._check("read", collection, source)
        dest = self._target(target, target_collection)
        self._check("read", dest.collection, dest)
        if not self.connections.connected(self.app.uuid, source, verb, dest):
            raise NotFound(f"/{collection}/{ident}/{verb}/{target} is not connected")
        return dest

    def connected(self, collection: str, ident: str, verb: str, *, reverse: bool = False,
                  query: Query | None = None) -> Page:
        """Newest connection first (re-connecting moves an entity to the front), as Usergrid lists."""
        assert self.connections is not None
        source = self.entities.get_record(self.app.uuid, collection, ident)
        self._check("read", collection, source)
        q = query or Query()
        got: Linked = self.connections.list(
            self.app.uuid, source, verb, reverse=reverse, where=q.where, limit=q.limit, cursor=q.cursor,
            visible=lambda r: self.policy.can(self.app, self.principal, "read", r.collection, r))
        return Page([public(r) for r in got.records], got.cursor, got.records)

    # -- activities ----------------------------------------------------------------------
    def post_activity(self, collection: str, ident: str, props: dict[str, Any]) -> dict[str, Any]:
        """An activity of a user or group: stored once, linked to its poster, fanned out to feeds.

        Feeds are written on post (one batch of two index items per reader): followers of a
        user (`following` connections, reverse) or members of a group. Reading a feed is then
        one Query, newest first, whatever the number of people followed.
        """
        assert self.connections is not None
        owner = self.entities.get_record(self.app.uuid, collection, ident)
        self._check("update", collection, owner)
        body = dict(props)
        if collection == "users" and not isinstance(body.get("actor"), dict):
            body["actor"] = {"uuid": owner.uuid, "username": owner.doc.get("username"),
                             "displayName": owner.doc.get("name") or owner.doc.get("username")}
        if not isinstance(body.get("verb"), str) or not body["verb"]:
            body["verb"] = "post"
        activity = self.entities.create_record(self.app.uuid, "activities", body, owner=self.principal.subject)
        conns = self.connections
        conns.connect(self.app.uuid, owner, "activities", activity, fresh=True)
        conns.connect(self.app.uuid, owner, "feed", activity, fresh=True)
        readers = conns.list(self.app.uuid, owner, "following" if collection == "users" else "users",
                             reverse=collection == "users", limit=1000)
        for reader in readers.records:
            conns.connect(self.app.uuid, reader, "feed", activity, fresh=True)
        return public(activity)
