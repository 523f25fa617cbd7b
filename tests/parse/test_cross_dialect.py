"""One store, five dialects: a Parse object read through BEA, Usergrid and Backendless and back,
a Usergrid entity read through Parse, and ACLs honoured the same way by each."""

from __future__ import annotations

import json
from typing import Any

from .conftest import Parse


def _bea(p: Parse, method: str, path: str, body: Any = None, session: str | None = None) -> Any:
    h = {"Content-Type": "application/json", "X-BEA-Application-Id": p.app_id, "X-BEA-Authorization": p.key}
    if session:
        h["X-BEA-Session-Token"] = session[2:] if session.startswith("r:") else session
    r = getattr(p.c.http, method.lower())(f"/bea/1/{path}", headers=h, body=json.dumps(body) if body else None)
    return r.status_code, json.loads(r.body) if r.body else None


def _ug(p: Parse, method: str, path: str, token: str, body: Any = None) -> Any:
    h = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    r = getattr(p.c.http, method.lower())(f"/usergrid/acme/prod/{path}", headers=h,
                                           body=json.dumps(body) if body else None)
    return r.status_code, json.loads(r.body) if r.body else None


def test_parse_object_everywhere_and_back(rest: Parse, org: dict[str, Any]) -> None:
    when = {"__type": "Date", "iso": "2026-05-06T07:08:09.010Z"}
    oid = rest.post("classes/GameScore", {"score": 7, "player": "ann", "when": when}).json["objectId"]
    status, obj = _bea(rest, "GET", f"GameScore/{oid}")
    assert status == 200 and obj["score"] == 7 and obj["when"] == when and obj["objectId"] == oid
    status, ug = _ug(rest, "GET", f"gamescores/{oid}", org["admin_token"])
    assert status == 200 and ug["entities"][0]["score"] == 7 and ug["entities"][0]["uuid"] == oid
    bl = rest.c.http.get(f"/backendless/{rest.app_id}/{rest.key}/data/GameScore/{oid}")
    assert bl.status_code == 200 and json.loads(bl.body)["score"] == 7
    # BEA's atomic operator, then Usergrid's update, read back through Parse
    _bea(rest, "PUT", f"GameScore/{oid}", {"score": {"__op": "Increment", "amount": 3}})
    _ug(rest, "PUT", f"gamescores/{oid}", org["admin_token"], {"level": "hard"})
    got = rest.get(f"classes/GameScore/{oid}").json
    assert got["score"] == 10 and got["level"] == "hard" and got["when"] == when
    assert [o["objectId"] for o in rest.find("GameScore", {"level": "hard", "score": {"$gte": 10}})] == [oid]


def test_usergrid_entity_through_parse(rest: Parse, org: dict[str, Any]) -> None:
    status, body = _ug(rest, "POST", "gamescores", org["admin_token"], {"name": "ug-one", "score": 3})
    assert status == 200
    uuid = body["entities"][0]["uuid"]
    got = rest.get(f"classes/GameScore/{uuid}").json
    assert got["objectId"] == uuid and got["score"] == 3 and got["name"] == "ug-one" and got["createdAt"].endswith("Z")
    assert [o["objectId"] for o in rest.find("GameScore", {"name": "ug-one"})] == [uuid]


def test_acls_are_honoured_by_every_dialect(rest: Parse) -> None:
    ann = rest.post("users", {"username": "ann", "password": "pw-ann"}).json
    bob = rest.post("users", {"username": "bob", "password": "pw-bob"}).json
    acl = {ann["objectId"]: {"read": True, "write": True}}
    oid = rest.post("classes/Diary", {"t": "mine", "ACL": acl}, session=ann["sessionToken"]).json["objectId"]
    # BEA: the same session token (the core token behind r:) reads it for ann, not for bob
    assert _bea(rest, "GET", f"Diary/{oid}", session=ann["sessionToken"])[0] == 200
    assert _bea(rest, "GET", f"Diary/{oid}", session=bob["sessionToken"])[0] == 403  # BEA says so; Parse hides it (101)
    # Usergrid: the Parse users log in with their Parse passwords
    tokens = {}
    for name in ("ann", "bob"):
        r = rest.c.http.post("/usergrid/acme/prod/token", headers={"Content-Type": "application/json"},
                             body=json.dumps({"grant_type": "password", "username": name, "password": f"pw-{name}"}))
        tokens[name] = json.loads(r.body)["access_token"]
    assert _ug(rest, "GET", f"diaries/{oid}", tokens["ann"])[0] == 200
    assert _ug(rest, "GET", f"diaries/{oid}", tokens["bob"])[0] in (401, 403, 404)
    # and a BEA-written ACL is honoured through Parse
    _, made = _bea(rest, "POST", "Diary", {"t": "bob's", "ACL": {bob["objectId"]: {"read": True}}},
                   session=bob["sessionToken"])
    assert rest.get(f"classes/Diary/{made['objectId']}", session=ann["sessionToken"]).status_code == 404
    assert rest.get(f"classes/Diary/{made['objectId']}", session=bob["sessionToken"]).json["t"] == "bob's"
