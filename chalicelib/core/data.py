"""The one door to an app's data: every dialect reads and writes entities through `AppData`.

It binds an app and the caller (principal) to the entity and query services, so the access
rules (the Policy) run below every route: a dialect cannot forget them. Methods returning
`Record`s give dialects the owner and ACL that Backendless and Parse-style APIs expose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from . import casefold, fieldaccess, parallel
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
from .schemas import Schema
from .secrets import hash_password
from .tenancy import App

ACL = dict[str, dict[str, bool]]
Mutation = Callable[[dict[str, Any]], dict[str, Any]]
# User properties only the app itself (client credentials, master key) or an org admin may change.
PROTECTED_USER_FIELDS = ("disabled", "activated", "roles")
# A user named `me` would answer to everybody's `/users/me`: Usergrid reserves the name.
RESERVED_USER_NAMES = ("me",)
# Which schema operation (Lightblue `access`) each policy action needs.
SCHEMA_OP = {"read": "find", "query": "find", "count": "find", "create": "insert", "update": "update", "delete": "delete"}


class Validator(Protocol):
    """Checks a document against its collection's schema; raises an InvalidInput subclass."""

    def check(self, app: str, collection: str, doc: dict[str, Any], version: str | None = None) -> None: ...

    def fill(self, app: str, collection: str, doc: dict[str, Any], version: str | None = None) -> None: ...

    def access_schema(self, app: str, collection: str, version: str | None = None) -> Schema | None:
        """The schema whose `access` rules apply to the collection (None: the collection has none)."""


class Sessions(Protocol):
    """Ends a user's tokens (core/auth.py): on a password change, when disabled, when deleted."""

    def revoke_user(self, app: str, user: str, *, keep: str | None = None, forever: bool = False) -> None: ...


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

    def reads_public(self, app: App, principal: Principal, collection: str) -> bool:
        """True when this caller may read exactly the collection's entities that anyone may read (no
        ACL, or one with public read): its count is the index's count of entries flagged so."""
        return False

    def prefetch(self, app: App, principal: Principal) -> None:
        """Warm whatever `can` reads for this caller; run beside the entity read (one round trip)."""

    def schema_roles(self, app: App, principal: Principal) -> set[str] | None:
        """The caller's roles for schema `access` rules; None for callers every rule lets through."""
        return None

    def key_reads(self, app: App, collection: str) -> bool:
        """Whether the app's API-key role lets a REST key read `collection` (public user profiles
        are read with the key: an emptied key role closes them too)."""
        return True

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
    sessions: Sessions | None = None  # token revocation (core/auth.py)
    _schemas: dict[str, Schema | None] = field(default_factory=dict, repr=False)
    _roles: list[set[str] | None] = field(default_factory=list, repr=False)

    def _new_fields(self, collection: str, props: Any) -> None:
        """Before a write: a field the class has never held needs the `addField` class permission."""
        if self.registry is None or not isinstance(props, dict):
            return
        known = (self.registry.classes(self.app.uuid).get(collection) or {}).get("fields")
        if known is not None and all(k in known or k in SKIP for k in props):
            return
        if not self.policy.may_add_field(self.app, self.principal, collection):
            raise Forbidden(f"Permission denied for action addField on class {collection}.")

    def check_new_fields(self, collection: str, props: dict[str, Any]) -> None:
        """For a write whose fields come from `mutate` rather than props: the same `addField` rule."""
        self._new_fields(collection, props)

    def _observe(self, rec: Record) -> Record:
        if self.registry is not None:
            self.registry.observe(self.app.uuid, rec.collection, rec.doc)
        return rec

    def _observe_props(self, collection: str, docs: list[Any]) -> None:
        """`_observe` for documents about to be written: their union, one registry change at most."""
        if self.registry is None:
            return
        union: dict[str, Any] = {}
        for doc in docs:
            if isinstance(doc, dict):
                for k, v in doc.items():
                    if v is not None and k not in union:
                        union[k] = v
        if union:
            self.registry.observe(self.app.uuid, collection, union)

    def _validate(self, collection: str, doc: dict[str, Any]) -> dict[str, Any]:
        if self.validator is not None:
            self.validator.check(self.app.uuid, collection, doc, self.schema_version)
        return doc

    def _check(self, action: str, collection: str, record: Record | None = None) -> None:
        self.policy.check(self.app, self.principal, action, collection, record)
        schema = self._schema(collection)
        if schema is not None and not schema.allows(SCHEMA_OP[action], self._schema_roles()):
            raise Forbidden(f"no {SCHEMA_OP[action]} access to {collection}", code="crud:NoAccess")

    # -- schema access rules (Lightblue `access`, every dialect) ---------------------------
    def _schema(self, collection: str) -> Schema | None:
        if self.validator is None:
            return None
        if collection not in self._schemas:
            self._schemas[collection] = self.validator.access_schema(self.app.uuid, collection, self.schema_version)
        return self._schemas[collection]

    def _schema_roles(self) -> set[str] | None:
        if not self._roles:
            self._roles.append(self.policy.schema_roles(self.app, self.principal))
        return self._roles[0]

    def hidden(self, collection: str, operation: str = "find") -> list[str]:
        """Field paths the caller may not `operation` (find, insert, update) in this collection."""
        schema = self._schema(collection)
        return [] if schema is None else schema.hidden_fields(operation, self._schema_roles())

    def _view(self, rec: Record) -> Record:
        """The record as the caller may see it: unreadable fields removed (then marked partial)."""
        doc, removed = fieldaccess.strip(rec.doc, self.hidden(rec.collection))
        return replace(rec, doc=doc, partial=True) if removed else rec

    def _check_query(self, collection: str, query: Query) -> None:
        self.check_fields(collection, list(fieldaccess.fields_of(query.where)) + [f for f, _ in query.order])

    def check_fields(self, collection: str, paths: list[str]) -> None:
        """Refuses query terms or sort keys on fields the caller may not read (a dialect sorting in
        memory names its keys here); `query` checks its own where clause and order."""
        hidden = self.hidden(collection)
        if not hidden:
            return
        for path in paths:
            if fieldaccess.touches(path, hidden) is not None:
                raise Forbidden(f"no find access to {path}", code="crud:NoAccess")

    @property
    def privileged(self) -> bool:
        """The app itself (client credentials, master key) or an org admin."""
        return self.principal.kind in ("app", "admin")

    def _check_new(self, collection: str, doc: dict[str, Any]) -> None:
        for p in self.hidden(collection, "insert"):
            if fieldaccess.values_at(doc, p) != fieldaccess.values_at({}, p):
                raise Forbidden(f"no insert access to {p}", code="crud:insert:NoFieldAccess")
        if collection == "users":
            _reserved_names(doc, {})

    def _guard(self, collection: str, secret: str | None) -> Callable[[Record, dict[str, Any]], dict[str, Any]]:
        """What an update may change, checked on the stored document and the one about to be written."""
        def guard(old: Record, new: dict[str, Any]) -> dict[str, Any]:
            new = fieldaccess.keep_hidden(old.doc, new, self.hidden(collection))
            for p in fieldaccess.changed(old.doc, new, self.hidden(collection, "update")):
                raise Forbidden(f"no update access to {p}", code="crud:update:NoFieldAccess")
            if collection == "users":
                self._user_change(old, new, secret)
            return new
        return guard

    def _user_change(self, old: Record, new: dict[str, Any], secret: str | None) -> None:
        _reserved_names(new, old.doc)
        if self.privileged:
            return
        touched = [f for f in PROTECTED_USER_FIELDS if old.doc.get(f) != new.get(f)]
        if touched:
            raise Forbidden(f"only the application or an admin may change {', '.join(touched)}")
        if secret is not None and self.principal.subject != old.uuid:
            raise Forbidden("a user's password is changed by the user itself or the application")

    # -- records (owner and ACL included) ------------------------------------------------
    def create_record(self, collection: str, props: dict[str, Any], *, secret: str | None = None,
                      acl: ACL | None = None, uuid: str | None = None, keep_nulls: bool = False) -> Record:
        """`keep_nulls`: null properties are stored (Parse-style dialects), not dropped (Entities.create_record)."""
        self._prefetch_write(collection)
        self._check("create", collection)
        props, secret = _password(collection, props, secret)
        if self.validator is not None and isinstance(props, dict):
            self.validator.fill(self.app.uuid, collection, props, self.schema_version)
        self._validate(collection, {k: v for k, v in props.items() if v is not None} if isinstance(props, dict) else props)
        if isinstance(props, dict):
            self._check_new(collection, props)
        self._new_fields(collection, props)
        owner = self.principal.subject if self.principal.kind == "user" else None
        return self._view(self._observe(self.entities.create_record(
            self.app.uuid, collection, props, secret=secret, owner=owner, acl=acl, uuid=uuid,
            keep_nulls=keep_nulls)))

    def _read(self, collection: str, ident: str) -> Record | None:
        """The entity, the caller's rules and the collection's schema (its field `access` rules),
        fetched together: the check and the view that follow read no more (on a cold container the
        schema was one more round trip after the entity)."""
        got: list[Record | None] = []
        parallel.run_all([lambda: self.policy.prefetch(self.app, self.principal),
                          lambda: got.append(self.entities.find_record(self.app.uuid, collection, ident)),
                          lambda: self._prefetch_schema(collection)])
        return got[0]

    def _prefetch_write(self, collection: str) -> None:
        """What a create reads before writing, fetched together (each is cached per container, so a
        warm container reads nothing): the caller's rules, the collection's schema, the class
        registry (new fields, `addField`) and the collection's index layout. A cold container paid
        them one after another, four round trips before the first write."""
        calls: list[Callable[[], Any]] = [lambda: self.policy.prefetch(self.app, self.principal),
                                          lambda: self._prefetch_schema(collection),
                                          lambda: self.entities.prefetch_layout(self.app.uuid, collection)]
        if self.registry is not None:
            registry = self.registry
            calls.append(lambda: registry.classes(self.app.uuid))
        parallel.run_all(calls)

    def _prefetch_schema(self, collection: str) -> None:
        try:
            self._schema(collection)
        except CoreError:
            pass  # raised again where the schema is used, after the read's own errors

    def _must_read(self, collection: str, ident: str) -> Record:
        rec = self._read(collection, ident)
        if rec is None:
            raise EntityNotFound(f"Could not find entity {ident} in {collection}")
        return rec

    def create_many(self, collection: str, items: list[tuple[dict[str, Any], ACL | None]], *,
                    keep_nulls: bool = False) -> list[Record | CoreError]:
        """Several creates in one collection, two sequential round trips in all (Entities.create_many);
        each item is checked (permission, schema) and succeeds or fails on its own."""
        owner = self.principal.subject if self.principal.kind == "user" else None
        out: list[Record | CoreError | None] = []
        todo: list[tuple[int, NewEntity]] = []
        if items:
            self._prefetch_write(collection)
        for i, (props, acl) in enumerate(items):
            try:
                self._check("create", collection)
                if self.validator is not None and isinstance(props, dict):
                    self.validator.fill(self.app.uuid, collection, props, self.schema_version)
                self._validate(collection, {k: v for k, v in props.items() if v is not None}
                               if isinstance(props, dict) else props)
                if isinstance(props, dict):
                    self._check_new(collection, props)
                self._new_fields(collection, props)
                todo.append((i, NewEntity(props, owner=owner, acl=acl, keep_nulls=keep_nulls)))
                out.append(None)
            except CoreError as e:
                out.append(e)
        done: list[Record | CoreError] = []
        # The registry learns the batch's new fields beside the writes (one round trip, not one more
        # after them): a field registered for an item that then fails is harmless (Parse Server, too,
        # updates the schema before it writes the objects).
        parallel.run_all([lambda: done.extend(self.entities.create_many(self.app.uuid, collection,
                                                                        [n for _, n in todo])),
                          lambda: self._observe_props(collection, [n.props for _, n in todo])])
        for (i, _), got in zip(todo, done, strict=True):
            out[i] = self._view(got) if isinstance(got, Record) else got
        return [o for o in out if o is not None]

    def import_record(self, collection: str, props: dict[str, Any], *, uuid: str, secret: str | None,
                      owner: str | None, acl: ACL | None, stamps: tuple[int, int] | None) -> Record:
        """An entity brought in from an export (core/transfer.py): its uuid, owner, ACL, password hash
        and timestamps are kept. Only callers who see everything (org admins, the app) may do this."""
        if not self.policy.sees_everything(self.app, self.principal):
            raise Forbidden("importing needs the app's credentials or an org admin")
        self._check("create", collection)
        self._validate(collection, {k: v for k, v in props.items() if v is not None})
        return self._observe(self.entities.create_record(self.app.uuid, collection, props, secret=secret,
                                                         owner=owner, acl=acl, uuid=uuid, stamps=stamps))

    def record(self, collection: str, ident: str) -> Record:
        rec = self._must_read(collection, ident)
        self._check("read", collection, rec)
        return self._view(rec)

    def find_record(self, collection: str, ident: str) -> Record | None:
        rec = self._read(collection, ident)
        if rec is not None:
            self._check("read", collection, rec)
        return None if rec is None else self._view(rec)

    def update_record(self, collection: str, ident: str, props: dict[str, Any], *, secret: str | None = None,
                      replace: bool = False, mutate: Mutation | None = None, acl: ACL | None = None,
                      current: Record | None = None, keep_nulls: bool = False) -> Record:
        """`current`: the record the caller just read (a query's hit), which saves reading it again;
        `keep_nulls`: a null property is stored as null, not removed (Parse-style dialects);
        each version the write is attempted against passes the permission check, and the field rules
        (schema `access`, protected user fields) on the document about to be written. A user's new
        password, its disabling or deactivation end its other sessions."""
        props, secret = _password(collection, props, secret)
        if current is not None and current.partial:
            current = None  # a copy with fields removed for the caller: write against the stored one
        rec = current if current is not None else self._must_read(collection, ident)
        self._check("update", collection, rec)
        self._new_fields(collection, props)
        if self.validator is not None:
            inner = mutate
            mutate = lambda doc: self._validate(collection, inner(doc) if inner else doc)  # noqa: E731
        new = self._observe(self.entities.update_record(self.app.uuid, collection, rec.uuid, props, secret=secret,
                                          replace=replace, mutate=mutate, acl=acl, current=rec,
                                          reread=lambda r: self._check("update", collection, r),
                                          guard=self._guard(collection, secret), keep_nulls=keep_nulls))
        if collection == "users" and self.sessions is not None:
            ended = new.doc.get("disabled") is True or new.doc.get("activated") is False
            if ended:
                self.sessions.revoke_user(self.app.uuid, new.uuid)
            elif secret is not None:
                mine = self.principal.kind == "user" and self.principal.subject == new.uuid
                self.sessions.revoke_user(self.app.uuid, new.uuid, keep=self.principal.session if mine else None)
        return self._view(new)

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
        if current is not None and current.partial:
            current = None
        rec = current if current is not None else self._must_read(collection, ident)
        self._check("delete", collection, rec)
        rec = self.entities.delete_record(self.app.uuid, collection, rec.uuid, current=rec,
                                          reread=lambda r: self._check("delete", collection, r))
        if self.connections is not None:  # its connections both ways (Usergrid: deleting either end)
            self.connections.unlink(self.app.uuid, rec)
        if collection == "users" and self.sessions is not None:
            self.sessions.revoke_user(self.app.uuid, rec.uuid, forever=True)
        return self._view(rec)

    def check_all(self, action: str, collection: str, records: list[Record],
                  props: dict[str, Any] | None = None) -> None:
        """A multi-entity write checks every target before changing any: no partial write then 403.
        `props` (an update merged into each target) is checked against the field rules too."""
        for rec in records:
            self._check(action, collection, rec)
            if action == "update" and props is not None:
                merged = {**rec.doc, **{k: v for k, v in props.items() if v is not None}}
                for k in [k for k, v in props.items() if v is None]:
                    merged.pop(k, None)
                self._guard(collection, None)(rec, merged)

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
        if query.fold_case:
            query = self._spelled(collection, query)
        self._check_query(collection, query)
        result = self.executor.run(
            self.app.uuid, collection, query,
            visible=lambda r: self.policy.can(self.app, self.principal, "read", collection, r))
        records = [self._view(r) for r in result.records]
        return Page([public(r) for r in records], result.cursor, records)

    def _spelled(self, collection: str, query: Query) -> Query:
        """A case-insensitive query over the spellings the collection has stored (core/casefold.py)."""
        known = self.registry.spellings(self.app.uuid, collection) if self.registry is not None else {}
        return casefold.spell(query, lambda path: known.get(path, []))

    # -- public user profiles (Parse: users are readable with the app's key) -------------------
    def _profile_hidden(self) -> list[str]:
        """Fields a profile leaves out: the schema's unreadable ones, and the email for all but the
        app and admins (a user reading itself gets its full record instead, email included)."""
        return self.hidden("users") + ([] if self.privileged else ["email"])

    def _profile(self, rec: Record) -> Record | None:
        if self.policy.can(self.app, self.principal, "read", "users", rec):
            return self._view(rec)  # itself, the app, an admin, a role naming /users paths
        if rec.acl is not None:
            return None  # an ACL decides alone, and it said no
        doc, _ = fieldaccess.strip(rec.doc, self._profile_hidden())
        return replace(rec, doc=doc, secret=None, partial=True)

    def _check_profiles(self) -> None:
        if self.principal.is_anonymous and not self.app.is_sandbox:
            raise Unauthorized("log in to read users")
        if (self.principal.kind == "key" or self.principal.via_key) and not self.policy.key_reads(self.app, "users"):
            raise Forbidden("the API key may not read users")
        schema = self._schema("users")
        if schema is not None and not schema.allows("find", self._schema_roles()):
            raise Forbidden("no find access to users", code="crud:NoAccess")

    def profile(self, ident: str) -> Record:
        """A user as any caller of the app may see it (Parse's public `_User` read): never the password
        hash, and the email only for the user itself and privileged callers."""
        self._check_profiles()
        got = self._profile(self.entities.get_record(self.app.uuid, "users", ident))
        if got is None:
            raise Forbidden("not allowed to read this user")
        return got

    def profiles(self, query: Query) -> Page:
        """Users as profiles (see `profile`); a query or sort on what a profile hides is refused."""
        self._check_profiles()
        hidden = self._profile_hidden()
        for path in list(fieldaccess.fields_of(query.where)) + [f for f, _ in query.order]:
            if fieldaccess.touches(path, hidden) is not None:
                raise Forbidden(f"no find access to {path}", code="crud:NoAccess")
        result = self.executor.run(self.app.uuid, "users", query, visible=lambda r: self._profile(r) is not None)
        records = [p for p in (self._profile(r) for r in result.records) if p is not None]
        return Page([public(r) for r in records], result.cursor, records)

    def count_all(self, collection: str, *, asked: bool = True) -> int | None:
        """How many entities the collection holds, from its `created` index alone (no entity read);
        None when some may be hidden from the caller, whose count then needs the entities themselves.
        Entries of a create still in flight, or of a crashed write no reader has repaired yet, count too.
        `asked=False`: a count a listing answers anyway (Lightblue's matchCount), checked as the query."""
        return self.count(collection, None, asked=asked)

    def check_count(self, collection: str) -> None:
        """Refuses a count the client asks for (Parse's `count=1`, Backendless' `/count`) that the
        caller may not make (Parse's `count` class permission), whichever way it is then counted."""
        self._check("count", collection)

    def countable(self, collection: str, where: Node | None) -> bool:
        """Would `count` try the index alone (no entity read)? It may still answer None (see `count`)."""
        return count_range(where) is not None and (self.policy.sees_everything(self.app, self.principal)
                                                   or self.policy.reads_public(self.app, self.principal, collection))

    def count(self, collection: str, where: Node | None, *, asked: bool = True) -> int | None:
        """How many entities match `where`, counted on the index alone (planner.count_range): no entity is
        read. For a caller who reads exactly the entities anyone may read (a REST key: `reads_public`),
        the entries flagged so. None when readability is per entity for this caller, when the where
        clause needs each entity checked, or when an entry predates the flag; the caller then counts
        what a query returns. `asked`: a count the client asked for (see `check_count`)."""
        self._check("count" if asked else "query", collection)
        if self.policy.sees_everything(self.app, self.principal):
            return self.executor.count(self.app.uuid, collection, where)
        if self.policy.reads_public(self.app, self.principal, collection):
            self._check_query(collection, Query(where=where))  # no count may tell a hidden field's value
            return self.executor.count(self.app.uuid, collection, where, public_only=True)
        return None

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
            visible=lambda r: self._readable(r), fold_case=q.fold_case)
        records = [self._view(r) for r in got.records]
        return Page([public(r) for r in records], got.cursor, records)

    def connected_all(self, collection: str, ident: str, *, reverse: bool = False, query: Query | None = None,
                      skip: tuple[str, ...] = ()) -> Page:
        """Every verb at once (Usergrid's `/connections`, `/connecting`): the verbs the entity item
        names (at most MAX_VERBS, no scan), less `skip` (links a dialect shows as something else),
        merged newest connection first; permissions and deleted ends as in `connected`."""
        assert self.connections is not None
        source = self.entities.get_record(self.app.uuid, collection, ident)
        self._check("read", collection, source)
        q = query or Query()
        verbs = [v for v in (source.in_verbs if reverse else source.out_verbs) if v not in skip]
        got: Linked = self.connections.list_all(
            self.app.uuid, source, verbs, reverse=reverse, where=q.where, limit=q.limit, cursor=q.cursor,
            visible=lambda r: self._readable(r), fold_case=q.fold_case)
        records = [self._view(r) for r in got.records]
        return Page([public(r) for r in records], got.cursor, records)

    def readable_by_uuid(self, wanted: dict[str, str]) -> dict[str, Record]:
        """The entities of `wanted` (uuid -> the collection it must belong to) that the caller may read,
        as it may see them: one BatchGetItem per 100 ids. Missing, unreadable and other-collection ids
        are left out alike, so an answer never tells which of the three an id was."""
        if not wanted:
            return {}
        self.policy.prefetch(self.app, self.principal)
        got = self.entities.store.batch_get(self.app.uuid, sorted(wanted))
        return {u: self._view(r) for u, r in got.items()
                if r.collection == wanted.get(u) and self._readable(r)}

    def writable(self, collection: str, ident: str) -> Record:
        """The entity, checked for `update` by this caller (a relation set on it changes it)."""
        rec = self._must_read(collection, ident)
        self._check("update", collection, rec)
        return rec

    def _readable(self, rec: Record) -> bool:
        if not self.policy.can(self.app, self.principal, "read", rec.collection, rec):
            return False
        schema = self._schema(rec.collection)
        return schema is None or schema.allows("find", self._schema_roles())

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
        if not (self.privileged and isinstance(body.get("actor"), dict)):
            # Usergrid fills `actor` from the posting user: nobody posts in another's name.
            poster = owner if collection == "users" else None
            if self.principal.kind == "user" and self.principal.subject and self.principal.subject != owner.uuid:
                poster = self.entities.store.get(self.app.uuid, self.principal.subject)
            body.pop("actor", None)
            if poster is not None:
                body["actor"] = {"uuid": poster.uuid, "username": poster.doc.get("username"),
                                 "displayName": poster.doc.get("name") or poster.doc.get("username")}
        if not isinstance(body.get("verb"), str) or not body["verb"]:
            body["verb"] = "post"
        activity = self._observe(self.entities.create_record(self.app.uuid, "activities", body,
                                                             owner=self.principal.subject))
        conns = self.connections
        conns.connect(self.app.uuid, owner, "activities", activity, fresh=True)
        conns.connect(self.app.uuid, owner, "feed", activity, fresh=True)
        readers = conns.list(self.app.uuid, owner, "following" if collection == "users" else "users",
                             reverse=collection == "users", limit=1000)
        for reader in readers.records:
            conns.connect(self.app.uuid, reader, "feed", activity, fresh=True)
        return public(activity)


def _password(collection: str, props: Any, secret: str | None) -> tuple[Any, str | None]:
    """A user's `password` property, whichever API sends it, becomes its hash beside the document
    (never part of it): a plain `PUT /1/_User/<self> {"password"}` really changes the password."""
    if collection != "users" or not isinstance(props, dict) or "password" not in props:
        return props, secret
    props = dict(props)
    pw = props.pop("password")
    if pw is None:
        return props, secret
    if not isinstance(pw, str) or not pw:
        raise InvalidInput("password must be a non-empty string", field="password")
    return props, secret if secret is not None else hash_password(pw)


def _reserved_names(doc: dict[str, Any], old: dict[str, Any]) -> None:
    for prop in ("username", "name"):
        value = doc.get(prop)
        if isinstance(value, str) and value.lower() in RESERVED_USER_NAMES and value != old.get(prop):
            raise InvalidInput(f"{value!r} is a reserved name: it cannot be a user's {prop}", field=prop)
