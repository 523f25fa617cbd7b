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
