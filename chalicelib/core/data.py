"""The one door to an app's data: every dialect reads and writes entities through `AppData`.

It binds an app and the caller (principal) to the entity and query services, so the access
rules (permissions.py) run below every route: a dialect cannot forget them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .auth import Principal
from .entities import Entities, Page, public
from .planner import Executor
from .ports import Record
from .query import Query
from .tenancy import App


class Policy:
    """Decides what a principal may do. The default allows what reached the app (see permissions.py)."""

    def can(self, app: App, principal: Principal, action: str, collection: str, record: Record | None = None) -> bool:
        return True

    def check(self, app: App, principal: Principal, action: str, collection: str, record: Record | None = None) -> None:
        if not self.can(app, principal, action, collection, record):
            from .errors import Forbidden

            raise Forbidden(f"not allowed to {action} {collection}")


@dataclass
class AppData:
    entities: Entities
    executor: Executor
    app: App
    principal: Principal
    policy: Policy

    def create(self, collection: str, props: dict[str, Any], *, secret: str | None = None) -> dict[str, Any]:
        self.policy.check(self.app, self.principal, "create", collection)
        return self.entities.create(self.app.uuid, collection, props, secret=secret)

    def get(self, collection: str, ident: str) -> dict[str, Any]:
        rec = self.entities.get_record(self.app.uuid, collection, ident)
        self.policy.check(self.app, self.principal, "read", collection, rec)
        return public(rec)

    def find(self, collection: str, ident: str) -> dict[str, Any] | None:
        rec = self.entities.find_record(self.app.uuid, collection, ident)
        if rec is None:
            return None
        self.policy.check(self.app, self.principal, "read", collection, rec)
        return public(rec)

    def update(self, collection: str, ident: str, props: dict[str, Any], *, secret: str | None = None,
               replace: bool = False, mutate: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> dict[str, Any]:
        rec = self.entities.get_record(self.app.uuid, collection, ident)
        self.policy.check(self.app, self.principal, "update", collection, rec)
        return self.entities.update(self.app.uuid, collection, rec.uuid, props, secret=secret, replace=replace, mutate=mutate)

    def delete(self, collection: str, ident: str) -> dict[str, Any]:
        rec = self.entities.get_record(self.app.uuid, collection, ident)
        self.policy.check(self.app, self.principal, "delete", collection, rec)
        return self.entities.delete(self.app.uuid, collection, rec.uuid)

    def query(self, collection: str, query: Query) -> Page:
        self.policy.check(self.app, self.principal, "query", collection)
        result = self.executor.run(
            self.app.uuid, collection, query,
            visible=lambda r: self.policy.can(self.app, self.principal, "read", collection, r))
        return Page([public(r) for r in result.records], result.cursor)
