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
