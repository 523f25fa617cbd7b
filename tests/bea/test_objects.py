"""Objects exactly as seed 003: create, retrieve, update, delete, key rules, reserved classes, auth."""

from __future__ import annotations

import re
from typing import Any

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SEAN = {"score": 1337, "playerName": "Sean Plott", "cheatMode": False}


def test_create_returns_201_location_and_created_at(bea: Any) -> None:
    r = bea.post("GameScore", SEAN)
    assert r.status_code == 201, r.body
    assert set(r.json) == {"createdAt", "objectId"}
    assert ISO.match(r.json["createdAt"])
    assert r.headers["Location"].endswith(f"/bea/1/GameScore/{r.json['objectId']}")


def test_get_returns_fields_and_timestamps(bea: Any) -> None:
    oid = bea.post("GameScore", {**SEAN, "skills": ["pwnage", "flying"]}).json["objectId"]
    r = bea.get(f"GameScore/{oid}")
    assert r.status_code == 200
    body = r.json
    assert body["objectId"] == oid and body["score"] == 1337 and body["skills"] == ["pwnage", "flying"]
    assert ISO.match(body["createdAt"]) and body["createdAt"] == body["updatedAt"]
    assert not {"uuid", "type", "created", "modified"} & set(body)


def test_put_changes_only_given_keys(bea: Any) -> None:
    created = bea.post("GameScore", SEAN).json
    oid = created["objectId"]
    r = bea.put(f"GameScore/{oid}", {"score": 73453})
    assert r.status_code == 200 and set(r.json) == {"updatedAt", "objectId"}
    assert ISO.match(r.json["updatedAt"]) and r.json["updatedAt"] > created["createdAt"]
    got = bea.get(f"GameScore/{oid}").json
    assert got["score"] == 73453 and got["playerName"] == "Sean Plott" and got["cheatMode"] is False
    assert got["createdAt"] == created["createdAt"] and got["updatedAt"] == r.json["updatedAt"]


def test_delete_as_the_seed_says(bea: Any) -> None:
    oid = bea.post("GameScore", SEAN).json["objectId"]
    r = bea.delete(f"GameScore/{oid}")
    assert r.status_code == 201 and r.json == {"objectId": oid}
    assert r.headers["Location"].endswith(f"/1/GameScore/{oid}")
    gone = bea.get(f"GameScore/{oid}")
    assert gone.status_code == 404 and gone.json == {"code": 101, "error": "Object not found."}
    assert bea.delete(f"GameScore/{oid}").json["code"] == 101
    assert bea.delete("GameScore").json["code"] == 104


def test_invalid_key_name_is_105(bea: Any) -> None:
    r = bea.post("GameScore", {"bl!ng": 1})
    assert r.status_code == 400 and r.json == {"code": 105, "error": "invalid field name: bl!ng"}
    oid = bea.post("GameScore", SEAN).json["objectId"]
    assert bea.put(f"GameScore/{oid}", {"bl!ng": 1}).json == {"code": 105, "error": "invalid field name: bl!ng"}


def test_reserved_fields_cannot_be_set(bea: Any) -> None:
    for key in ("objectId", "createdAt", "updatedAt", "__type"):
        r = bea.post("GameScore", {key: "x", "score": 1})
        assert r.status_code == 400 and r.json["code"] == 105, (key, r.body)
    assert bea.post("GameScore", {"score": {"__type": "Nope"}}).json["code"] == 111


def test_underscore_classes_are_reserved(bea: Any) -> None:
    r = bea.post("_Secret", {"a": 1})
    assert r.status_code == 403 and r.json["code"] == 119
    assert bea.post("Bad-Name", {"a": 1}).json["code"] == 103
    assert bea.post("_config", {"name": "greeting", "value": "hi"}).status_code == 201


def test_unknown_object_and_malformed_ids(bea: Any) -> None:
    assert bea.get("GameScore/Ed1nuqPvcm").json == {"code": 101, "error": "Object not found."}
    assert bea.get("GameScore/0190a0a0-0000-7000-8000-000000000000").status_code == 404


def test_malformed_json_is_107(bea: Any) -> None:
    r = bea.post("GameScore", raw=b"{not json")
    assert r.status_code == 400 and r.json["code"] == 107 and "error" in r.json
    assert bea.post("GameScore", [1, 2]).json["code"] == 107


def test_auth_headers(bea: Any) -> None:
    r = bea.get("GameScore", auth=False)
    assert r.status_code == 401 and r.json["code"] == 119 and "error" in r.json
    r = bea.get("GameScore", auth=False, headers={"X-BEA-Application-Id": bea.app_id, "X-BEA-Authorization": "nope"})
    assert r.status_code == 403 and r.json["code"] == 119
    r = bea.get("GameScore", auth=False, headers={"X-BEA-Application-Id": "0190a0a0-0000-7000-8000-000000000000",
                                                 "X-BEA-Authorization": bea.key})
    assert r.status_code == 403 and r.json["code"] == 119
    r = bea.get("GameScore", session="not-a-token")
    assert r.status_code == 400 and r.json == {"code": 209, "error": "Invalid session token"}


def test_unknown_routes_and_methods_are_json(bea: Any) -> None:
    r = bea.get("a/b/c/d")
    assert r.status_code == 404 and set(r.json) == {"code", "error"}
    r = bea.call("PUT", "GameScore", {"a": 1})
    assert r.status_code == 405 and set(r.json) == {"code", "error"}
    r = bea.c.http.get("/bea/nothing")
    assert r.status_code == 404 and b'"code"' in r.body


def test_same_entity_through_usergrid(bea: Any, api: Any, org: dict[str, Any]) -> None:
    oid = bea.post("GameScore", SEAN).json["objectId"]
    r = api.get(f"/usergrid/acme/prod/gamescores/{oid}", token=org["admin_token"])
    assert r.status_code == 200, r.body
    e = r.json["entities"][0]
    assert e["playerName"] == "Sean Plott" and e["score"] == 1337
    api.put(f"/usergrid/acme/prod/gamescores/{oid}", {"level": 3}, token=org["admin_token"])
    assert bea.get(f"GameScore/{oid}").json["level"] == 3


def test_cors_preflight(bea: Any) -> None:
    from chalice.config import Config
    from chalice.local import LocalGateway

    from app import app

    gw = LocalGateway(app, Config())
    r = gw.handle_request("OPTIONS", "/bea/1/GameScore", {
        "origin": "https://example.com", "access-control-request-method": "POST",
        "access-control-request-headers": "X-BEA-Application-Id"}, b"")
    assert r["statusCode"] == 200
    allowed = r["headers"]["Access-Control-Allow-Headers"]
    for h in ("X-BEA-Application-Id", "X-BEA-Authorization", "X-BEA-Session-Token", "Content-Type"):
        assert h in allowed
    assert "POST" in r["headers"]["Access-Control-Allow-Methods"]
    got = bea.get("GameScore")
    assert got.headers.get("Access-Control-Allow-Origin") == "*"


def test_acl_is_kept_and_returned(bea: Any) -> None:
    acl = {"*": {"read": True}}
    oid = bea.post("GameScore", {"score": 1, "ACL": acl}).json["objectId"]
    assert bea.get(f"GameScore/{oid}").json["ACL"] == acl
    assert bea.post("GameScore", {"ACL": {"*": {"fly": True}}}).json["code"] == 123


def test_multipart_form_creates_object(bea: Any) -> None:
    boundary = "XyZ"
    raw = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"score\"\r\n\r\n42\r\n"
           f"--{boundary}\r\nContent-Disposition: form-data; name=\"playerName\"\r\n\r\nAda\r\n"
           f"--{boundary}--\r\n").encode()
    r = bea.post("GameScore", raw=raw, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 201, r.body
    got = bea.get(f"GameScore/{r.json['objectId']}").json
    assert got["score"] == 42 and got["playerName"] == "Ada"
