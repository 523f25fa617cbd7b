"""Tokens and the principal behind a request.

A token is 256 random bits handed to the client once; the store keeps only its SHA-256,
with an expiry that the core checks itself (DynamoDB's TTL deletes hours late).

Revocation without listing tokens by user (they are stored by digest): each user has a
"not before" stamp (`rev#<app>#<user>` in the tokens table, living as long as the longest token)
that a password change, disabling or deleting the user moves to now; a token issued before it is
dead. A user token carries its app and user uuids after a dot (`<random>.<hint>`, the hint under
the digest too, so it cannot be altered), which lets `resolve` fetch the token and the stamp in
one BatchGetItem. App tokens (client credentials) record the app's key generation: rotating the
credentials ends them, checked against the cached app, no read.
"""

from __future__ import annotations

import base64
import binascii
import time
import uuid as uuidlib
from dataclasses import dataclass, field, replace
from typing import Any

from .entities import Entities, public
from .errors import BadCredentials, BadToken, Forbidden, Unauthorized
from .ids import now_ms, random_token
from .ports import TokenStore
from .secrets import app_uuid_from_client_id, hash_password, keys_equal, needs_rehash, token_digest, verify_password
from .tenancy import Admin, App, Tenancy


@dataclass(frozen=True)
class Principal:
    kind: str  # "anonymous" | "user" | "app" | "admin" | "key" (a REST API key alone)
    subject: str | None = None
    app: str | None = None
    orgs: tuple[str, ...] = field(default_factory=tuple)
    via_key: bool = False  # a user token that came with a REST API key (Backendless, BEA)
    session: str | None = None  # digest of the token the caller came with (kept on its password change)

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
        doc: dict[str, Any] = {"k": principal.kind, "s": principal.subject, "a": principal.app,
                               "o": list(principal.orgs), "exp": int(time.time()) + ttl, "iat": now_ms()}
        if principal.kind == "user" and principal.app and principal.subject:
            token += "." + _hint(principal.app, principal.subject)
        if principal.kind == "app" and principal.app:
            doc["g"] = self.tenancy.app_by_uuid(principal.app).key_gen
        self.tokens.put(token_digest(token), doc, doc["exp"])
        return token, ttl

    def resolve(self, token: str | None) -> Principal:
        """One GetItem, or for a user token one BatchGetItem of the token and its user's stamp."""
        if not token:
            return ANONYMOUS
        digest = token_digest(token)
        hint = _unhint(token)
        stamp_key = _stamp_key(*hint) if hint else None
        got: dict[str, dict[str, Any] | None] = (
            dict(self.tokens.get_many([digest, stamp_key])) if stamp_key else {digest: self.tokens.get(digest)})
        doc = got.get(digest)
        if doc is None or doc.get("exp", 0) <= time.time():
            raise BadToken("Unable to authenticate OAuth credentials")
        kind, subject, app = doc["k"], doc.get("s"), doc.get("a")
        if kind == "user" and app and subject:
            if hint != (app, subject):
                stamp_key = _stamp_key(app, subject)  # a token issued before hints: one more read
                got[stamp_key] = self.tokens.get(stamp_key)
            stamp = got.get(stamp_key) if stamp_key else None
            if stamp is not None and int(doc.get("iat", 0)) < int(stamp.get("nb", 0)):
                raise BadToken("Unable to authenticate OAuth credentials: the session was ended")
        if kind == "admin":  # orgs as they are now: an admin removed from an org loses it at once
            try:
                orgs = self.tenancy.admin(str(subject)).orgs
            except BadCredentials:
                raise BadToken("Unable to authenticate OAuth credentials") from None
            return Principal("admin", subject, None, orgs, session=digest)
        if kind == "app" and app:
            try:
                gen = self.tenancy.app_by_uuid(app).key_gen
            except Exception:
                raise BadToken("Unable to authenticate OAuth credentials") from None
            if int(doc.get("g", 1)) != gen:
                raise BadToken("Unable to authenticate OAuth credentials: the client credentials were rotated")
        return Principal(kind, subject, app, tuple(doc.get("o") or ()), session=digest)

    def revoke(self, token: str) -> None:
        self.tokens.delete(token_digest(token))

    def revoke_user(self, app: str, user: str, *, keep: str | None = None, forever: bool = False) -> None:
        """End every token of the user issued until now (one PutItem of its stamp); `keep`: the digest
        of the caller's own token, re-stamped so that it stays valid (a password change keeps the
        session that made it, as Parse does); `forever`: a deleted user, whose tokens never come back."""
        nb = now_ms()
        exp = int(time.time()) + self.ttl_s + 60
        self.tokens.put(_stamp_key(app, user), {"nb": 2**62 if forever else nb, "exp": exp}, exp)
        if keep and not forever:
            doc = self.tokens.get(keep)
            if doc is not None:
                self.tokens.put(keep, {**doc, "iat": nb}, int(doc.get("exp", exp)))

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
        password = password if isinstance(password, str) else ""  # a JSON number or null is no password
        if not verify_password(password, rec.secret if rec else None) or rec is None:
            raise BadCredentials()
        if rec.doc.get("activated") is False or rec.doc.get("disabled") is True:
            raise BadCredentials("user not activated or disabled")
        if needs_rehash(rec.secret, password) and rec.secret:
            # The password is at hand only now: an imported bcrypt hash (or weaker scrypt) becomes
            # this deployment's scrypt, once, conditionally (a password change meanwhile wins).
            self.entities.store.replace_secret(app.uuid, rec.uuid, rec.secret, hash_password(password))
        token, ttl = self.issue(Principal("user", rec.uuid, app.uuid), ttl_ms)
        return token, ttl, public(rec)

    def login_client(self, client_id: str, client_secret: str, ttl_ms: int | None = None,
                     app: App | None = None) -> tuple[str, int, App]:
        """`app`: the app the request names (`/{org}/{app}/token`): another app's credentials fail."""
        app_uuid = app_uuid_from_client_id(client_id or "")
        if app_uuid is None or (app is not None and app_uuid != app.uuid):
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
        return replace(p, orgs=(), via_key=True)

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


def _stamp_key(app: str, user: str) -> str:
    return f"rev#{app}#{user}"


def _hint(app: str, user: str) -> str:
    raw = uuidlib.UUID(app).bytes + uuidlib.UUID(user).bytes
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unhint(token: str) -> tuple[str, str] | None:
    """(app, user) from a user token's hint; None for other tokens (or anything malformed)."""
    _, dot, tail = token.rpartition(".")
    if not dot or len(tail) != 43:
        return None
    try:
        raw = base64.urlsafe_b64decode(tail + "=")
    except (binascii.Error, ValueError):
        return None
    return (str(uuidlib.UUID(bytes=raw[:16])), str(uuidlib.UUID(bytes=raw[16:]))) if len(raw) == 32 else None
