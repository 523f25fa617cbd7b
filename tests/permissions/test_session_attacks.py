"""Attacks on the features of the sharding / relations / connections / counts session: one test per
attack, each written as the attack (a hole found fails on the code before its fix)."""

from __future__ import annotations

from typing import Any

from .conftest import World, refused


def _mgmt(world: World, method: str, path: str, token: str | None, body: Any = None) -> Any:
    import json

    h = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    r = getattr(world.c.http, method.lower())(f"/usergrid/management/orgs/acme/apps/{path}", headers=h,
                                              body=json.dumps(body) if body is not None else None)
    r.json = json.loads(r.body) if r.body and r.body[:1] == b"{" else None
    return r


# -- 5/6. counts: a Parse CLP that denies `count` ------------------------------------------------------
def test_count_obeys_the_clp_count_permission(world: World) -> None:
    assert world.call("parse", "key", "POST", "classes/Tally", {"n": 1}).status_code == 201
    r = world.call("parse", "app", "PUT", "schemas/Tally", {"classLevelPermissions": {
        "find": {"*": True}, "get": {"*": True}, "count": {}, "create": {"*": True}, "update": {"*": True},
        "delete": {"*": True}, "addField": {"*": True}}})
    assert r.status_code == 200, r.body
    for caller in ("key", "owner"):
        r = world.call("parse", caller, "GET", "classes/Tally", params={"count": "1", "limit": "0"})
        assert r.status_code in (400, 403) and r.json["code"] == 119, (caller, r.body)
        r = world.call("bea", caller, "GET", "classes/Tally", params={"count": "1", "limit": "0"})
        refused("bea", r)
    r = world.call("parse", "app", "GET", "classes/Tally", params={"count": "1", "limit": "0"})
    assert r.status_code == 200 and r.json["count"] == 1, r.body  # the master key is never refused
    r = world.call("parse", "key", "GET", "classes/Tally")
    assert r.status_code == 200 and len(r.json["results"]) == 1, r.body  # find without count is allowed


# -- 3. relations: a cycle walked by a long loadRelations path ---------------------------------------
def test_load_relations_path_is_bounded_like_relations_depth(world: World) -> None:
    r = world.call("backendless", "key", "POST", "data/Loop", {"n": 1})
    assert r.status_code == 200, r.body
    oid = r.json["objectId"]
    r = world.call("backendless", "key", "PUT", f"data/Loop/{oid}/next:Loop:1", [oid])  # the object points to itself
    assert r.status_code == 200, r.body
    r = world.call("backendless", "key", "GET", f"data/Loop/{oid}", params={"loadRelations": "next.next"})
    assert r.status_code == 200 and r.json["next"]["next"]["objectId"] == oid, r.body
    deep = ".".join(["next"] * 60)  # each level is two sequential round trips
    assert world.call("backendless", "key", "GET", f"data/Loop/{oid}",
                      params={"loadRelations": ".".join(["next"] * 5)}).status_code == 200  # MAX_DEPTH
    r = world.call("backendless", "key", "GET", f"data/Loop/{oid}", params={"loadRelations": deep})
    assert r.status_code == 400, (r.status_code, r.headers.get("x-baas-cost"), r.body[:200])
    r = world.call("backendless", "key", "GET", "data/Loop", params={"loadRelations": deep})
    assert r.status_code == 400, r.body[:200]
    r = world.call("backendless", "key", "GET", f"data/Loop/{oid}", params={"loadRelations": "n." * 2000 + "n"})
    assert r.status_code == 400, r.body[:200]  # deeper than the interpreter's recursion limit


def test_parse_include_path_through_a_cycle_is_bounded(world: World) -> None:
    r = world.call("parse", "key", "POST", "classes/Ring", {"n": 1})
    assert r.status_code == 201, r.body
    oid = r.json["objectId"]
    ptr = {"__type": "Pointer", "className": "Ring", "objectId": oid}
    assert world.call("parse", "key", "PUT", f"classes/Ring/{oid}", {"next": ptr}).status_code == 200
    r = world.call("parse", "key", "GET", f"classes/Ring/{oid}", params={"include": "next.next"})
    assert r.status_code == 200 and r.json["next"]["next"]["objectId"] == oid, r.body
    for depth in (2000, 60):
        path = ".".join(["next"] * depth)
        for where in (f"classes/Ring/{oid}", "classes/Ring"):
            r = world.call("parse", "key", "GET", where, params={"include": path})
            assert r.status_code == 400 and r.json["code"] == 102, (depth, r.status_code, r.body[:200])


# -- 1/2. management routes: shards, migrate, spellings --------------------------------------------------
def _evil_admin(world: World) -> str:
    """The admin of another organization (made on first use)."""
    import json

    if "evil" not in world.tokens:
        h = {"Content-Type": "application/json"}
        r = world.c.http.post("/usergrid/management/organizations", headers=h, body=json.dumps({
            "organization": "evilcorp", "username": "eve", "name": "Eve", "email": "eve@evil.test",
            "password": "s3cret!"}))
        assert r.status_code == 200, r.body
        r = world.c.http.post("/usergrid/management/token", headers=h, body=json.dumps({
            "grant_type": "password", "username": "eve", "password": "s3cret!"}))
        world.tokens["evil"] = json.loads(r.body)["access_token"]
    return world.tokens["evil"]


def _other_app_token(world: World) -> str:
    import json

    r = world.c.http.post("/usergrid/acme/other/token", headers={"Content-Type": "application/json"},
                          body=json.dumps({"grant_type": "client_credentials", **world.other_creds["credentials"]}))
    assert r.status_code == 200, r.body
    return str(json.loads(r.body)["access_token"])


def test_management_of_layouts_and_spellings_needs_this_orgs_admin(world: World) -> None:
    strangers = {"evil admin": _evil_admin(world), "other app": _other_app_token(world),
                 "user": world.tokens["alice"], "anonymous": None}
    for who, tok in strangers.items():
        for method, path, body in (("GET", "prod/collections/notes/shards", None),
                                   ("PUT", "prod/collections/notes/shards", {"shards": 4}),
                                   ("POST", "prod/collections/notes/shards/migrate", {}),
                                   ("POST", "prod/spellings", {}), ("POST", "prod/collections/notes/spellings", {}),
                                   ("PUT", "nosuchapp/collections/notes/shards", {"shards": 4}),
                                   ("POST", "nosuchapp/spellings", {})):
            r = _mgmt(world, method, path, tok, body)
            assert r.status_code in (401, 403), (who, method, path, r.status_code, r.body)
            assert "error" in r.json and "nosuchapp" not in r.body.decode(), (who, path, r.body)
    r = _mgmt(world, "GET", "prod/collections/notes/shards", world.admin)
    assert r.status_code == 200 and r.json["shards"] == 1, r.body  # nothing above changed the layout
    r = _mgmt(world, "POST", "prod/collections/notes/spellings", world.app_token, {})
    assert r.status_code == 200, r.body  # the app's own credentials may


def test_management_hostile_input_is_a_clear_400(world: World) -> None:
    for body in ({"shards": True}, {"shards": 1e3}, {"shards": "4"}, {"shards": 10**30}, {"shards": 0},
                 {"shards": None}, [], "x", {}):
        r = _mgmt(world, "PUT", "prod/collections/notes/shards", world.admin, body)
        assert r.status_code == 400 and "error" in r.json, (body, r.status_code, r.body)
    sp = _mgmt(world, "POST", "prod/spellings", world.admin, {"limit": 1})
    for path in ("prod/collections/notes/shards/migrate", "prod/spellings", "prod/collections/notes/spellings"):
        for body in ({"limit": True}, {"limit": -1}, {"limit": 10**9}, {"limit": "x"}, {"cursor": 5},
                     {"cursor": "a.b"}, {"cursor": "x" * 100_000}, {"cursor": ["x"]}):
            r = _mgmt(world, "POST", path, world.admin, body)
            assert r.status_code == 400 and "error" in r.json, (path, body, r.status_code, r.body)
    if sp.json.get("cursor"):  # a signed cursor of another walk
        r = _mgmt(world, "POST", "prod/collections/notes/shards/migrate", world.admin, {"cursor": sp.json["cursor"]})
        assert r.status_code in (400, 409), r.body
    for coll in ("a" * 5000, "..", "%2e%2e", "no such", "notes%00"):
        r = _mgmt(world, "PUT", f"prod/collections/{coll}/shards", world.admin, {"shards": 2})
        assert r.status_code in (200, 400, 404), (coll[:20], r.status_code, r.body[:200])
