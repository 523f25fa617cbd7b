"""Who may do what (issue 3): a matrix of principals x operations over the Usergrid routes."""

from __future__ import annotations

from typing import Any

import pytest

P = "/usergrid/acme/prod"


@pytest.fixture
def world(api: Any, org: dict[str, Any]) -> dict[str, Any]:
    admin = org["admin_token"]
    creds = org["credentials"]["credentials"]
    app_token = api.post(f"{P}/token", {"grant_type": "client_credentials", **creds}).json["access_token"]
    tokens = {"admin": admin, "app": app_token}
    for name in ("ann", "bob", "eve"):
        r = api.post(f"{P}/users", {"username": name, "email": f"{name}@acme.test", "password": f"pw-{name}"})
        assert r.status_code == 200, r.body  # guests may register
        tokens[name] = api.post(f"{P}/token", {"grant_type": "password", "username": name,
                                               "password": f"pw-{name}"}).json["access_token"]
    # ann owns one item, bob another; an item made by the app is owned by nobody
    ann_item = api.post(f"{P}/items", {"name": "ann-item", "v": 1}, token=tokens["ann"]).json["entities"][0]
    bob_item = api.post(f"{P}/items", {"name": "bob-item", "v": 2}, token=tokens["bob"]).json["entities"][0]
    api.post(f"{P}/items", {"name": "app-item", "v": 3}, token=app_token)
    # an editor role that may change any item; eve gets it
    assert api.post(f"{P}/roles", {"name": "editor", "title": "Editor"}, token=admin).status_code == 200
    assert api.post(f"{P}/roles/editor/permissions", {"permission": "get,put,post,delete:/items/**"},
                    token=admin).status_code == 200
    assert api.post(f"{P}/users/eve/roles/editor", token=admin).status_code == 200
    return {"tokens": tokens, "ann_item": ann_item, "bob_item": bob_item}


# (principal, method, path, body, expected status)
MATRIX = [
    # anonymous (guest): register only
    ("anon", "GET", f"{P}/items", None, 401),
    ("anon", "GET", f"{P}/items/ann-item", None, 401),
    ("anon", "POST", f"{P}/items", {"x": 1}, 401),
    ("anon", "PUT", f"{P}/items/ann-item", {"x": 1}, 401),
    ("anon", "DELETE", f"{P}/items/ann-item", None, 401),
    ("anon", "GET", f"{P}/users", None, 401),
    ("anon", "GET", f"{P}/users/ann", None, 401),
    ("anon", "GET", f"{P}/roles", None, 401),
    ("anon", "POST", f"{P}/users", {"username": "newbie", "password": "pw"}, 200),
    # a logged-in user (default role): read public data, create, edit only what it owns
    ("ann", "GET", f"{P}/items", None, 200),
    ("ann", "GET", f"{P}/items/bob-item", None, 200),
    ("ann", "POST", f"{P}/items", {"x": 1}, 200),
    ("ann", "PUT", f"{P}/items/ann-item", {"x": 1}, 200),
    ("ann", "PUT", f"{P}/items/bob-item", {"x": 1}, 403),
    ("ann", "DELETE", f"{P}/items/bob-item", None, 403),
    ("ann", "PUT", f"{P}/items/app-item", {"x": 1}, 403),
    ("ann", "DELETE", f"{P}/items/ann-item", None, 200),
    # users: only itself
    ("ann", "GET", f"{P}/users/me", None, 200),
    ("ann", "GET", f"{P}/users/ann", None, 200),
    ("ann", "GET", f"{P}/users/bob", None, 403),
    ("ann", "PUT", f"{P}/users/bob", {"name": "pwned"}, 403),
    ("ann", "DELETE", f"{P}/users/bob", None, 403),
    ("ann", "PUT", f"{P}/users/ann", {"nickname": "annie"}, 200),
    ("ann", "PUT", f"{P}/users/bob/password", {"oldpassword": "pw-bob", "newpassword": "x"}, 403),
    ("ann", "POST", f"{P}/users", {"username": "sock", "password": "pw"}, 403),
    # roles and groups: only the app and admins
    ("ann", "POST", f"{P}/roles", {"name": "sneaky"}, 403),
    ("ann", "POST", f"{P}/roles/editor/permissions", {"permission": "get:/**"}, 403),
    ("ann", "POST", f"{P}/users/ann/roles/editor", None, 403),
    ("ann", "POST", f"{P}/groups", {"path": "club"}, 403),
    ("ann", "GET", f"{P}/roles", None, 403),
    # a user with a role that grants more
    ("eve", "PUT", f"{P}/items/bob-item", {"x": 1}, 200),
    ("eve", "DELETE", f"{P}/items/app-item", None, 200),
    ("eve", "GET", f"{P}/users/bob", None, 403),
    # the app (client credentials) and org admins pass every rule
    ("app", "PUT", f"{P}/items/bob-item", {"x": 2}, 200),
    ("app", "GET", f"{P}/users/bob", None, 200),
    ("app", "POST", f"{P}/roles", {"name": "viewer"}, 200),
    ("admin", "DELETE", f"{P}/items/bob-item", None, 200),
    ("admin", "GET", f"{P}/users", None, 200),
    # another app's user token reaches nothing here
    ("other", "GET", f"{P}/items", None, 403),
]


def test_matrix(api: Any, world: dict[str, Any]) -> None:
    """Every row in order against one world (rows that delete come after rows that read)."""
    tokens = world["tokens"]
    api.post("/usergrid/acme/sandbox/users", {"username": "zed", "password": "pw-zed"})
    tokens["other"] = api.post("/usergrid/acme/sandbox/token", {"grant_type": "password", "username": "zed",
                                                               "password": "pw-zed"}).json["access_token"]
    wrong = []
    for who, method, path, body, status in MATRIX:
        r = api.call(method, path, body, token="" if who == "anon" else tokens[who])
        if r.status_code != status or (status in (401, 403) and r.json["error"] not in ("unauthorized", "forbidden")):
            wrong.append((who, method, path, status, r.status_code, r.body[:200]))
    assert wrong == []


def test_users_listing_shows_only_the_caller(api: Any, world: dict[str, Any]) -> None:
    r = api.get(f"{P}/users?limit=50", token=world["tokens"]["ann"])
    assert r.status_code == 200
    assert [u["username"] for u in r.json["entities"]] == ["ann"] and r.json["count"] == 1


def test_acl_overrides_defaults_and_queries_filter(api: Any, world: dict[str, Any], svc: Any) -> None:
    tokens = world["tokens"]
    app = svc.tenancy.app("acme", "prod")
    from chalicelib.core.auth import Principal

    data = svc.data(app, Principal("app", app.uuid, app.uuid))
    secret = data.create_record("items", {"name": "secret", "v": 9},
                                acl={world["ann_item"]["uuid"]: {"read": True}})  # nobody named: hidden
    ann_uuid = api.get(f"{P}/users/me", token=tokens["ann"]).json["entities"][0]["uuid"]
    shared = data.create_record("items", {"name": "shared", "v": 9}, acl={ann_uuid: {"read": True, "write": True}})
    assert api.get(f"{P}/items/{secret.uuid}", token=tokens["ann"]).status_code == 403
    assert api.get(f"{P}/items/{shared.uuid}", token=tokens["bob"]).status_code == 403
    assert api.get(f"{P}/items/{shared.uuid}", token=tokens["ann"]).status_code == 200
    assert api.put(f"{P}/items/{shared.uuid}", {"v": 10}, token=tokens["ann"]).status_code == 200
    # queries return only readable entities, with a right count, and page correctly
    r = api.get(f"{P}/items?ql=v%20%3E%3D%209", token=tokens["ann"])
    assert [e["name"] for e in r.json["entities"]] == ["shared"] and r.json["count"] == 1
    r = api.get(f"{P}/items?ql=v%20%3E%3D%209", token=tokens["bob"])
    assert r.json["entities"] == [] and r.json["count"] == 0
    # a role named in an ACL grants through the role
    data.update_record("items", shared.uuid, {}, acl={"role:editor": {"read": True}})
    assert api.get(f"{P}/items/{shared.uuid}", token=tokens["eve"]).status_code == 200
    assert api.get(f"{P}/items/{shared.uuid}", token=tokens["ann"]).status_code == 403


def test_groups_grant_roles_to_members(api: Any, world: dict[str, Any]) -> None:
    admin, bob = world["tokens"]["admin"], world["tokens"]["bob"]
    assert api.put(f"{P}/items/ann-item", {"x": 1}, token=bob).status_code == 403
    assert api.post(f"{P}/groups", {"path": "editors", "title": "Editors"}, token=admin).status_code == 200
    assert api.post(f"{P}/groups/editors/roles/editor", token=admin).status_code == 200
    assert api.post(f"{P}/groups/editors/users/bob", token=admin).status_code == 200
    members = api.get(f"{P}/groups/editors/users", token=admin).json["entities"]
    assert [m["username"] for m in members] == ["bob"]
    assert api.put(f"{P}/items/ann-item", {"x": 1}, token=bob).status_code == 200
    assert [r["name"] for r in api.get(f"{P}/groups/editors/roles", token=admin).json["entities"]] == ["editor"]
    api.delete(f"{P}/groups/editors/users/bob", token=admin)
    assert api.put(f"{P}/items/ann-item", {"x": 2}, token=bob).status_code == 403


def test_role_inheritance_and_permission_removal(api: Any, world: dict[str, Any], svc: Any) -> None:
    admin, bob = world["tokens"]["admin"], world["tokens"]["bob"]
    app = svc.tenancy.app("acme", "prod")
    svc.permissions.ensure_role(app.uuid, "senior", inherits=["editor"])
    assert api.post(f"{P}/roles", {"name": "senior"}, token=admin).status_code == 200
    assert api.post(f"{P}/users/bob/roles/senior", token=admin).status_code == 200
    assert api.put(f"{P}/items/ann-item", {"x": 1}, token=bob).status_code == 200
    perms = api.get(f"{P}/roles/editor/permissions", token=admin).json["data"]
    assert perms == ["get,put,post,delete:/items/**"]
    r = api.delete(f"{P}/roles/editor/permissions?permission=get,put,post,delete:/items/**", token=admin)
    assert r.status_code == 200 and r.json["data"] == []
    assert api.put(f"{P}/items/ann-item", {"x": 2}, token=bob).status_code == 403
    assert [r["name"] for r in api.get(f"{P}/users/bob/roles", token=admin).json["entities"]] == ["senior"]


def test_password_change(api: Any, world: dict[str, Any]) -> None:
    ann, admin = world["tokens"]["ann"], world["tokens"]["admin"]
    r = api.put(f"{P}/users/ann/password", {"oldpassword": "wrong", "newpassword": "n1"}, token=ann)
    assert r.status_code == 400
    assert api.put(f"{P}/users/ann/password", {"oldpassword": "pw-ann", "newpassword": "n1"}, token=ann).status_code == 200
    login = {"grant_type": "password", "username": "ann"}
    assert api.post(f"{P}/token", {**login, "password": "n1"}).status_code == 200
    assert api.put(f"{P}/users/ann/password", {"newpassword": "n2"}, token=admin).status_code == 200
    assert api.post(f"{P}/token", {**login, "password": "n2"}).status_code == 200
    assert api.post(f"{P}/token", {**login, "password": "n1"}).status_code == 400


def test_deactivated_user_cannot_log_in_and_cannot_reactivate_itself(api: Any, world: dict[str, Any]) -> None:
    ann, admin = world["tokens"]["ann"], world["tokens"]["admin"]
    assert api.put(f"{P}/users/ann", {"activated": False}, token=admin).status_code == 200
    r = api.post(f"{P}/token", {"grant_type": "password", "username": "ann", "password": "pw-ann"})
    assert r.status_code == 400
    api.put(f"{P}/users/ann", {"activated": True}, token=ann)
    assert api.get(f"{P}/users/ann", token=admin).json["entities"][0]["activated"] is False


def test_sandbox_stays_open(api: Any, org: dict[str, Any]) -> None:
    assert api.post("/usergrid/acme/sandbox/roles", {"name": "r1"}).status_code == 200
    assert api.put("/usergrid/acme/sandbox/items/x", {"a": 1}).status_code == 200  # PUT upserts (Usergrid)
