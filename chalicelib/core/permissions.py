"""Who may do what: Usergrid-style role permissions on paths, owners, and Parse-style ACLs.

Evaluation order for one action on one collection (and entity, when there is one):
1. the app itself (client credentials), org admins: everything; the sandbox app: everything;
2. an entity with an ACL: the ACL decides (user uuid, "role:<name>" or "*"), and a REST-key
   caller must also hold the key's permission;
3. the `users` collection: a user may read and change only itself, unless a role names a
   `/users...` path explicitly (a wildcard like `/**` does not reach other users);
4. otherwise the caller's permissions: roles of the user (its own, its groups', `default`
   for any logged-in user, plus inherited roles), `guest` for the anonymous, the API-key role
   for a REST key; a logged-in user on a REST key gets what both allow;
5. owners may update and delete what they created.

Rules live in one small document per app (roles, groups' roles, the API-key role) and one per
user (its roles and groups); both are cached a few seconds in memory, so a request pays at
most two GetItems for them, and usually none.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .auth import Principal
from .data import Policy
from .errors import InvalidInput, NotFound
from .ports import DocStore, Record
from .retry import retry_optimistic
from .tenancy import App

VERBS = ("get", "post", "put", "delete")
ACTION_VERB = {"read": "get", "query": "get", "create": "post", "update": "put", "delete": "delete"}
DEFAULT_RULES: dict[str, Any] = {
    "roles": {
        "guest": {"permissions": ["post:/users"], "inherits": []},  # register; log in is not a data action
        "default": {"permissions": ["get,post:/**", "get,put,delete:/users/me"], "inherits": []},
        "admin": {"permissions": ["get,post,put,delete:/**"], "inherits": []},
    },
    "groups": {},
    "apikey": ["get,post,put,delete:/**"],
}
_PERM_RE = re.compile(r"^(?P<verbs>[a-z,*]+):(?P<path>/[\w\-./*]*)$")
_CACHE_S = 5.0
# Collections a wildcard permission does not reach: only a rule naming their path does.
PROTECTED = ("users", "roles", "groups")


def parse_permission(text: str) -> tuple[frozenset[str], str]:
    m = _PERM_RE.match(text.strip().lower()) if isinstance(text, str) else None
    if not m:
        raise InvalidInput(f"invalid permission {text!r}: expected e.g. \"get,put,post,delete:/items/**\"")
    verbs = frozenset(VERBS if m["verbs"] == "*" else m["verbs"].split(","))
    if not verbs <= set(VERBS):
        raise InvalidInput(f"invalid permission verbs in {text!r}")
    return verbs, m["path"].rstrip("/") or "/"


def path_matches(pattern: str, path: str) -> bool:
    """Shiro-style: `*` is one segment, `**` any number of segments (also none)."""
    pp = [p for p in pattern.split("/") if p]
    xs = [p for p in path.split("/") if p]

    def go(i: int, j: int) -> bool:
        if i == len(pp):
            return j == len(xs)
        if pp[i] == "**":
            return any(go(i + 1, k) for k in range(j, len(xs) + 1))
        if j < len(xs) and (pp[i] == "*" or pp[i] == xs[j]):
            return go(i + 1, j + 1)
        return False

    return go(0, 0)


def grants(perms: list[str], verb: str, paths: list[str]) -> bool:
    for perm in perms:
        verbs, pattern = parse_permission(perm)
        if verb in verbs and any(path_matches(pattern, p) for p in paths):
            return True
    return False


@dataclass
class Subject:
    """What a principal brings to a decision: its role names and whether it came on a REST key."""

    roles: set[str] = field(default_factory=set)


class Permissions(Policy):
    """The app's rules: evaluation (Policy) and their administration (roles, groups, members)."""

    def __init__(self, docs: DocStore, clock: Callable[[], float] = time.monotonic) -> None:
        self.docs = docs
        self.clock = clock
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    # -- evaluation ----------------------------------------------------------------------
    def sees_everything(self, app: App, principal: Principal) -> bool:
        return principal.kind in ("app", "admin") or app.is_sandbox

    def can(self, app: App, principal: Principal, action: str, collection: str, record: Record | None = None) -> bool:
        if self.sees_everything(app, principal):
            return True
        verb = ACTION_VERB[action]
        rules = self.rules(app.uuid)
        key_ok = True
        if principal.kind == "key" or principal.via_key:
            key_ok = grants(rules["apikey"], verb, self._paths(collection, record, None))
        if principal.kind == "key":
            if collection == "users" and action != "create":
                return False  # a REST key is in every client: it must not list or change users
            return key_ok and (record is None or record.acl is None or _acl_allows(record.acl, verb, None, set()))
        if not key_ok:
            return False
        user = principal.subject if principal.kind == "user" else None
        roles = self.roles_of(app.uuid, user) if user else {"guest"}
        if record is not None and record.acl is not None:
            return _acl_allows(record.acl, verb, user, roles)
        perms = self._permissions(rules, roles)
        paths = self._paths(collection, record, user)
        if collection in PROTECTED:
            own = collection == "users" and user is not None and record is not None and record.uuid == user
            if own and action in ("read", "update", "delete"):
                return True
            explicit = [p for p in perms if parse_permission(p)[1].startswith(f"/{collection}")]
            if collection == "users" and user is not None and action == "query":
                return True  # the query runs; `read` filters it to the caller alone
            return grants(explicit, verb, paths)
        if grants(perms, verb, paths):
            return True
        return bool(user and record is not None and record.owner == user and action in ("update", "delete"))

    @staticmethod
    def _paths(collection: str, record: Record | None, user: str | None) -> list[str]:
        if record is None:
            return [f"/{collection}"]
        paths = [f"/{collection}/{record.uuid}"]
        for prop in ("name", "username", "path"):
            value = record.doc.get(prop)
            if isinstance(value, str):
                paths.append(f"/{collection}/{value.lower()}")
        if collection == "users" and user is not None and record.uuid == user:
            paths.append("/users/me")
        return paths

    def _permissions(self, rules: dict[str, Any], roles: set[str]) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        todo = list(roles)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            role = rules["roles"].get(name)
            if role:
                out += role.get("permissions", [])
                todo += role.get("inherits", [])
        return out

    def roles_of(self, app: str, user: str) -> set[str]:
        member = self._member(app, user)
        rules = self.rules(app)
        roles = {"default", *member.get("roles", [])}
        for group in member.get("groups", []):
            roles |= set(rules["groups"].get(group, {}).get("roles", []))
        return roles

    # -- storage of rules, cached --------------------------------------------------------
    def rules(self, app: str) -> dict[str, Any]:
        rules: dict[str, Any] = self._cached(f"perm#{app}", lambda: (self.docs.get(f"perm#{app}") or (DEFAULT_RULES, 0))[0])
        return rules

    def _member(self, app: str, user: str) -> dict[str, Any]:
        member: dict[str, Any] = self._cached(
            f"member#{app}#{user}", lambda: (self.docs.get(f"member#{app}#{user}") or ({"roles": [], "groups": []}, 0))[0])
        return member

    def _cached(self, key: str, load: Callable[[], Any]) -> Any:
        hit = self._cache.get(key)
        now = self.clock()
        if hit and hit[0] > now:
            return hit[1]
        value = load()
        with self._lock:
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[key] = (now + _CACHE_S, value)
        return value

    def _change(self, key: str, default: dict[str, Any], change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        def attempt() -> dict[str, Any]:
            got = self.docs.get(key)
            doc, ver = (got[0], got[1]) if got else (_copy(default), None)
            new = change(_copy(doc))
            self.docs.put(key, new, ver)
            return new

        new = retry_optimistic(attempt)
        with self._lock:
            self._cache.pop(key, None)
        return new

    # -- administration ------------------------------------------------------------------
    def role_names(self, app: str) -> list[str]:
        return sorted(self.rules(app)["roles"])

    def ensure_role(self, app: str, name: str, inherits: list[str] | None = None) -> None:
        name = _role_name(name)

        def change(d: dict[str, Any]) -> dict[str, Any]:
            d["roles"].setdefault(name, {"permissions": [], "inherits": []})
            if inherits is not None:
                d["roles"][name]["inherits"] = [_role_name(r) for r in inherits]
            return d

        self._change(f"perm#{app}", DEFAULT_RULES, change)

    def delete_role(self, app: str, name: str) -> None:
        name = _role_name(name)
        self._change(f"perm#{app}", DEFAULT_RULES, lambda d: d | {"roles": {k: v for k, v in d["roles"].items() if k != name}})

    def permissions(self, app: str, role: str) -> list[str]:
        got = self.rules(app)["roles"].get(_role_name(role))
        if got is None:
            raise NotFound(f"role {role} not found")
        return list(got["permissions"])

    def grant(self, app: str, role: str, permission: str) -> list[str]:
        parse_permission(permission)
        name = _role_name(role)

        def change(d: dict[str, Any]) -> dict[str, Any]:
            if name not in d["roles"]:
                raise NotFound(f"role {role} not found")
            perms = d["roles"][name]["permissions"]
            if permission not in perms:
                perms.append(permission)
            return d

        return list(self._change(f"perm#{app}", DEFAULT_RULES, change)["roles"][name]["permissions"])

    def revoke(self, app: str, role: str, permission: str) -> list[str]:
        name = _role_name(role)

        def change(d: dict[str, Any]) -> dict[str, Any]:
            if name not in d["roles"]:
                raise NotFound(f"role {role} not found")
            d["roles"][name]["permissions"] = [p for p in d["roles"][name]["permissions"] if p != permission]
            return d

        return list(self._change(f"perm#{app}", DEFAULT_RULES, change)["roles"][name]["permissions"])

    def set_apikey_permissions(self, app: str, perms: list[str]) -> None:
        for p in perms:
            parse_permission(p)
        self._change(f"perm#{app}", DEFAULT_RULES, lambda d: d | {"apikey": list(perms)})

    def user_roles(self, app: str, user: str) -> list[str]:
        return sorted(self._member(app, user).get("roles", []))

    def assign(self, app: str, user: str, role: str, add: bool = True) -> None:
        name = _role_name(role)
        if add and name not in self.rules(app)["roles"]:
            raise NotFound(f"role {role} not found")
        self._change(f"member#{app}#{user}", {"roles": [], "groups": []},
                     lambda d: d | {"roles": _toggle(d["roles"], name, add)})

    def join(self, app: str, user: str, group: str, add: bool = True) -> None:
        self._change(f"member#{app}#{user}", {"roles": [], "groups": []},
                     lambda d: d | {"groups": _toggle(d["groups"], group, add)})

    def group_roles(self, app: str, group: str) -> list[str]:
        return list(self.rules(app)["groups"].get(group, {}).get("roles", []))

    def assign_group(self, app: str, group: str, role: str, add: bool = True) -> None:
        name = _role_name(role)

        def change(d: dict[str, Any]) -> dict[str, Any]:
            if add and name not in d["roles"]:
                raise NotFound(f"role {role} not found")
            g = d["groups"].setdefault(group, {"roles": []})
            g["roles"] = _toggle(g["roles"], name, add)
            return d

        self._change(f"perm#{app}", DEFAULT_RULES, change)


def _acl_allows(acl: dict[str, dict[str, bool]], verb: str, user: str | None, roles: set[str]) -> bool:
    need = "read" if verb == "get" else "write"
    keys = ["*"] + ([user] if user else []) + [f"role:{r}" for r in roles]
    return any(bool((acl.get(k) or {}).get(need)) for k in keys)


def _role_name(name: str) -> str:
    if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9_\-]{1,64}$", name):
        raise InvalidInput(f"invalid role name: {name!r}")
    return name.lower()


def _toggle(items: list[str], item: str, add: bool) -> list[str]:
    rest = [i for i in items if i != item]
    return sorted(rest + [item]) if add else rest


def _copy(d: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(d))  # type: ignore[no-any-return]
