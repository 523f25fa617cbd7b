"""Tokens and the principal behind a request.

A token is 256 random bits handed to the client once; the store keeps only its SHA-256,
with an expiry that the core checks itself (DynamoDB's TTL deletes hours late).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .entities import Entities, public
from .errors import BadCredentials, BadToken, Forbidden, Unauthorized
from .ids import random_token
from .ports import TokenStore
from .secrets import app_uuid_from_client_id, keys_equal, token_digest, verify_password
from .tenancy import Admin, App, Tenancy


@dataclass(frozen=True)
class Principal:
    kind: str  # "anonymous" | "user" | "app" | "admin" | "key" (a REST API key alone)
    subject: str | None = None
    app: str | None = None
    orgs: tuple[str, ...] = field(default_factory=tuple)
    via_key: bool = False  # a user token that came with a REST API key (Backendless, BEA)

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"


ANONYMOUS = Principal("anonymous")


class Auth:
    def __init__(self, tokens: TokenStore, tenancy: Tenancy, entities: Entities, ttl_s: int) -> None:
        self.tokens = tokens
        self.tenancy = tenancy
        self.entities = entities
        self.ttl_s = ttl_s

    def issue(self, principal: Principal, ttl_ms: int | None = None) -> tuple[str, int]:
        ttl = self.ttl_s if not ttl_ms or ttl_ms <= 0 else min(self.ttl_s, max(1, int(ttl_ms) // 1000))
        token = random_token()
        exp = int(time.time()) + ttl
        doc = {"k": principal.kind, "s": principal.subject, "a": principal.app, "o": list(principal.orgs), "exp": exp}
        self.tokens.put(token_digest(token), doc, exp)
        return token, ttl

    def resolve(self, token: str | None) -> Principal:
        if not token:
            return ANONYMOUS
        doc = self.tokens.get(token_digest(token))
        if doc is None or doc.get("exp", 0) <= time.time():
            raise BadToken("Unable to authenticate OAuth credentials")
        return Principal(doc["k"], doc.get("s"), doc.get("a"), tuple(doc.get("o") or ()))

    def revoke(self, token: str) -> None:
        self.tokens.delete(token_digest(token))

    # -- logins --------------------------------------------------------------------------
    def login_admin(self, identity: str, password: str, ttl_ms: int | None = None) -> tuple[str, int, Admin]:
        admin = self.tenancy.admin_login(identity, password)
        token, ttl = self.issue(Principal("admin", admin.uuid, None, admin.orgs), ttl_ms)
        return token, ttl, admin

    def login_user(self, app: App, identity: str, password: str, ttl_ms: int | None = None) -> tuple[str, int, dict[str, Any]]:
        rec = None
        if isinstance(identity, str) and identity:
            prop = "email" if "@" in identity else "username"
            rec = self.entities.find_by_unique(app.uuid, "users", prop, identity)
            if rec is None and prop == "email":
                rec = self.entities.find_by_unique(app.uuid, "users", "username", identity)
        if not verify_password(password if isinstance(password, str) else "", rec.secret if rec else None) or rec is None:
            raise BadCredentials()
        if rec.doc.get("activated") is False or rec.doc.get("disabled") is True:
            raise BadCredentials("user not activated or disabled")
        token, ttl = self.issue(Principal("user", rec.uuid, app.uuid), ttl_ms)
        return token, ttl, public(rec)

    def login_client(self, client_id: str, client_secret: str, ttl_ms: int | None = None) -> tuple[str, int, App]:
        app_uuid = app_uuid_from_client_id(client_id or "")
        if app_uuid is None:
            raise BadCredentials("invalid client credentials")
        try:
            app = self.tenancy.app_by_uuid(app_uuid)
        except Exception:
            raise BadCredentials("invalid client credentials") from None
        if not keys_equal(self.tenancy.credentials(app)["client_secret"], client_secret or ""):
            raise BadCredentials("invalid client credentials")
        token, ttl = self.issue(Principal("app", app.uuid, app.uuid), ttl_ms)
        return token, ttl, app

    # -- access to an app ----------------------------------------------------------------
    def check_app_access(self, principal: Principal, app: App) -> None:
        """The coarse gate: may this principal use this app at all? (Fine rules: permissions.)"""
        if principal.kind == "admin" and app.org_uuid in principal.orgs:
            return
        if principal.kind in ("user", "app", "key") and principal.app == app.uuid:
            return
        if principal.is_anonymous:
            return  # guests reach the app; the app's guest role decides what they may do
        raise Forbidden("token does not grant access to this application")

    def key_principal(self, app: App, key: str, user_token: str | None = None) -> Principal:
        """REST-key dialects: the key alone is the API-key role; with a user token, that user within it."""
        self.check_rest_key(app, key)
        if not user_token:
            return Principal("key", None, app.uuid)
        p = self.resolve(user_token)
        if p.app != app.uuid or p.kind != "user":
            raise BadToken("session token does not belong to this application")
        return Principal("user", p.subject, app.uuid, (), True)

    def check_org_admin(self, principal: Principal, org_uuid: str) -> None:
        if principal.kind != "admin" or org_uuid not in principal.orgs:
            raise Unauthorized("an admin token of this organization is required")

    def master_principal(self, app: App, key: str) -> Principal:
        """The app's master key (server-side only) acts as the app itself: every rule passes."""
        if not keys_equal(self.tenancy.credentials(app)["master_key"], key or ""):
            raise Forbidden("invalid master key")
        return Principal("app", app.uuid, app.uuid)

    def check_rest_key(self, app: App, key: str) -> None:
        if not keys_equal(self.tenancy.credentials(app)["rest_api_key"], key or ""):
            raise Forbidden("invalid API key")
