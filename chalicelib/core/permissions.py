"""Who may do what: Usergrid-style role permissions on paths, owners, and Parse-style ACLs.

Evaluation order for one action on one collection (and entity, when there is one):
1. the app itself (client credentials), org admins: everything; the sandbox app: everything;
2. an entity with an ACL: the ACL decides (user uuid, "role:<name>" of the user's roles and the
   roles they inherit, names ignoring case, or "*"), and a REST-key
   caller must also hold the key's permission;
3. the `users` collection: a user may read and change only itself, unless a role names a
   `/users...` path explicitly (a wildcard like `/**` does not reach other users);
4. otherwise the caller's permissions: roles of the user (its own, its groups', `default`
   for any logged-in user, plus inherited roles), `guest` for the anonymous, the API-key role
   for a REST key; a logged-in user on a REST key gets what both allow;
5. owners may update and delete what they created.

A REST key alone is the app's guest within the API-key role: it never changes an entity that has
an owner (unless its ACL says so), never touches roles or groups; entities without an owner (made
with the key, as the seeds do) stay changeable with the key, also by a user who comes with it.

Resources other than entities (files, cache, counters, messaging, email, cloud code) are decided
by `can_use` on paths under `/_/` (`resource_path`), in the same permission syntax; wildcards
such as `/**` never reach them, only permissions naming `/_...`.

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
from functools import partial
from typing import Any

from . import parallel
from .auth import Principal
from .data import Policy
from .errors import Forbidden, InvalidInput, NotFound, Unauthorized
from .ports import DocStore, Record
from .retry import retry_optimistic
from .tenancy import App

VERBS = ("get", "post", "put", "delete")
# `count`: a count the client asks for (Parse's `count=1`, Backendless' `/count`): a query's verb, and
# Parse's `count` class permission instead of `find` (a count with limit 0 lists nothing).
ACTION_VERB = {"read": "get", "query": "get", "count": "get", "create": "post", "update": "put", "delete": "delete"}
# Resources other than entities (files, cache, counters, messaging, email, cloud code) are paths
# under `/_/` (no collection name starts with `_`): `/_/files/<path>`, `/_/cache/<key>`,
# `/_/counters/<name>`, `/_/messaging/<channel>`, `/_/email`, `/_/services/<service>/<method>`.
# A wildcard such as `/**` never reaches them: only a permission whose path starts with `/_`.
RESOURCE_DEFAULTS: list[str] = [
    "get,post,put,delete:/_/files/**", "get,put,delete:/_/cache/**", "get,put:/_/counters/**",
    "get,post:/_/messaging/**", "post:/_/email", "post:/_/services/**",
]
RULES_VERSION = 1  # rules stored before resources were permissions get RESOURCE_DEFAULTS on read
DEFAULT_RULES: dict[str, Any] = {
    "roles": {
        "guest": {"permissions": ["post:/users", *RESOURCE_DEFAULTS], "inherits": []},  # register
        "default": {"permissions": ["get,post:/**", "get,put,delete:/users/me", *RESOURCE_DEFAULTS],
                    "inherits": []},
        "admin": {"permissions": ["get,post,put,delete:/**", "get,post,put,delete:/_/**"], "inherits": []},
    },
    "groups": {},
    "apikey": ["get,post,put,delete:/**", "get,post,put,delete:/_/**"],
    "rv": RULES_VERSION,
}
BUILTIN_ROLES = ("guest", "default", "admin", "apikey")  # administrable without a role entity
_PERM_RE = re.compile(r"^(?P<verbs>[a-z,*]+):(?P<path>/[\w\-./*]*)$")
_CACHE_S = 5.0
# Parse class-level permissions: the operations each core action is checked against (any one suffices).
CLP_OPS: dict[str, tuple[str, ...]] = {"read": ("get", "find"), "query": ("find",), "count": ("count",),
                                       "create": ("create",),
                                       "update": ("update",), "delete": ("delete",)}
CLP_KEYS = ("find", "count", "get", "create", "update", "delete", "addField", "readUserFields", "writeUserFields",
            "protectedFields", "ACL")
_CLP_WHO = re.compile(r"^(\*|requiresAuthentication|role:.+|[A-Za-z0-9\-]{1,64})$")
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


def resource_path(kind: str, name: str = "") -> str:
    """The permission path of a resource (`/_/files/a/b.txt`), lower-cased as patterns are."""
    return f"/_/{kind}/{name}".rstrip("/").lower()


def _resource_perms(perms: list[str]) -> list[str]:
    return [p for p in perms if parse_permission(p)[1].startswith("/_")]


def upgrade(doc: dict[str, Any]) -> dict[str, Any]:
    """Rules written before resources were permissions: their built-in roles get the defaults."""
    if doc.get("rv", 0) >= RULES_VERSION:
        return doc
    doc = _copy(doc)
    for name, role in DEFAULT_RULES["roles"].items():
        if name in doc["roles"]:
            extra = [p for p in role["permissions"] if ":/_" in p]
            doc["roles"][name]["permissions"] = list(dict.fromkeys(doc["roles"][name]["permissions"] + extra))
    doc["apikey"] = list(dict.fromkeys(list(doc.get("apikey", [])) + ["get,post,put,delete:/_/**"]))
    doc["rv"] = RULES_VERSION
    return doc


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

    def prefetch(self, app: App, principal: Principal) -> None:
        """Load (into the 5 s cache) the rule documents `can` will read for this caller, together:
        AppData runs this beside the entity read, so a request pays one round trip for all three."""
        if self.sees_everything(app, principal):
            return
        loads: list[Callable[[], Any]] = [partial(self.rules, app.uuid)]
        if principal.kind == "user" and principal.subject:
            loads.append(partial(self._member, app.uuid, principal.subject))
        parallel.run_all(loads)

    def schema_roles(self, app: App, principal: Principal) -> set[str] | None:
        """Lightblue `access` roles: a user holds its roles (own, groups', inherited names as given,
        `default`) and `authenticated`; the anonymous and a REST key alone hold only `guest`, so the
        key is never more than a logged-in user; the app and org admins pass every rule (None)."""
        if principal.kind in ("app", "admin"):
            return None
        if principal.kind == "user" and principal.subject:
            return self.roles_of(app.uuid, principal.subject) | {"authenticated"}
        return {"guest"}

    def key_reads(self, app: App, collection: str) -> bool:
        return grants(self.rules(app.uuid)["apikey"], ACTION_VERB["read"], self._paths(collection, None, None))

    def can(self, app: App, principal: Principal, action: str, collection: str, record: Record | None = None) -> bool:
        if self.sees_everything(app, principal):
            return True
        verb = ACTION_VERB[action]
        rules = self.rules(app.uuid)
        clp = rules.get("classes", {}).get(collection)
        if clp is not None and not self._clp_allows(app, principal, clp, CLP_OPS[action]):
            return False
        if action == "count":
            action = "query"  # past its class permission, a count is what a query is
        key_ok = True
        if principal.kind == "key" or principal.via_key:
            key_ok = grants(rules["apikey"], verb, self._paths(collection, record, None))
        if principal.kind == "key":
            if collection == "users" and action != "create" or collection in ("roles", "groups"):
                return False  # a REST key is in every client: it must not list users or grant roles
            if record is not None and record.acl is not None:
                return key_ok and _acl_allows(record.acl, verb, None, set())
            if record is not None and record.owner and action in ("update", "delete"):
                return False  # a user's entity: the key alone is no more than a stranger
            return key_ok
        if not key_ok:
            return False
        user = principal.subject if principal.kind == "user" else None
        roles = self.roles_of(app.uuid, user) if user else {"guest"}
        if record is not None and record.acl is not None:
            return _acl_allows(record.acl, verb, user, self._closure(rules, roles))
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
        if principal.via_key and record is not None and not record.owner and action in ("update", "delete"):
            return True  # what the key alone may change, a user holding the key may too
        return bool(user and record is not None and record.owner == user and action in ("update", "delete"))

    def can_use(self, app: App, principal: Principal, path: str, verb: str) -> bool:
        """May this caller `verb` (get, post, put, delete) the resource at `path` (`resource_path`)?

        Only permissions naming `/_...` count. A REST key alone is the guest role within the
        API-key role; a user on a key is its roles within the API-key role."""
        if self.sees_everything(app, principal):
            return True
        rules = self.rules(app.uuid)
        if (principal.kind == "key" or principal.via_key) and not grants(_resource_perms(rules["apikey"]), verb, [path]):
            return False
        if principal.kind == "user" and principal.subject:
            roles = self.roles_of(app.uuid, principal.subject)
        elif principal.kind in ("anonymous", "key"):
            roles = {"guest"}
        else:
            return False
        return grants(_resource_perms(self._permissions(rules, roles)), verb, [path])

    def require(self, app: App, principal: Principal, path: str, verb: str) -> None:
        if not self.can_use(app, principal, path, verb):
            if principal.is_anonymous:
                raise Unauthorized(f"log in to {verb} {path[3:]}")
            raise Forbidden(f"not allowed to {verb} {path[3:]}")

    def _clp_allows(self, app: App, principal: Principal, clp: dict[str, Any], ops: tuple[str, ...]) -> bool:
        """Parse's class-level permissions: an operation the CLP does not name is not restricted;
        one it names is open to `*`, to any user with `requiresAuthentication`, to the users and
        `role:<name>`s it lists. Several ops (a read is a get or a find's hit): any one suffices."""
        user = principal.subject if principal.kind == "user" else None
        for op in ops:
            grant = clp.get(op)
            if not isinstance(grant, dict) or grant.get("*"):
                return True
            if user is None:
                continue
            if grant.get("requiresAuthentication") or grant.get(user):
                return True
            named = {k[5:].lower() for k, v in grant.items() if k.startswith("role:") and v is True}
            if named & self.roles_of(app.uuid, user):
                return True
        return False

    def reads_public(self, app: App, principal: Principal, collection: str) -> bool:
        """A REST key alone, whose API-key role grants `get` on every entity of the collection (a
        pattern matching any entity path) and which no CLP stops: `can` then lets it read an entity
        exactly when `entities.readable_by_anyone(record.acl)`. Users (ACLs may name them), users, roles and
        groups (never read with the key) and per-entity grants are left to reading the entities."""
        if principal.kind != "key" or collection in ("users", "roles", "groups"):
            return False
        rules = self.rules(app.uuid)
        clp = rules.get("classes", {}).get(collection)
        if clp is not None and not self._clp_allows(app, principal, clp, CLP_OPS["read"]):
            return False
        return grants(rules["apikey"], ACTION_VERB["read"], [f"/{collection}/{_ANY_ENTITY}"])

    def may_add_field(self, app: App, principal: Principal, collection: str) -> bool:
        """CLP `addField`: whether a write may bring a field the class does not have yet."""
        if self.sees_everything(app, principal):
            return True
        clp = self.rules(app.uuid).get("classes", {}).get(collection)
        return clp is None or self._clp_allows(app, principal, clp, ("addField",))

    @staticmethod
    def _paths(collection: str, record: Record | None, user: str | None) -> list[str]:
        if record is None:
            return [f"/{collection}"]
        paths = [f"/{collection}/{record.uuid}"]
        for prop in ("name", "username", "path"):
            value = record.doc.get(prop)
            if isinstance(value, str) and not (collection == "users" and value.lower() == "me"):
                paths.append(f"/{collection}/{value.lower()}")
        # `/users/me` is the caller itself, never a user who happens to be named `me`
        if collection == "users" and user is not None and record.uuid == user:
            paths.append("/users/me")
        return paths

    @staticmethod
    def _closure(rules: dict[str, Any], roles: set[str]) -> set[str]:
        """The roles and every role they inherit: a user holding `juniors`, which inherits
        `editors`, passes `role:editors` in an ACL too (Parse's role hierarchy)."""
        seen: set[str] = set()
        todo = list(roles)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo += (rules["roles"].get(name) or {}).get("inherits", [])
        return seen

    def _permissions(self, rules: dict[str, Any], roles: set[str]) -> list[str]:
        out: list[str] = []
        for name in self._closure(rules, roles):
            out += (rules["roles"].get(name) or {}).get("permissions", [])
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
        rules: dict[str, Any] = self._cached(
            f"perm#{app}", lambda: upgrade((self.docs.get(f"perm#{app}") or (DEFAULT_RULES, 0))[0]))
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
            new = change(upgrade(_copy(doc)) if "roles" in doc else _copy(doc))
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
        """A role's permissions; `apikey` names the API-key role (what a REST key may do)."""
        rules = self.rules(app)
        if _role_name(role) == "apikey":
            return list(rules["apikey"])
        got = rules["roles"].get(_role_name(role))
        if got is None:
            raise NotFound(f"role {role} not found")
        return list(got["permissions"])

    def grant(self, app: str, role: str, permission: str) -> list[str]:
        parse_permission(permission)
        return self._edit(app, role, lambda perms: perms if permission in perms else perms + [permission])

    def revoke(self, app: str, role: str, permission: str) -> list[str]:
        return self._edit(app, role, lambda perms: [p for p in perms if p != permission])

    def _edit(self, app: str, role: str, edit: Callable[[list[str]], list[str]]) -> list[str]:
        name = _role_name(role)

        def change(d: dict[str, Any]) -> dict[str, Any]:
            if name == "apikey":
                d["apikey"] = edit(list(d["apikey"]))
                return d
            if name not in d["roles"]:
                raise NotFound(f"role {role} not found")
            d["roles"][name]["permissions"] = edit(list(d["roles"][name]["permissions"]))
            return d

        d = self._change(f"perm#{app}", DEFAULT_RULES, change)
        return list(d["apikey"] if name == "apikey" else d["roles"][name]["permissions"])

    def class_permissions(self, app: str, collection: str) -> dict[str, Any] | None:
        """The collection's class-level permissions (Parse CLP), None when it has none (all open)."""
        got = self.rules(app).get("classes", {}).get(collection)
        return None if got is None else dict(got)

    def set_class_permissions(self, app: str, collection: str, clp: dict[str, Any] | None) -> None:
        if clp is not None:
            check_clp(clp)

        def change(d: dict[str, Any]) -> dict[str, Any]:
            classes = dict(d.get("classes", {}))
            if clp is None:
                classes.pop(collection, None)
            else:
                classes[collection] = clp
            return d | {"classes": classes}

        self._change(f"perm#{app}", DEFAULT_RULES, change)

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


def check_clp(clp: Any) -> None:
    """Parse's validation of class-level permissions (operations, keys and values)."""
    if not isinstance(clp, dict):
        raise InvalidInput("class level permissions must be an object", code="json")
    for op, grant in clp.items():
        if op not in CLP_KEYS:
            raise InvalidInput(f"{op} is not a valid operation for class level permissions", code="json")
        if op in ("readUserFields", "writeUserFields"):
            if not isinstance(grant, list) or not all(isinstance(f, str) for f in grant):
                raise InvalidInput(f"'{grant}' is not a valid value for class level permissions {op} - must be an array",
                                   code="json")
            continue
        if not isinstance(grant, dict):
            raise InvalidInput(f"'{grant}' is not a valid value for class level permissions {op} - must be an object",
                               code="json")
        for who, value in grant.items():
            if op == "ACL":
                if not isinstance(value, dict) or not all(isinstance(v, bool) for v in value.values()):
                    raise InvalidInput(f"'{value}' is not a valid value for class level permissions acl", code="json")
            elif op == "protectedFields":
                if not isinstance(value, list):
                    raise InvalidInput(f"'{value}' is not a valid value for protectedFields[{who}] - expected an array.",
                                       code="json")
            elif who == "pointerFields":
                if not isinstance(value, list):
                    raise InvalidInput(f"'{value}' is not a valid value for {op}[{who}] - expected an array.", code="json")
            elif not _CLP_WHO.match(who):
                raise InvalidInput(f"'{who}' is not a valid key for class level permissions", code="json")
            elif value is not True:
                raise InvalidInput(f"'{value}' is not a valid value for class level permissions acl {op}:{who}",
                                   code="json")


_ANY_ENTITY = "\x00"  # a path segment no stored pattern names: only a wildcard matches it


def _acl_allows(acl: dict[str, dict[str, bool]], verb: str, user: str | None, roles: set[str]) -> bool:
    """Role names are case-insensitive (the rules store them lower-cased; Parse ACLs say `role:Mods`)."""
    need = "read" if verb == "get" else "write"
    for key, perm in acl.items():
        if key == "*" or (user is not None and key == user) or \
                (key[:5] == "role:" and key[5:].lower() in roles):
            if isinstance(perm, dict) and perm.get(need):
                return True
    return False


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
