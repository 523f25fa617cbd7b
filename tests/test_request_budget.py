"""Issue 12: no request runs away with its cost, and DynamoDB's own limits are ours (checked before a call).

Each test is the failing request of the issue, answered now by a 4xx in the dialect's format (or a
smaller page), with its DynamoDB cost read from `X-Request-Cost`."""

from __future__ import annotations

import dataclasses
import json
from typing import Any
from urllib.parse import quote

import pytest

UG = "/usergrid/acme/sandbox"


def calls(r: Any) -> int:
    return int(r.headers["X-Request-Cost"].split(";")[0].split("=")[1])


@pytest.fixture
def limits(svc: Any) -> Any:
    """Set the stage's limits for one test (Settings is injected into every request's budget)."""
    original = svc.settings

    def use(**kw: Any) -> None:
        svc.settings = dataclasses.replace(original, limits=dataclasses.replace(original.limits, **kw))

    yield use
    svc.settings = original


def _bea_headers(org: Any) -> dict[str, str]:
    c = org["credentials"]
    # the master key: X-Request-Cost goes to privileged callers only (issue 11), and the budget binds them too
    return {"X-BEA-Application-Id": c["uuid"], "X-BEA-Master-Key": c["master_key"]}


def test_a_thousand_value_in_list_is_a_400_in_every_dialect_not_a_thousand_calls(api: Any, org: Any) -> None:
    c = org["credentials"]
    values = list(range(1000))
    bea = api.get("/bea/1/Item?where=" + quote(json.dumps({"rank": {"$in": values}})), headers=_bea_headers(org))
    bl = api.get(f"/backendless/{c['uuid']}/{c['rest_api_key']}/data/Item?where="
                 + quote("rank in (" + ",".join(map(str, values)) + ")"), headers={"master-key": c["master_key"]})
    ug = api.get(f"{UG}/items?ql=" + quote(" or ".join(f"rank = {v}" for v in range(200))))
    assert bea.status_code == 400 and set(bea.json) == {"code", "error"}, bea.body
    assert bl.status_code == 400 and "code" in bl.json, bl.body
    assert ug.status_code == 400 and "error" in ug.json, ug.body
    for r in (bea, bl, ug):
        assert calls(r) < 10, r.headers["X-Request-Cost"]
    ok = api.get("/bea/1/Item?where=" + quote(json.dumps({"rank": {"$in": values[:50]}})), headers=_bea_headers(org))
    assert ok.status_code == 200, ok.body


def test_the_call_ceiling_stops_any_request(api: Any, org: Any, limits: Any) -> None:
    api.post(f"{UG}/items", [{"name": f"i{i}", "rank": i} for i in range(6)])
    limits(calls=4)
    r = api.get(f"{UG}/items?ql=" + quote(" or ".join(f"rank = {v}" for v in range(6))))
    assert r.status_code == 400 and "DynamoDB calls" in r.json["error_description"], r.body
    assert calls(r) <= 4


def test_bulk_writes_over_the_limit_change_nothing(api: Any, org: Any, limits: Any) -> None:
    c = org["credentials"]
    bl = f"/backendless/{c['uuid']}/{c['rest_api_key']}"
    assert api.post(f"{bl}/data/bulk/Thing", [{"k": 1, "n": i} for i in range(4)]).status_code == 200
    limits(bulk=3)
    r = api.put(f"{bl}/data/bulk/Thing?where=" + quote("k = 1"), {"k": 2})
    assert r.status_code == 400, r.body
    r = api.delete(f"{bl}/data/bulk/Thing?where=" + quote("k = 1"))
    assert r.status_code == 400, r.body
    assert json.loads(api.get(f"{bl}/data/Thing/count?where=" + quote("k = 1")).body) == 4
    assert json.loads(api.get(f"{bl}/data/Thing/count").body) == 4  # no where: counted on the index
    r = api.put(f"{UG}/things?ql=" + quote("k = 1") + "&limit=4", {"k": 3})
    assert r.status_code == 400, r.body
    limits(bulk=4)
    assert json.loads(api.put(f"{bl}/data/bulk/Thing?where=" + quote("k = 1"), {"k": 2}).body) == 4


def test_reversed_range_bounds_are_empty_not_a_dynamodb_error(api: Any, org: Any, svc: Any) -> None:
    api.post(f"{UG}/items", [{"name": "a", "k": 10}])
    r = api.get(f"{UG}/items?ql=" + quote("k > 15 and k < 5"))
    assert r.status_code == 200 and r.json["entities"] == [], r.body
    r = api.get("/bea/1/Item?where=" + quote(json.dumps({"k": {"$gt": 15, "$lt": 5}})), headers=_bea_headers(org))
    assert r.status_code == 200 and r.json["results"] == []
    assert svc.entities.store.query_index("x#y#k", "n2", "n1", False, None, 10) == ([], None)


def test_edited_and_foreign_cursors_are_refused(api: Any, org: Any) -> None:
    api.post(f"{UG}/items", [{"name": f"c{i}"} for i in range(3)])
    cursor = api.get(f"{UG}/items?limit=1").json["cursor"]
    payload, mac = cursor.split(".")
    forged = api.get(f"{UG}/items?limit=1&cursor=" + quote(payload[:-2] + "AA." + mac))
    assert forged.status_code == 400, forged.body
    import base64

    state = base64.urlsafe_b64encode(json.dumps({"i": "x", "k": 5, "h": "0"}).encode()).decode()
    assert api.get(f"{UG}/items?limit=1&cursor={state}").status_code == 400
    other = api.get(f"/usergrid/acme/prod/items?limit=1&cursor={quote(cursor)}", token=org["admin_token"])
    assert other.status_code == 400  # another app's cursor does not verify
    assert api.get(f"{UG}/items?limit=1&cursor={quote(cursor)}").status_code == 200


def test_cursor_fields_of_the_wrong_type_are_refused(svc: Any) -> None:
    from chalicelib.core.errors import InvalidQuery
    from chalicelib.core.query import Query

    ex = svc.executor
    for state in ({"i": "0", "k": "x", "h": "?"}, {"i": 0, "k": 5}, {"o": -1}, {"o": "3"}, [1]):
        sealed = ex.cursors.seal("app1", state)
        with pytest.raises(InvalidQuery):
            ex.run("app1", "items", Query(where=None, limit=1, cursor=sealed))


def test_keys_over_dynamodb_limits_are_a_clean_4xx(api: Any, org: Any) -> None:
    long = "o" * 2100
    for r in (api.get(f"/usergrid/{long}/sandbox/items"), api.get(f"{UG}/items/{long}"),
              api.post("/usergrid/management/token", {"grant_type": "password", "username": long, "password": "x"}),
              api.post(f"{UG}/token", {"grant_type": "password", "username": long, "password": "x"})):
        assert 400 <= r.status_code < 500, r.body
        assert "error" in r.json


def test_item_size_counts_every_attribute(svc: Any) -> None:
    from chalicelib.core.ports import Record
    from chalicelib.storage.limits import ItemTooLarge

    rec = Record("app1", "items", "0190aaaa-0000-7000-8000-000000000001", 1, {"a": "x" * 300_000}, {},
                 "s" * 20, None, {"*": {"read": True}, **{f"role:{'r' * 50}{i}": {"read": True} for i in range(2000)}})
    with pytest.raises(ItemTooLarge):
        svc.entities.store.put(rec, expected_version=None)


def test_numbers_beyond_dynamodb_are_refused_before_the_call() -> None:
    from chalicelib.core.errors import InvalidInput
    from chalicelib.storage.limits import check_request

    for n in ("1" * 39, "1e126", "1e-131", "NaN"):
        with pytest.raises(InvalidInput):
            check_request("PutItem", {"Item": {"pk": {"S": "k"}, "value": {"N": n}}})
    check_request("PutItem", {"Item": {"pk": {"S": "k"}, "value": {"N": "9" * 38}}})
