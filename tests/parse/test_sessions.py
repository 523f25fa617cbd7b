"""`GET /sessions` as Parse Server answers it: a class query on `_Session` (count, limit, skip,
where, order, keys), the caller's own sessions with a session token (RestQuery ANDs
`{user: me}` into the where), every session with the master key, 209 without either."""

from __future__ import annotations

from typing import Any

from .conftest import Parse


def _two_users(p: Parse) -> tuple[dict[str, Any], dict[str, Any]]:
    a = p.post("users", {"username": "sa", "password": "pw"}).json
    p.post("login", {"username": "sa", "password": "pw"})  # a second session for sa
    b = p.post("users", {"username": "sb", "password": "pw"}).json
    return a, b


def test_count_limit_skip_order_keys(rest: Parse) -> None:
    a, _ = _two_users(rest)
    tok = a["sessionToken"]
    r = rest.get("sessions", params={"count": "1", "limit": "0"}, session=tok)
    assert (r.status_code, r.json) == (200, {"results": [], "count": 2}), r.body
    r = rest.get("sessions", params={"order": "-createdAt", "limit": "1"}, session=tok)
    assert r.status_code == 200 and [s["createdWith"]["action"] for s in r.json["results"]] == ["login"]
    r = rest.get("sessions", params={"order": "createdAt", "skip": "1", "count": "1"}, session=tok)
    assert [s["createdWith"]["action"] for s in r.json["results"]] == ["login"] and r.json["count"] == 2
    s = rest.get("sessions", params={"keys": "user"}, session=tok).json["results"][0]
    assert set(s) == {"objectId", "createdAt", "updatedAt", "ACL", "user"}
    assert all("tokenDigest" not in s for s in rest.get("sessions", session=tok).json["results"])


def test_where_on_user_and_created_at(rest: Parse) -> None:
    a, b = _two_users(rest)
    tok = a["sessionToken"]
    mine = {"__type": "Pointer", "className": "_User", "objectId": a["objectId"]}
    other = {"__type": "Pointer", "className": "_User", "objectId": b["objectId"]}
    r = rest.get("sessions", params={"where": {"user": mine}, "count": "1"}, session=tok)
    assert r.status_code == 200 and r.json["count"] == 2, r.body
    # another user's sessions never show, whatever the where asks for
    r = rest.get("sessions", params={"where": {"user": other}, "count": "1"}, session=tok)
    assert (r.status_code, r.json) == (200, {"results": [], "count": 0}), r.body
    r = rest.get("sessions", params={"where": {"$or": [{"user": other}, {"user": mine}]}}, session=tok)
    assert {s["user"]["objectId"] for s in r.json["results"]} == {a["objectId"]}
    first = rest.get("sessions", params={"order": "createdAt"}, session=tok).json["results"][0]
    later = {"createdAt": {"$gt": {"__type": "Date", "iso": first["createdAt"]}}}
    r = rest.get("sessions", params={"where": later}, session=tok)
    assert [s["createdWith"]["action"] for s in r.json["results"]] == ["login"], r.body


def test_master_sees_all_and_rest_key_alone_is_refused(rest: Parse) -> None:
    a, b = _two_users(rest)
    r = rest.get("sessions", params={"count": "1", "limit": "0"}, master=True)
    assert (r.status_code, r.json) == (200, {"results": [], "count": 3}), r.body
    other = {"__type": "Pointer", "className": "_User", "objectId": b["objectId"]}
    r = rest.get("sessions", params={"where": {"user": other}}, master=True)
    assert [s["user"]["objectId"] for s in r.json["results"]] == [b["objectId"]]
    r = rest.get("sessions")
    assert (r.status_code, r.json) == (400, {"code": 209, "error": "Invalid session token"})
    r = rest.get("classes/_Session", params={"count": "1", "limit": "0"}, session=b["sessionToken"])
    assert (r.status_code, r.json) == (200, {"results": [], "count": 1}), r.body


def test_bad_parameters_are_400(parse: Parse) -> None:
    tok = parse.post("users", {"username": "sc", "password": "pw"}).json["sessionToken"]
    for params in ({"limit": "x"}, {"skip": "-1"}, {"where": "{not json"}, {"where": {"n": {"$bogus": 1}}},
                   {"keys": 5}, {"order": 7}, {"limit": "-1"}):
        r = parse.get("sessions", params=params, session=tok)
        assert r.status_code == 400 and isinstance(r.json.get("code"), int) and r.json.get("error"), (params, r.body)


def test_get_one_session_keys_and_include(rest: Parse) -> None:
    a, b = _two_users(rest)
    s = rest.get("sessions/me", session=a["sessionToken"]).json
    r = rest.get(f"sessions/{s['objectId']}", params={"keys": "user", "include": "user"}, session=a["sessionToken"])
    assert r.status_code == 200, r.body
    assert set(r.json) == {"objectId", "createdAt", "updatedAt", "ACL", "user"}
    assert r.json["user"]["__type"] == "Object" and r.json["user"]["username"] == "sa"
    assert rest.get(f"sessions/{s['objectId']}", session=b["sessionToken"]).status_code == 404
