"""Issue 12: no answer passes Lambda's 6 MB response limit (24 entities of 340 KB were an 8 MB body).

A page stops at `Limits.page_bytes` of entities (core/budget.py) with a cursor that goes on exactly where
it stopped; an answer that cannot hand back a cursor (Parse-style skip/limit) is a 400 instead."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

UG = "/usergrid/acme/sandbox"
LAMBDA_LIMIT = 6 * 1024 * 1024
BIG = 339_000  # characters of one property: the entity stays under MAX_DOC_BYTES (350,000)
N = 20
LB = "/lightblue/rest/data"


def _lambda_payload_bytes(r: Any) -> int:
    """What Lambda would carry: the body as a JSON string inside its proxy response."""
    return len(json.dumps({"statusCode": r.status_code, "headers": dict(r.headers), "body": r.body.decode()}))


def _pages(api: Any, url: str) -> list[Any]:
    pages, cursor = [], None
    while True:
        r = api.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert r.status_code == 200, r.body[:300]
        assert _lambda_payload_bytes(r) < LAMBDA_LIMIT
        pages.append(r.json)
        cursor = r.json.get("cursor")
        if not cursor:
            return pages
        assert len(pages) < 10


def test_usergrid_pages_of_big_entities_stay_under_lambda_limit_and_miss_none(api: Any, org: Any) -> None:
    made = []
    for i in range(N):
        r = api.post(f"{UG}/bigs", {"name": f"b{i:02d}", "n": i, "blob": "x" * BIG})
        assert r.status_code == 200, r.body[:300]
        made.append(r.json["entities"][0]["uuid"])
    for ql in ("", "select * where n >= 0 order by name desc"):  # index-ordered, then sorted in memory
        pages = _pages(api, f"{UG}/bigs?limit=24&ql={quote(ql)}")
        assert len(pages) >= 2 and len(pages[0]["entities"]) < N
        seen = [e["uuid"] for p in pages for e in p["entities"]]
        assert sorted(seen) == sorted(made)  # each exactly once
        if ql:
            assert [e["name"] for p in pages for e in p["entities"]] == [f"b{i:02d}" for i in reversed(range(N))]


def test_usergrid_quotes_count_twice_as_lambda_carries_them(api: Any, org: Any) -> None:
    """A document of quotes doubles in the body ("\\"") and doubles again in Lambda's payload."""
    for i in range(10):
        r = api.post(f"{UG}/quotes", {"n": i, "blob": '"' * 170_000})
        assert r.status_code == 200, r.body[:300]
    pages = _pages(api, f"{UG}/quotes?limit=24")
    assert sorted(e["n"] for p in pages for e in p["entities"]) == list(range(10)) and len(pages) >= 2


def test_bea_find_too_big_for_one_answer_is_a_400_not_fewer_results(api: Any, org: Any) -> None:
    c = org["credentials"]
    h = {"X-BEA-Application-Id": c["uuid"], "X-BEA-Authorization": c["rest_api_key"], "Content-Type": "application/json"}
    for i in range(N):
        r = api.post("/bea/1/Big", {"n": i, "blob": "x" * BIG}, headers=h)
        assert r.status_code in (200, 201), r.body[:300]
    r = api.get("/bea/1/Big?limit=24", headers=h)
    assert r.status_code == 400 and "code" in r.json and "fewer" in r.json["error"], r.body[:300]
    ok = api.get("/bea/1/Big?limit=10&order=n", headers=h)
    assert ok.status_code == 200 and [o["n"] for o in ok.json["results"]] == list(range(10))
    assert _lambda_payload_bytes(ok) < LAMBDA_LIMIT


def test_backendless_find_too_big_for_one_answer_is_a_400_not_fewer_objects(api: Any, org: Any) -> None:
    c = org["credentials"]
    bl = f"/backendless/{c['uuid']}/{c['rest_api_key']}/data/Big"
    for i in range(N):
        r = api.post(bl, {"n": i, "blob": "x" * BIG})
        assert r.status_code == 200, r.body[:300]
    r = api.get(f"{bl}?pageSize=24")
    assert r.status_code == 400 and "fewer" in r.json["message"] and "code" in r.json, r.body[:300]
    ok = api.get(f"{bl}?pageSize=10&sortBy=n&offset=10")
    assert ok.status_code == 200 and [o["n"] for o in ok.json] == list(range(10, 20))
    assert _lambda_payload_bytes(ok) < LAMBDA_LIMIT


def _lightblue_bigs(api: Any, org: Any) -> str:
    from tests.lightblue.conftest import USER_META, M

    creds = org["credentials"]["credentials"]
    token = api.post("/usergrid/acme/prod/token", {"grant_type": "client_credentials", **creds}).json["access_token"]
    assert api.put(f"{M}/customer/1.0.0", USER_META, token=token).status_code == 200
    for i in range(N):
        r = api.put(f"{LB}/insert/customer", {"entity": "customer", "data": [
            {"login": f"c{i:02d}", "age": i, "tags": ["x" * BIG]}]}, token=token)
        assert r.status_code == 200, r.body[:300]
    return str(token)


def test_lightblue_find_too_big_for_one_answer_is_result_size_too_large(api: Any, org: Any) -> None:
    token, D = _lightblue_bigs(api, org), LB
    find = {"entity": "customer", "projection": {"field": "*", "recursive": True}, "sort": {"age": "$asc"}}
    r = api.post(f"{D}/find/customer", find, token=token)
    assert r.status_code == 400 and r.json["status"] == "ERROR", r.body[:300]
    assert r.json["errors"][0]["errorCode"] == "crud:ResultSizeTooLarge"
    ok = api.post(f"{D}/find/customer", find | {"range": [0, 9]}, token=token)
    assert ok.status_code == 200 and [d["age"] for d in ok.json["processed"]] == list(range(10))
    assert _lambda_payload_bytes(ok) < LAMBDA_LIMIT


def test_lightblue_update_whose_answer_would_not_fit_writes_nothing(api: Any, org: Any) -> None:
    token = _lightblue_bigs(api, org)
    upd = {"entity": "customer", "query": {"field": "age", "op": ">=", "rvalue": 0},
           "update": {"$set": {"level": "gold"}}}
    r = api.post(f"{LB}/update/customer", upd | {"projection": {"field": "*", "recursive": True}}, token=token)
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "crud:ResultSizeTooLarge", r.body[:300]
    find = {"entity": "customer", "query": {"field": "level", "op": "=", "rvalue": "gold"},
            "projection": {"field": "login"}}
    assert api.post(f"{LB}/find/customer", find, token=token).json["matchCount"] == 0
    r = api.post(f"{LB}/update/customer", upd, token=token)  # without a projection nothing comes back: fine
    assert r.status_code == 200 and r.json["modifiedCount"] == N, r.body[:300]


def test_usergrid_put_ql_whose_answer_would_not_fit_writes_nothing(api: Any, org: Any) -> None:
    for i in range(N):
        assert api.post(f"{UG}/bigs", {"n": i, "blob": "x" * BIG}).status_code == 200
    r = api.put(f"{UG}/bigs?ql={quote('select * where n >= 0')}", {"flag": 1})
    assert r.status_code == 400 and "fewer" in r.json["error_description"], r.body[:300]
    assert api.get(f"{UG}/bigs?ql={quote('select * where flag = 1')}").json["entities"] == []


def test_usergrid_connections_of_big_entities_page_under_lambda_limit(api: Any, org: Any) -> None:
    assert api.post(f"{UG}/users", {"username": "ann"}).status_code == 200
    made = []
    for i in range(N):
        r = api.post(f"{UG}/bigs", {"name": f"b{i:02d}", "blob": "x" * BIG})
        made.append(r.json["entities"][0]["uuid"])
        assert api.post(f"{UG}/users/ann/likes/bigs/b{i:02d}").status_code == 200
    pages = _pages(api, f"{UG}/users/ann/likes?limit=24")
    assert len(pages) >= 2
    assert sorted(e["uuid"] for p in pages for e in p["entities"]) == sorted(made)
