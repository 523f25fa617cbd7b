"""Users and their sessions, every dialect (issue 11 items 4, 6, 8; issue 13's BEA users item).

Each test is an attack that worked before: taking over a user named `me`, keeping a session alive
after a password change, a disable or a delete, re-enabling oneself, keeping a client-credentials
token after rotation, using app A's credentials at app B, signing up without the signup rules,
posting an activity as someone else, or a multi-entity write that changes some entities, then 403.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import Api

P = "/usergrid/acme/prod"


class W:
    def __init__(self, api: Api, org: dict[str, Any]) -> None:
        creds = org["credentials"]
        self.api, self.admin, self.creds = api, org["admin_token"], creds
        self.app_uuid, self.key = creds["uuid"], creds["rest_api_key"]
        self.uuids: dict[str, str] = {}
        for name in ("ann", "bob"):
            r = api.post(f"{P}/users", {"username": name, "email": f"{name}@acme.test", "password": f"pw-{name}"})
            assert r.status_code == 200, r.body
            self.uuids[name] = r.json["entities"][0]["uuid"]

    def login(self, name: str, password: str | None = None) -> str:
        r = self.api.post(f"{P}/token", {"grant_type": "password", "username": name,
                                         "password": password or f"pw-{name}"})
        assert r.status_code == 200, r.body
        return str(r.json["access_token"])

    def ug(self, token: str, method: str, path: str, body: Any = None) -> Any:
        return self.api.call(method, P + path, body, token=token)

    def bea(self, method: str, path: str, body: Any = None, session: str | None = None) -> Any:
        h = {"X-BEA-Application-Id": self.app_uuid, "X-BEA-Authorization": self.key}
        if session:
            h["X-BEA-Session-Token"] = session
        return self.api.call(method, "/bea/1/" + path, body, token="", headers=h)

    def bl(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        h = {"user-token": token} if token else {}
        return self.api.call(method, f"/backendless/{self.app_uuid}/{self.key}" + path, body, token="", headers=h)


@pytest.fixture
def w(api: Api, org: dict[str, Any]) -> W:
    return W(api, org)


def test_user_named_me_is_refused_and_unreachable(w: W, svc: Any) -> None:
    # refused at signup in every dialect, and as a new name
    assert w.api.post(f"{P}/users", {"username": "ME", "password": "x"}).status_code == 400
    assert w.bea("POST", "Users", {"username": "Me", "password": "x"}).status_code == 400
    assert w.bl("POST", "/users/register", {"email": "m@acme.test", "name": "me", "password": "x"}).status_code == 400
    bob = w.login("bob")
    assert w.ug(bob, "PUT", "/users/me", {"username": "me"}).status_code == 400
    # one that exists already (written before the rule) is not everybody's `/users/me`
    from chalicelib.core.secrets import hash_password

    me = svc.entities.create(w.app_uuid, "users", {"username": "me", "name": "Me"}, secret=hash_password("pw-me"))
    assert w.ug(bob, "GET", f"/users/{me['uuid']}").status_code == 403
    assert w.ug(bob, "PUT", f"/users/{me['uuid']}", {"name": "pwned"}).status_code == 403
    assert w.ug(bob, "DELETE", f"/users/{me['uuid']}").status_code == 403
    r = w.ug(bob, "GET", "/users/me")
    assert r.status_code == 200 and r.json["entities"][0]["username"] == "bob"
    r = w.bl("PUT", f"/users/{me['uuid']}", {"password": "taken"}, token=w.login("bob"))
    assert r.status_code in (401, 403), r.body
    w.login("me", "pw-me")  # its password is still its own


def test_password_change_ends_other_sessions(w: W) -> None:
    t1, t2 = w.login("ann"), w.login("ann")
    r = w.ug(t1, "PUT", "/users/ann/password", {"oldpassword": "pw-ann", "newpassword": "new-ann"})
    assert r.status_code == 200, r.body
    assert w.ug(t1, "GET", "/users/me").status_code == 200  # the session that changed it stays
    assert w.ug(t2, "GET", "/users/me").status_code == 401
    w.login("ann", "new-ann")
    # BEA: PUT /1/_User/<self> {"password"} really changes it (Parse), and ends the other sessions
    s1 = w.bea("GET", "login?username=bob&password=pw-bob").json["sessionToken"]
    s2 = w.bea("POST", "login", {"username": "bob", "password": "pw-bob"}).json["sessionToken"]
    r = w.bea("PUT", f"_User/{w.uuids['bob']}", {"password": "new-bob"}, session=s1)
    assert r.status_code == 200, r.body
    assert w.bea("GET", "users/me", session=s1).status_code == 200
    assert w.bea("GET", "users/me", session=s2).status_code != 200
    assert w.bea("GET", "login?username=bob&password=pw-bob").status_code != 200
    assert w.bea("GET", "login?username=bob&password=new-bob").status_code == 200


def test_disable_and_delete_end_tokens(w: W) -> None:
    bob, ann = w.login("bob"), w.login("ann")
    assert w.ug(w.admin, "PUT", "/users/bob", {"disabled": True}).status_code == 200
    assert w.ug(bob, "GET", "/users/me").status_code == 401
    assert w.ug(w.admin, "DELETE", "/users/ann").status_code == 200
    assert w.ug(ann, "POST", "/items", {"name": "ghost"}).status_code == 401  # a deleted user's token


def test_protected_user_fields_only_for_privileged_callers(w: W) -> None:
    ann = w.login("ann")
    ql = "?ql=" + quote("username = 'ann'")
    assert w.ug(ann, "PUT", "/users" + ql, {"activated": False}).status_code == 403
    assert w.ug(ann, "PUT", "/users" + ql, {"roles": ["admin"]}).status_code == 403
    bl_ann = w.bl("POST", "/users/login", {"login": "ann@acme.test", "password": "pw-ann"}).json["user-token"]
    assert w.bl("PUT", f"/users/{w.uuids['ann']}", {"disabled": True}, token=bl_ann).status_code == 403
    s = w.bea("GET", "login?username=ann&password=pw-ann").json["sessionToken"]
    assert w.bea("PUT", f"users/{w.uuids['ann']}", {"activated": False}, session=s).status_code == 403
    r = w.ug(w.admin, "GET", "/users/ann").json["entities"][0]
    assert r.get("activated") is True and not r.get("disabled")
    assert w.ug(w.admin, "PUT", "/users" + ql, {"activated": False}).status_code == 200  # the admin may


def test_client_tokens_end_with_rotation_and_stay_in_their_app(w: W) -> None:
    creds = w.creds["credentials"]
    token = w.api.post(f"{P}/token", {"grant_type": "client_credentials", **creds}).json["access_token"]
    assert w.ug(token, "GET", "/items").status_code == 200
    assert w.api.post("/usergrid/management/orgs/acme/apps", {"name": "other"}, token=w.admin).status_code == 200
    r = w.api.post("/usergrid/acme/other/token", {"grant_type": "client_credentials", **creds})
    assert r.status_code in (400, 401), r.body  # app A's credentials at app B's /token
    assert w.api.post("/usergrid/management/orgs/acme/apps/prod/credentials", token=w.admin).status_code == 200
    assert w.ug(token, "GET", "/items").status_code == 401


def test_bea_parse_paths_and_reserved_classes(w: W) -> None:
    s = w.bea("POST", "login", {"username": "ann", "password": "pw-ann"}).json["sessionToken"]
    r = w.bea("GET", "users/me", session=s)
    assert r.status_code == 200 and r.json["username"] == "ann"
    assert w.bea("POST", "logout", {}, session=s).status_code == 200
    assert w.bea("GET", "users/me", session=s).status_code != 200
    assert w.bea("POST", "logout", {"x": 1}).status_code != 201  # no session: nothing to do, nothing created
    assert w.bea("POST", "requestPasswordReset", {"email": "ann@acme.test"}).status_code == 200
    for cls in ("logout", "requestPasswordReset", "Login", "sessions", "roles", "_Session", "_Role", "classes"):
        assert w.bea("POST", cls if cls != "logout" else "logout", {"a": 1}).status_code != 201, cls
        assert w.bea("POST", f"{cls}/x", {"a": 1}).status_code != 201, cls
    for coll in ("logouts", "requestpasswordresets", "logins", "sessions"):
        r = w.ug(w.admin, "GET", f"/{coll}")
        assert r.status_code != 200 or r.json["entities"] == [], coll


def test_bea_users_are_public_profiles(w: W) -> None:
    r = w.bea("GET", f"Users/{w.uuids['ann']}")  # the REST key alone, as the seed sends it
    assert r.status_code == 200 and r.json["username"] == "ann"
    assert "email" not in r.json and "password" not in r.json and "sessionToken" not in r.json
    r = w.bea("GET", "Users?where=" + quote(json.dumps({"username": "bob"})))
    assert r.status_code == 200 and [u["username"] for u in r.json["results"]] == ["bob"]
    assert "email" not in r.json["results"][0]
    assert w.bea("GET", "Users?where=" + quote(json.dumps({"email": "bob@acme.test"}))).status_code == 403
    s = w.bea("GET", "login?username=ann&password=pw-ann").json["sessionToken"]
    assert w.bea("GET", f"Users/{w.uuids['ann']}", session=s).json["email"] == "ann@acme.test"  # itself
    assert w.bea("PUT", f"Users/{w.uuids['bob']}", {"name": "x"}, session=s).status_code != 200
    assert w.bea("PUT", f"Users/{w.uuids['bob']}", {"name": "x"}).status_code != 200  # the key alone


def test_signup_rules_hold_on_the_data_apis(w: W) -> None:
    assert w.bea("POST", "_User", {"username": "nopw"}).status_code == 400
    r = w.bea("POST", "_User", {"username": "cat", "password": "pw-cat"})
    assert r.status_code == 201 and r.json["sessionToken"]
    assert w.bl("POST", "/data/Users", {"name": "nopw", "email": "n@acme.test"}).status_code == 400
    assert w.bl("POST", "/data/Users", {"email": "not-an-email", "password": "x"}).status_code == 400
    assert w.bl("POST", "/data/Users", {"email": "ann@acme.test", "password": "x"}).status_code == 400  # taken
    r = w.bl("POST", "/data/Users", {"email": "dan@acme.test", "password": "pw-dan"})
    assert r.status_code == 200 and "password" not in r.json
    assert w.bl("POST", "/users/login", {"login": "dan@acme.test", "password": "pw-dan"}).status_code == 200


def test_activity_actor_is_the_poster(w: W) -> None:
    bob = w.login("bob")
    r = w.ug(bob, "POST", "/users/bob/activities",
             {"verb": "post", "content": "hi", "actor": {"uuid": w.uuids["ann"], "username": "ann"}})
    assert r.status_code == 200, r.body
    assert r.json["entities"][0]["actor"]["uuid"] == w.uuids["bob"]
    r = w.ug(w.admin, "POST", "/users/bob/activities", {"content": "x", "actor": {"username": "system"}})
    assert r.json["entities"][0]["actor"] == {"username": "system"}  # the app may set it


def test_multi_entity_write_checks_every_target_first(w: W) -> None:
    ann, bob = w.login("ann"), w.login("bob")
    assert w.ug(bob, "POST", "/items", {"name": "b1", "kind": "x", "v": 1}).status_code == 200
    assert w.ug(ann, "POST", "/items", {"name": "a1", "kind": "x", "v": 1}).status_code == 200
    ql = "?ql=" + quote("kind = 'x'")
    assert w.ug(ann, "PUT", "/items" + ql, {"v": 9}).status_code == 403
    assert w.ug(ann, "DELETE", "/items" + ql).status_code == 403
    r = w.ug(ann, "GET", "/items" + ql)
    assert sorted((e["name"], e["v"]) for e in r.json["entities"]) == [("a1", 1), ("b1", 1)]
    t = w.bl("POST", "/users/login", {"login": "ann@acme.test", "password": "pw-ann"}).json["user-token"]
    assert w.bl("PUT", "/data/bulk/items?where=" + quote("kind = 'x'"), {"v": 7}, token=t).status_code == 403
    assert w.bl("DELETE", "/data/bulk/items?where=" + quote("kind = 'x'"), token=t).status_code == 403
    r = w.ug(ann, "GET", "/items" + ql)
    assert sorted((e["name"], e["v"]) for e in r.json["entities"]) == [("a1", 1), ("b1", 1)]


def _stored_hash(w: W, name: str) -> str:
    from chalicelib.bootstrap import services

    rec = services().entities.store.get(w.app_uuid, w.uuids[name])
    assert rec is not None and rec.secret
    return rec.secret


def _set_hash(w: W, name: str, stored: str) -> None:
    """As `baas import` leaves a Parse user: its bcrypt hash beside the document."""
    from chalicelib.bootstrap import services

    store = services().entities.store
    assert store.replace_secret(w.app_uuid, w.uuids[name], _stored_hash(w, name), stored)


def test_imported_bcrypt_hash_becomes_scrypt_at_first_login(w: W) -> None:
    """An imported user's bcrypt hash is checked once, then replaced by this deployment's scrypt
    (the password is at hand only at login); the entity, its version and sessions are untouched."""
    import bcrypt

    from chalicelib import hashes

    hashes.install()
    _set_hash(w, "ann", bcrypt.hashpw(b"parse-pw", bcrypt.gensalt(rounds=4)).decode().replace("$2b$", "$2y$"))
    before = w.ug(w.admin, "GET", "/users/ann").json["entities"][0]
    assert w.api.post(f"{P}/token", {"grant_type": "password", "username": "ann", "password": "nope"}).status_code == 400
    assert _stored_hash(w, "ann").startswith("$2y$")  # a wrong password rewrites nothing
    token = w.login("ann", "parse-pw")
    assert _stored_hash(w, "ann").startswith("scrypt$")
    assert w.ug(token, "GET", "/users/me").status_code == 200  # the session made at that login holds
    assert w.login("ann", "parse-pw")  # and the new hash checks the same password
    assert w.bl("POST", "/users/login", {"login": "ann@acme.test", "password": "parse-pw"}).status_code == 200
    after = w.ug(w.admin, "GET", "/users/ann").json["entities"][0]
    assert after["modified"] == before["modified"]


def test_rehash_never_undoes_a_password_change(w: W, monkeypatch: Any) -> None:
    """The rehash is conditional on the hash it checked: a password change landing between the
    check and the rewrite wins, and the old password stays refused."""
    import bcrypt

    from chalicelib import hashes
    from chalicelib.core import secrets

    hashes.install()
    _set_hash(w, "bob", bcrypt.hashpw(b"old-pw", bcrypt.gensalt(rounds=4)).decode())
    real = secrets.hash_password

    def change_first(password: str) -> str:
        if password == "old-pw":  # the login's rehash: bob's password changes just before it writes
            _set_hash(w, "bob", real("new-pw"))
        return real(password)

    monkeypatch.setattr("chalicelib.core.auth.hash_password", change_first)
    w.login("bob", "old-pw")
    monkeypatch.undo()
    assert w.api.post(f"{P}/token", {"grant_type": "password", "username": "bob", "password": "old-pw"}).status_code == 400
    assert w.login("bob", "new-pw")


def test_needs_rehash() -> None:
    from chalicelib import hashes
    from chalicelib.core import secrets

    hashes.install()
    assert secrets.needs_rehash("$2b$04$" + "a" * 53)
    assert not secrets.needs_rehash(secrets.hash_password("x"))
    assert secrets.needs_rehash("scrypt$1024$8$1$c2FsdA$ZGlnZXN0") != (secrets._N == 1024)
    assert not secrets.needs_rehash(None) and not secrets.needs_rehash("garbage")
