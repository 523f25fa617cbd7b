"""Users and sessions: sign up, log in (GET and POST), me, log out, sessions, password reset."""

from __future__ import annotations

from typing import Any

from .conftest import Parse


def test_signup_login_me_logout(parse: Parse) -> None:
    r = parse.post("users", {"username": "ann", "password": "pw", "email": "ann@example.com", "age": 3})
    assert r.status_code == 201, r.body
    uid, tok = r.json["objectId"], r.json["sessionToken"]
    assert tok.startswith("r:") and r.headers["Location"].endswith(f"/users/{uid}")
    dup = parse.post("users", {"username": "ann", "password": "pw"})
    assert (dup.status_code, dup.json["code"]) == (400, 202)
    assert parse.post("users", {"username": "x", "password": "pw", "email": "ann@example.com"}).json["code"] == 203
    assert parse.post("users", {"password": "pw"}).json["code"] == 200
    assert parse.post("users", {"username": "y"}).json["code"] == 201
    r = parse.post("login", {"username": "ann", "password": "pw"}, session="r:stale")  # /login ignores the token
    assert r.status_code == 200 and r.json["objectId"] == uid and "password" not in r.json
    tok2 = r.json["sessionToken"]
    r = parse.get("login", params={"username": "ann", "password": "pw"})
    assert r.status_code == 200 and r.json["sessionToken"].startswith("r:")
    bad = parse.post("login", {"username": "ann", "password": "nope"})
    assert (bad.status_code, bad.json) == (404, {"code": 101, "error": "Invalid username/password."})
    me = parse.get("users/me", session=tok2).json
    assert me["username"] == "ann" and me["sessionToken"] == tok2 and me["age"] == 3
    s = parse.get("sessions/me", session=tok2).json
    assert s["sessionToken"] == tok2 and s["user"] == {"__type": "Pointer", "className": "_User", "objectId": uid}
    assert s["createdWith"] == {"action": "login", "authProvider": "password"} and "tokenDigest" not in s
    assert len(parse.get("sessions", session=tok2).json["results"]) == 3
    assert parse.post("logout", {}, session=tok2).json == {}
    r = parse.get("users/me", session=tok2)
    assert (r.status_code, r.json["code"]) == (400, 209)
    assert parse.get("users/me", session=tok).json["objectId"] == uid
    assert len(parse.get("sessions", session=tok).json["results"]) == 2


def test_users_update_only_self_and_password_change(rest: Parse) -> None:
    a = rest.post("users", {"username": "a", "password": "pw"}).json
    b = rest.post("users", {"username": "b", "password": "pw"}).json
    r = rest.put(f"users/{a['objectId']}", {"nick": "x"}, session=b["sessionToken"])
    assert r.json["code"] in (101, 206)
    r = rest.put(f"classes/_User/{a['objectId']}", {"password": "new"}, session=a["sessionToken"])
    assert r.status_code == 200, r.body
    assert rest.post("login", {"username": "a", "password": "new"}).status_code == 200
    assert rest.get(f"users/{a['objectId']}", session=a["sessionToken"]).json["username"] == "a"
    s = rest.get("sessions/me", session=a["sessionToken"]).json
    assert rest.delete(f"sessions/{s['objectId']}", session=b["sessionToken"]).status_code == 404
    assert rest.delete(f"sessions/{s['objectId']}", session=a["sessionToken"]).json == {}
    assert rest.get("users/me", session=a["sessionToken"]).json["code"] == 209


def test_password_reset_and_verification(rest: Parse, svc: Any) -> None:
    rest.post("users", {"username": "m", "password": "pw", "email": "m@example.com"})
    assert rest.post("requestPasswordReset", {}).json["code"] == 204
    assert rest.post("requestPasswordReset", {"email": "zz@example.com"}).json["code"] == 205
    r = rest.post("requestPasswordReset", {"email": "m@example.com"})
    assert (r.status_code, r.json) == (200, {}), r.body
    assert rest.post("verificationEmailRequest", {"email": "m@example.com"}).json == {}
