"""Organizations, applications and their admins: who owns which data, addressed by name or uuid.

Tenancy is a prefix chosen here in the core: every entity key starts with its app's uuid,
so no storage code can mix two apps' data.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from .errors import BadCredentials, DuplicateUnique, Forbidden, InvalidInput, NotFound, TenantNotFound
from .ids import is_uuid, now_ms, uuid7
from .ports import DocStore, UniqueStore
from .retry import retry_optimistic
from .secrets import client_id_for, derive_key, hash_password, verify_password

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.]{0,63}$")
RESERVED_ORG_NAMES = {"management", "status", "system", "usergrid"}
_CACHE_S = 30.0  # apps and orgs change rarely: a warm Lambda resolves them from memory


@dataclass(frozen=True)
class Org:
    uuid: str
    name: str
    created: int


@dataclass(frozen=True)
class App:
    uuid: str
    name: str
    org_uuid: str
    org_name: str
    created: int
    key_gen: int = 1

    @property
    def is_sandbox(self) -> bool:
        return self.name.lower() == "sandbox"


@dataclass(frozen=True)
class Admin:
    uuid: str
    username: str
    email: str
    name: str
    orgs: tuple[str, ...]

    def public(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "type": "user", "username": self.username, "email": self.email,
                "name": self.name, "activated": True, "disabled": False}


class Tenancy:
    def __init__(self, docs: DocStore, unique: UniqueStore, secret_key: str, open_signup: bool = True) -> None:
        self.docs = docs
        self.unique = unique
        self.secret_key = secret_key
        self.open_signup = open_signup
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    # -- signup and creation -------------------------------------------------------------
    def signup(self, organization: str, username: str, name: str, email: str, password: str) -> tuple[Org, Admin, App]:
        if not self.open_signup:
            raise Forbidden("organization signup is disabled on this server")
        # Seed 000: signing up without an organization creates one named after the username.
        organization = organization or username
        if not isinstance(organization, str) or not NAME_RE.match(organization):
            raise InvalidInput(f"invalid organization name: {organization}")
        admin = self.create_admin(username, name, email, password)
        org = self.create_org(organization, admin)
        app = self.create_app(org, "sandbox")
        return org, self.admin(admin.uuid), app

    def create_admin(self, username: str, name: str, email: str, password: str) -> Admin:
        for field, value in (("username", username), ("email", email), ("password", password)):
            if not isinstance(value, str) or not value:
                raise InvalidInput(f"{field} is required")
        if not NAME_RE.match(username) and "@" not in username:
            raise InvalidInput("invalid username")
        uuid = uuid7()
        keys = [f"admin:username:{username.lower()}", f"admin:email:{email.lower()}"]
        self._claim_all(keys, uuid, "admin")
        doc = {"uuid": uuid, "username": username, "email": email, "name": name or username,
               "pw": hash_password(password), "orgs": [], "created": now_ms()}
        self.docs.put(f"admin#{uuid}", doc, None)
        return _admin(doc)

    def create_org(self, name: str, admin: Admin) -> Org:
        if not isinstance(name, str) or not NAME_RE.match(name) or name.lower() in RESERVED_ORG_NAMES:
            raise InvalidInput(f"invalid organization name: {name}")
        uuid = uuid7()
        self._claim_all([f"org:name:{name.lower()}"], uuid, "organization")
        org = Org(uuid, name, now_ms())
        self.docs.put(f"org#{uuid}", {"uuid": uuid, "name": name, "created": org.created, "apps": {},
                                      "admins": [admin.uuid]}, None)
        self._update(f"admin#{admin.uuid}", lambda d: d | {"orgs": sorted(set(d["orgs"]) | {uuid})})
        return org

    def create_app(self, org: Org, name: str) -> App:
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise InvalidInput(f"invalid application name: {name}")
        uuid = uuid7()
        self._claim_all([f"app:name:{org.uuid}:{name.lower()}"], uuid, "application")
        app = App(uuid, name, org.uuid, org.name, now_ms())
        self.docs.put(f"app#{uuid}", _app_doc(app), None)
        self._update(f"org#{org.uuid}", lambda d: d | {"apps": d["apps"] | {name: uuid}})
        return app

    def _claim_all(self, keys: list[str], owner: str, what: str) -> None:
        done: list[str] = []
        for key in keys:
            current = self.unique.claim(key, owner)
            if current is not None:
                for k in done:
                    self.unique.release(k, owner)
                raise DuplicateUnique(f"{what} {key.rsplit(':', 1)[-1]} already exists", field=key.split(":")[1])
            done.append(key)

    def _update(self, key: str, change: Any) -> None:
        def attempt() -> None:
            got = self.docs.get(key)
            if got is None:
                raise TenantNotFound()
            self.docs.put(key, change(got[0]), got[1])

        retry_optimistic(attempt)
        self._cache.clear()

    # -- lookups -------------------------------------------------------------------------
    def org(self, ident: str) -> Org:
        def load() -> Org | None:
            uuid = ident.lower() if is_uuid(ident) else self._owner(f"org:name:{ident.lower()}")
            got = self.docs.get(f"org#{uuid}") if uuid else None
            return Org(got[0]["uuid"], got[0]["name"], got[0]["created"]) if got else None

        org = self._cached(f"org:{ident.lower()}", load)
        if org is None:
            raise TenantNotFound(f"Could not find organization for name: {ident}")
        assert isinstance(org, Org)
        return org

    def _org_uuid(self, ident: str) -> str | None:
        """The org's uuid without its document, which an app lookup does not need: the app's own
        claim is keyed by it and the app's document names the org (one GetItem fewer per cold lookup)."""
        if is_uuid(ident):
            return ident.lower()
        hit = self._cache.get(f"org:{ident.lower()}")
        if hit and hit[0] > time.monotonic() and isinstance(hit[1], Org):
            return hit[1].uuid
        return self._owner(f"org:name:{ident.lower()}")

    def org_apps(self, org: Org) -> dict[str, str]:
        got = self.docs.get(f"org#{org.uuid}")
        return dict(got[0]["apps"]) if got else {}

    def app(self, org_ident: str, app_ident: str) -> App:
        def load() -> App | None:
            if is_uuid(app_ident):
                app = self.app_by_uuid(app_ident)
                return app if org_ident.lower() in (app.org_uuid, app.org_name.lower()) else None
            org_uuid = self._org_uuid(org_ident)
            uuid = self._owner(f"app:name:{org_uuid}:{app_ident.lower()}") if org_uuid else None
            found = self._load_app(uuid) if uuid else None
            return found if found is not None and found.org_uuid == org_uuid else None

        try:
            app = self._cached(f"app:{org_ident.lower()}/{app_ident.lower()}", load)
        except TenantNotFound:
            app = None
        if app is None:
            raise TenantNotFound(f"Could not find application for name: {org_ident}/{app_ident}")
        assert isinstance(app, App)
        return app

    def app_by_uuid(self, uuid: str) -> App:
        app = self._cached(f"app:{uuid.lower()}", lambda: self._load_app(uuid.lower()) if is_uuid(uuid) else None)
        if app is None:
            raise TenantNotFound(f"Could not find application {uuid}")
        assert isinstance(app, App)
        return app

    def _load_app(self, uuid: str) -> App | None:
        got = self.docs.get(f"app#{uuid}")
        if got is None:
            return None
        d = got[0]
        return App(d["uuid"], d["name"], d["org_uuid"], d["org_name"], d["created"], d.get("key_gen", 1))

    def _owner(self, key: str) -> str | None:
        got = self.unique.get(key)
        return got[0] if got else None

    def _cached(self, key: str, load: Any) -> Any:
        hit = self._cache.get(key)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        value = load()
        if value is not None:
            with self._lock:
                if len(self._cache) > 2048:
                    self._cache.clear()
                self._cache[key] = (time.monotonic() + _CACHE_S, value)
        return value

    # -- organization admins ------------------------------------------------------------
    def find_admin(self, ident: str) -> Admin:
        """An admin by uuid, username or email."""
        uuid = ident.lower() if is_uuid(ident) else self._owner(
            f"admin:{'email' if '@' in ident else 'username'}:{ident.lower()}")
        if not uuid:
            raise NotFound(f"no admin user {ident}")
        got = self.docs.get(f"admin#{uuid}")
        if got is None:
            raise NotFound(f"no admin user {ident}")
        return _admin(got[0])

    def org_admins(self, org: Org) -> list[Admin]:
        got = self.docs.get(f"org#{org.uuid}")
        out = []
        for uuid in (got[0].get("admins") or []) if got else []:
            admin = self.docs.get(f"admin#{uuid}")
            if admin is not None:
                out.append(_admin(admin[0]))
        return out

    def admin_orgs(self, admin: Admin) -> list[Org]:
        out = []
        for uuid in admin.orgs:
            got = self.docs.get(f"org#{uuid}")
            if got is not None:
                out.append(Org(got[0]["uuid"], got[0]["name"], got[0]["created"]))
        return out

    def set_org_admin(self, org: Org, admin: Admin, member: bool) -> None:
        """Add an admin to an organization or remove it; an organization keeps at least one admin.
        Access is decided by the admin's own list of orgs (`check_org_admin`), the org's list of
        admins is for listing: so an add writes the org first and the admin last, a removal the
        admin first, and a crash between the two never leaves access that was meant to go."""
        def change_org(d: dict[str, Any]) -> dict[str, Any]:
            admins = [a for a in d.get("admins", []) if a != admin.uuid] + ([admin.uuid] if member else [])
            if not admins:
                raise InvalidInput("an organization needs at least one admin")
            return d | {"admins": admins}

        def change_admin(d: dict[str, Any]) -> dict[str, Any]:
            orgs = set(d["orgs"]) | {org.uuid} if member else set(d["orgs"]) - {org.uuid}
            return d | {"orgs": sorted(orgs)}

        if member:
            self._update(f"org#{org.uuid}", change_org)
            self._update(f"admin#{admin.uuid}", change_admin)
            return
        if [a.uuid for a in self.org_admins(org)] == [admin.uuid]:
            raise InvalidInput("an organization needs at least one admin")
        self._update(f"admin#{admin.uuid}", change_admin)
        self._update(f"org#{org.uuid}", change_org)

    # -- admins and keys -----------------------------------------------------------------
    def admin(self, uuid: str) -> Admin:
        got = self.docs.get(f"admin#{uuid}")
        if got is None:
            raise BadCredentials()
        return _admin(got[0])

    def admin_login(self, identity: str, password: str) -> Admin:
        kind = "email" if "@" in identity else "username"
        uuid = self._owner(f"admin:{kind}:{identity.lower()}")
        got = self.docs.get(f"admin#{uuid}") if uuid else None
        if not verify_password(password, got[0]["pw"] if got else None) or got is None:
            raise BadCredentials()
        return _admin(got[0])

    def credentials(self, app: App) -> dict[str, str]:
        return {
            "client_id": client_id_for(app.uuid),
            "client_secret": "YXA6" + derive_key(self.secret_key, "client", app.uuid, app.key_gen),
            "rest_api_key": derive_key(self.secret_key, "rest", app.uuid, app.key_gen)[:32],
            # The server-side master credential (Parse's master key): full access from any
            # dialect, never shipped in a client. Rotated with the other keys.
            "master_key": derive_key(self.secret_key, "master", app.uuid, app.key_gen)[:40],
        }

    def rotate_credentials(self, app: App) -> App:
        self._update(f"app#{app.uuid}", lambda d: d | {"key_gen": int(d.get("key_gen", 1)) + 1})
        return self.app_by_uuid(app.uuid)


def _admin(d: dict[str, Any]) -> Admin:
    return Admin(d["uuid"], d["username"], d["email"], d["name"], tuple(d["orgs"]))


def _app_doc(app: App) -> dict[str, Any]:
    return {"uuid": app.uuid, "name": app.name, "org_uuid": app.org_uuid, "org_name": app.org_name,
            "created": app.created, "key_gen": app.key_gen}
