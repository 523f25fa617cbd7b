"""One world for the permission tests, built once per module (moto is slow): org `acme` with the
private apps `prod` and `other`; users alice and bob in prod, carol in other; alice's note (an
entity with an owner), a note without owner (made with the REST key), alice's free-standing file.

`World.call(dialect, caller, method, path, ...)` sends a request as one kind of caller in one
dialect, so a test states a decision once and checks it everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest

CALLERS = ("anonymous", "key", "owner", "other", "foreign", "app", "admin")
BOUNDARY = "xXx-boundary"


def multipart(name: str, data: bytes, ctype: str = "text/plain") -> tuple[bytes, str]:
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: {ctype}\r\n\r\n").encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()
    return body, f"multipart/form-data; boundary={BOUNDARY}"


@dataclass
class World:
    c: Any
    creds: dict[str, Any]
    other_creds: dict[str, Any]
    admin: str
    app_token: str
    tokens: dict[str, str] = field(default_factory=dict)  # alice, bob, carol
    sessions: dict[str, str] = field(default_factory=dict)  # Parse sessions (POST /parse/login), made on first use
    note: str = ""  # alice's note (owner alice)
    free_note: str = ""  # a note made with the key alone (no owner)

    @property
    def master(self) -> str:
        return str(self.creds["master_key"])

    # -- one request as one caller ---------------------------------------------------------
    def call(self, dialect: str, caller: str, method: str, path: str, body: Any = None, *,
             raw: bytes | None = None, ctype: str = "application/json", headers: dict[str, str] | None = None,
             params: dict[str, Any] | None = None) -> Any:
        h = {"Content-Type": ctype}
        user = {"owner": "alice", "other": "bob", "foreign": "carol"}.get(caller)
        if dialect == "usergrid":
            url = f"/usergrid/acme/prod/{path.lstrip('/')}"
            tok = {"app": self.app_token, "admin": self.admin}.get(caller) or (self.tokens[user] if user else None)
            if caller == "key":
                return None  # Usergrid has no REST key
            if tok:
                h["Authorization"] = f"Bearer {tok}"
        elif dialect == "backendless":
            key = self.creds["rest_api_key"] if caller != "anonymous" else "not-the-key"
            url = f"/backendless/{self.creds['uuid']}/{key}/{path.lstrip('/')}"
            if user:
                h["user-token"] = self.tokens[user]
            if caller in ("app", "admin"):
                h["master-key"] = self.master
        elif dialect == "bea":
            url = f"/bea/1/{path.lstrip('/')}"
            h["X-BEA-Application-Id"] = self.creds["uuid"]
            if caller != "anonymous":
                h["X-BEA-Authorization"] = self.creds["rest_api_key"]
            if user:
                h["X-BEA-Session-Token"] = self.tokens[user]
            if caller in ("app", "admin"):
                h["X-BEA-Master-Key"] = self.master
        elif dialect == "lightblue":
            url = f"/lightblue/rest/{path.lstrip('/')}"
            tok = {"app": self.app_token, "admin": self.admin}.get(caller) or (self.tokens[user] if user else None)
            if caller == "key":
                return None  # Lightblue has no REST key
            if tok:
                h["Authorization"] = f"Bearer {tok}"
            if caller == "admin":
                h["X-App-Id"] = self.creds["uuid"]
        elif dialect == "parse":
            url = f"/parse/{path.lstrip('/')}"
            h["X-Parse-Application-Id"] = self.creds["uuid"]
            if caller in ("app", "admin"):
                h["X-Parse-Master-Key"] = self.master
            else:
                h["X-Parse-REST-API-Key"] = self.creds["rest_api_key"] if caller != "anonymous" else "not-the-key"
            if user:
                h["X-Parse-Session-Token"] = self.parse_session(user)
        else:
            raise AssertionError(dialect)
        if params:
            url += "?" + urlencode(params)
        h.update(headers or {})
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        r = getattr(self.c.http, method.lower())(url, headers=h, body=data)
        r.json = json.loads(r.body) if r.body and r.body[:1] in (b"{", b"[") else None
        return r


    def parse_session(self, user: str) -> str:
        """A Parse session of `user`, logged in through Parse in the user's own app (carol: `other`)."""
        if user not in self.sessions:
            creds = self.other_creds if user == "carol" else self.creds
            r = self.c.http.post("/parse/login", headers={
                "Content-Type": "application/json", "X-Parse-Application-Id": creds["uuid"],
                "X-Parse-REST-API-Key": creds["rest_api_key"]}, body=json.dumps({"username": user, "password": "pw"}))
            assert r.status_code == 200, r.body
            self.sessions[user] = json.loads(r.body)["sessionToken"]
        return self.sessions[user]


def refused(dialect: str, r: Any) -> None:
    """A refusal in the dialect's own error format (401/403, or BEA's 400 for a foreign session)."""
    assert r.status_code in (400, 401, 403, 404), (r.status_code, r.body)
    body = r.json
    assert isinstance(body, dict), r.body
    if dialect == "usergrid":
        assert "error" in body and "error_description" in body, body
    elif dialect == "backendless":
        assert isinstance(body.get("code"), int) and "message" in body, body
    elif dialect == "bea":
        assert isinstance(body.get("code"), int) and "error" in body, body
    elif dialect == "parse":  # {code, error}; a bad key is Parse Server's bare 403 {"error": "unauthorized"}
        assert isinstance(body.get("error"), str) and isinstance(body.get("code", 0), int), body
        assert "code" in body or (r.status_code == 403 and body == {"error": "unauthorized"}), body
    else:
        assert body.get("status") == "ERROR" or "errors" in body or "errorCode" in body, body


def allowed(r: Any) -> None:
    assert 200 <= r.status_code < 400, (r.status_code, r.body)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from chalicelib import bootstrap

    with mock_aws():
        bootstrap.reset()
        bootstrap.create_resources()
        with Client(app) as c:
            yield _build(c)
        bootstrap.reset()


def _build(c: Any) -> World:
    def post(path: str, body: Any, token: str | None = None) -> Any:
        h = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        r = c.http.post(path, headers=h, body=json.dumps(body))
        assert r.status_code == 200, (path, r.body)
        return json.loads(r.body)

    post("/usergrid/management/organizations", {"organization": "acme", "username": "boss", "name": "Boss",
                                                "email": "boss@acme.test", "password": "s3cret!"})
    admin = post("/usergrid/management/token", {"grant_type": "password", "username": "boss",
                                                "password": "s3cret!"})["access_token"]
    creds = {}
    for name in ("prod", "other"):
        post("/usergrid/management/orgs/acme/apps", {"name": name}, admin)
        r = c.http.get(f"/usergrid/management/orgs/acme/apps/{name}/credentials",
                       headers={"Authorization": f"Bearer {admin}"})
        creds[name] = json.loads(r.body)
    app_token = post("/usergrid/acme/prod/token", {"grant_type": "client_credentials",
                                                   **creds["prod"]["credentials"]})["access_token"]
    w = World(c, creds["prod"], creds["other"], admin, app_token)
    for user, app in (("alice", "prod"), ("bob", "prod"), ("carol", "other")):
        post(f"/usergrid/acme/{app}/users", {"username": user, "email": f"{user}@acme.test", "password": "pw"}, admin)
        w.tokens[user] = post(f"/usergrid/acme/{app}/token", {"grant_type": "password", "username": user,
                                                              "password": "pw"})["access_token"]
    w.note = post("/usergrid/acme/prod/notes", {"body": "alice's"}, w.tokens["alice"])["entities"][0]["uuid"]
    r = w.call("bea", "key", "POST", "notes", {"body": "nobody's"})
    assert r.status_code == 201, r.body
    w.free_note = r.json["objectId"]
    body, ct = multipart("a.txt", b"alice's bytes")
    r = w.call("backendless", "owner", "POST", "files/shared/a.txt", raw=body, ctype=ct)
    assert r.status_code == 200, r.body
    return w
