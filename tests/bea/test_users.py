"""/1/Users: sign up, login, logout, me, get, update and delete by the user itself, query, reset."""

from __future__ import annotations

from typing import Any


def _signup(bea: Any, name: str = "cooldude6", **extra: Any) -> Any:
    return bea.post("Users", {"username": name, "password": "p_n7!-e8", "phone": "415-392-0202", **extra})


def test_signup_login_me_logout(bea: Any) -> None:
    r = _signup(bea, email="cool@example.com")
    assert r.status_code == 201, r.body
    assert {"createdAt", "objectId", "sessionToken"} == set(r.json)
    assert r.headers["Location"].endswith(f"/1/Users/{r.json['objectId']}")
    uid = r.json["objectId"]
    me = bea.get("Users/me", session=r.json["sessionToken"])
    assert me.status_code == 200 and me.json["username"] == "cooldude6" and me.json["objectId"] == uid
    assert "password" not in me.json
    r = bea.get("Users/login", params={"username": "cooldude6", "password": "p_n7!-e8"})
    assert r.status_code == 200 and r.json["objectId"] == uid and r.json["phone"] == "415-392-0202"
    assert "password" not in r.json and r.json["sessionToken"]
    token = r.json["sessionToken"]
    assert bea.post("Users/logout", session=token).json == {}
    gone = bea.get("Users/me", session=token)
    assert gone.status_code == 400 and gone.json["code"] == 209
    bad = bea.get("Users/login", params={"username": "cooldude6", "password": "wrong"})
    assert bad.status_code == 404 and bad.json == {"code": 101, "error": "Invalid username/password."}
    assert bea.get("Users/me").json["code"] == 209


def test_signup_errors(bea: Any) -> None:
    assert _signup(bea).status_code == 201
    r = _signup(bea)
    assert r.status_code == 400 and r.json == {"code": 202, "error": "Account already exists for this username."}
    assert bea.post("Users", {"password": "x"}).json["code"] == 200
    assert bea.post("Users", {"username": "nopw"}).json["code"] == 201
    _signup(bea, "other", email="same@example.com")
    assert _signup(bea, "third", email="same@example.com").json["code"] == 203
    assert _signup(bea, "fourth", email="not-an-email").json["code"] == 125


def test_update_and_delete_only_by_self(bea: Any) -> None:
    a = _signup(bea, "ann").json
    b = _signup(bea, "bob").json
    r = bea.put(f"Users/{a['objectId']}", {"phone": "1"}, session=a["sessionToken"])
    assert r.status_code == 200 and set(r.json) >= {"updatedAt", "objectId"}
    other = bea.put(f"Users/{a['objectId']}", {"phone": "2"}, session=b["sessionToken"])
    assert other.status_code == 400 and other.json["code"] == 206
    assert bea.put(f"Users/{a['objectId']}", {"phone": "3"}).json["code"] == 206
    bea.put(f"Users/{a['objectId']}", {"password": "new-pass"}, session=a["sessionToken"])
    assert bea.get("Users/login", params={"username": "ann", "password": "new-pass"}).status_code == 200
    assert bea.put(f"Users/{a['objectId']}", {"username": "bob"}, session=a["sessionToken"]).json["code"] == 202
    got = bea.get(f"Users/{a['objectId']}", session=a["sessionToken"]).json
    assert got["phone"] == "1" and "password" not in got
    assert bea.delete(f"Users/{a['objectId']}", session=b["sessionToken"]).json["code"] == 206
    assert bea.delete(f"Users/{a['objectId']}", session=a["sessionToken"]).status_code == 200
    assert bea.get(f"Users/{a['objectId']}", session=b["sessionToken"]).status_code in (403, 404)


def test_query_users_returns_public_profiles(bea: Any) -> None:
    """Users are publicly readable as in Parse (issue 13), as profiles: no email but one's own."""
    a = _signup(bea, "ann").json
    _signup(bea, "bob")
    r = bea.get("Users", session=a["sessionToken"])
    assert r.status_code == 200 and [u["username"] for u in r.json["results"]] == ["ann", "bob"]
    r = bea.get("Users", params={"where": {"username": "ann"}}, session=a["sessionToken"])
    assert [u["objectId"] for u in r.json["results"]] == [a["objectId"]]


def test_password_reset_sends_email(bea: Any) -> None:
    _signup(bea, "ann", email="ann@example.com")
    r = bea.post("Users/requestPasswordReset", {"email": "ann@example.com"})
    assert r.status_code == 200 and r.json == {}
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert any("ann@example.com" in m.destinations["ToAddresses"] for m in sent)
    r = bea.post("Users/requestPasswordReset", {"email": "nobody@example.com"})
    assert r.json["code"] == 205
    assert bea.post("Users/requestPasswordReset", {}).json["code"] == 204


def test_a_users_query_with_a_sub_query_on_another_class(bea: Any) -> None:
    """`$select` / `$inQuery` inside a users query read the sub-query's own class, not the users'
    profiles (the profile reader serves the users collection only)."""
    _signup(bea, "ann", city="Oslo")
    _signup(bea, "bob", city="Rome")
    assert bea.post("Team", {"name": "red", "home": "Oslo"}).status_code == 201
    where = {"city": {"$select": {"query": {"className": "Team", "where": {"name": "red"}}, "key": "home"}}}
    r = bea.get("Users", params={"where": where})
    assert r.status_code == 200, r.body
    assert [u["username"] for u in r.json["results"]] == ["ann"]
