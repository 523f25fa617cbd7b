"""The one door to an app's data: every dialect reads and writes entities through `AppData`.

It binds an app and the caller (principal) to the entity and query services, so the access
rules (the Policy) run below every route: a dialect cannot forget them. Methods returning
`Record`s give dialects the owner and ACL that Backendless and Parse-style APIs expose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .auth import Principal
from .connections import Connections, Linked
from .entities import Entities, Page, public
from .errors import Forbidden, Unauthorized
from .planner import Executor
from .ports import Record
from .query import Query
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
        owner = self.principal.subject if self.principal.kind == "user" else None
        return self.entities.create_record(self.app.uuid, collection, props, secret=secret, owner=owner, acl=acl,
                                           uuid=uuid)

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
        rec = self.entities.get_record(self.app.uuid, collection, ident)
        self._check("read", collection, rec)
        return rec

    def find_record(self, collection: str, ident: str) -> Record | None:
        rec = self.entities.find_record(self.app.uuid, collection, ident)
        if rec is not None:
            self._check("read", collection, rec)
        return rec

    def update_record(self, collection: str, ident: str, props: dict[str, Any], *, secret: str | None = None,
                      replace: bool = False, mutate: Mutation | None = None, acl: ACL | None = None,
                      current: Record | None = None) -> Record:
        """`current`: the record the caller just read (a query's hit), which saves reading it again;
        each version the write is attempted against passes the permission check."""
        rec = current if current is not None else self.entities.get_record(self.app.uuid, collection, ident)
        self._check("update", collection, rec)
        if self.validator is not None:
            inner = mutate
            mutate = lambda doc: self._validate(collection, inner(doc) if inner else doc)  # noqa: E731
        return self.entities.update_record(self.app.uuid, collection, rec.uuid, props, secret=secret,
                                           replace=replace, mutate=mutate, acl=acl, current=rec,
                                           reread=lambda r: self._check("update", collection, r))

    def delete_record(self, collection: str, ident: str, *, current: Record | None = None) -> Record:
        rec = current if current is not None else self.entities.get_record(self.app.uuid, collection, ident)
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
        self._check("query", collection)
        if not self.policy.sees_everything(self.app, self.principal):
            return None
        return self.executor.count(self.app.uuid, collection)

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

    def connected(self, collection: str, ident: str, verb: str, *, reverse: bool = False,
                  query: Query | None = None, newest_first: bool = False) -> Page:
        assert self.connections is not None
        source = self.entities.get_record(self.app.uuid, collection, ident)
        self._check("read", collection, source)
        q = query or Query()
        got: Linked = self.connections.list(
            self.app.uuid, source, verb, reverse=reverse, where=q.where, limit=q.limit, cursor=q.cursor,
            visible=lambda r: self.policy.can(self.app, self.principal, "read", r.collection, r),
            descending=newest_first)
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
        conns.connect(self.app.uuid, owner, "activities", activity)
        conns.connect(self.app.uuid, owner, "feed", activity)
        readers = conns.list(self.app.uuid, owner, "following" if collection == "users" else "users",
                             reverse=collection == "users", limit=1000)
        for reader in readers.records:
            conns.connect(self.app.uuid, reader, "feed", activity)
        return public(activity)
