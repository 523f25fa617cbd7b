"""The one door to an app's data: every dialect reads and writes entities through `AppData`.

It binds an app and the caller (principal) to the entity and query services, so the access
rules (the Policy) run below every route: a dialect cannot forget them. Methods returning
`Record`s give dialects the owner and ACL that Backendless and Parse-style APIs expose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .auth import Principal
from .entities import Entities, Page, public
from .errors import Forbidden
from .planner import Executor
from .ports import Record
from .query import Query
from .tenancy import App

ACL = dict[str, dict[str, bool]]
Mutation = Callable[[dict[str, Any]], dict[str, Any]]


class Policy:
    """Decides what a principal may do with a collection or one entity of it."""

    def can(self, app: App, principal: Principal, action: str, collection: str, record: Record | None = None) -> bool:
        return True

    def check(self, app: App, principal: Principal, action: str, collection: str, record: Record | None = None) -> None:
        if not self.can(app, principal, action, collection, record):
            raise Forbidden(f"not allowed to {action} {collection}")


@dataclass
class AppData:
    entities: Entities
    executor: Executor
    app: App
    principal: Principal
    policy: Policy

    def _check(self, action: str, collection: str, record: Record | None = None) -> None:
        self.policy.check(self.app, self.principal, action, collection, record)

    # -- records (owner and ACL included) ------------------------------------------------
    def create_record(self, collection: str, props: dict[str, Any], *, secret: str | None = None,
                      acl: ACL | None = None) -> Record:
        self._check("create", collection)
        owner = self.principal.subject if self.principal.kind == "user" else None
        return self.entities.create_record(self.app.uuid, collection, props, secret=secret, owner=owner, acl=acl)

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
                      replace: bool = False, mutate: Mutation | None = None, acl: ACL | None = None) -> Record:
        rec = self.entities.get_record(self.app.uuid, collection, ident)
        self._check("update", collection, rec)
        return self.entities.update_record(self.app.uuid, collection, rec.uuid, props, secret=secret,
                                           replace=replace, mutate=mutate, acl=acl)

    def delete_record(self, collection: str, ident: str) -> Record:
        rec = self.entities.get_record(self.app.uuid, collection, ident)
        self._check("delete", collection, rec)
        self.entities.delete(self.app.uuid, collection, rec.uuid)
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
