"""The edge: both request styles, key rules, CORS on every answer, errors and batch routing."""

from __future__ import annotations

from typing import Any

from .conftest import Parse


def test_options_preflight_answers_before_any_key_check(client: Any) -> None:
    r = client.http.options("/parse/classes/GameScore", headers={
        "Origin": "http://localhost:4040", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-parse-application-id,x-parse-master-key"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Parse-Master-Key" in r.headers["Access-Control-Allow-Headers"]
    assert "OPTIONS" in r.headers["Access-Control-Allow-Methods"]


def test_unknown_app_or_bad_key_is_a_bare_403_with_cors(rest: Parse) -> None:
    bad = Parse(rest.c, "00000000-0000-4000-8000-000000000000", rest.key, rest.master_key)
    r = bad.get("classes/GameScore")
    assert (r.status_code, r.json) == (403, {"error": "unauthorized"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    wrong = Parse(rest.c, rest.app_id, "nope", "nope")
    assert wrong.get("classes/GameScore").status_code == 403
    assert rest.get("classes/GameScore", auth=False).json == {"error": "unauthorized"}


def test_bad_session_token_is_209(parse: Parse) -> None:
    r = parse.get("classes/GameScore", session="r:nonsense")
    assert (r.status_code, r.json["code"]) == (400, 209)


def test_unknown_route_is_404(rest: Parse) -> None:
    r = rest.get("nothing/here")
    assert r.status_code == 404 and "error" in r.json


def test_batch_paths_must_carry_the_mount_path(rest: Parse) -> None:
    r = rest.post("batch", {"requests": [{"method": "POST", "path": "/classes/X", "body": {}}]})
    assert (r.status_code, r.json["code"]) == (400, 107)


def test_hostile_body_keys_and_params_are_4xx(rest: Parse) -> None:
    import json

    for body in ({"_ApplicationId": 5, "_method": "GET"}, {"_ApplicationId": rest.app_id, "_JavaScriptKey": rest.key,
                                                           "_SessionToken": ["x"]},
                 {"_ApplicationId": rest.app_id, "_JavaScriptKey": rest.key, "_method": "PATCH"}):
        r = rest.c.http.post("/parse/classes/X", headers={"Content-Type": "text/plain"}, body=json.dumps(body))
        assert 400 <= r.status_code < 500, (body, r.body)
    for params in ({"order": ["a"]}, {"limit": "many"}, {"limit": True}, {"keys": 5}, {"include": {"a": 1}},
                   {"where": "{broken"}, {"where": {"a": {"$bogus": 1}}}, {"skip": -1}):
        r = rest.get("classes/X", params=params)
        assert (r.status_code, r.json.get("code")) == (400, 102), (params, r.body)
    r = rest.post("batch", {"requests": [{"method": "POST", "path": "/parse/batch", "body": {}}]})
    assert r.json["code"] == 107
    r = rest.post("batch", {"requests": [{"method": "GET", "path": "/parse/classes/X", "body": {"limit": "x"}}]})
    assert r.json[0]["error"]["code"] == 102
