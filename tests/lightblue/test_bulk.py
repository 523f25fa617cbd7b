"""POST /rest/data/bulk: requests in seq order, each failing on its own, the envelope checked first."""

from __future__ import annotations

from tests.conftest import Api

from .conftest import D

ALL = {"field": "*", "recursive": True}


def test_bulk_runs_each_request_in_seq_order(customers: Api) -> None:
    r = customers.post(f"{D}/bulk", {"ordered": True, "requests": [
        {"seq": 2, "op": "FIND", "request": {"entity": "customer", "query": {"field": "age", "op": ">",
                                                                             "rvalue": 20},
                                             "projection": {"field": "login"}, "sort": {"login": "$asc"}}},
        {"seq": 0, "op": "INSERT", "request": {"entity": "customer", "data": [{"login": "ann", "age": 30},
                                                                              {"login": "bob", "age": 40}]}},
        {"seq": 1, "op": "update", "request": {"entity": "customer", "query": {"field": "login", "op": "=",
                                                                               "rvalue": "bob"},
                                               "update": {"$set": {"age": 10}}}},
        {"seq": 3, "op": "FIND", "request": {"entity": "nothing"}},
        {"seq": 4, "op": "INSERT", "request": {"entity": "customer", "data": [{"age": 3}]}},
    ]})
    assert r.status_code == 200, r.body
    res = r.json["responses"]
    assert [x["seq"] for x in res] == [0, 1, 2, 3, 4]
    assert res[0]["response"]["modifiedCount"] == 2 and res[1]["response"]["modifiedCount"] == 1
    assert res[2]["response"]["processed"] == [{"login": "ann"}]  # bob's update ran before the find
    assert res[3]["response"]["status"] == "ERROR"
    assert res[3]["response"]["errors"][0]["errorCode"] == "crud:UnknownEntity"
    assert res[4]["response"]["dataErrors"][0]["errors"][0]["errorCode"] == "crud:Required"


def test_bulk_envelope_errors_run_nothing(customers: Api) -> None:
    good = {"op": "INSERT", "request": {"entity": "customer", "data": [{"login": "zed"}]}}
    for body in ({}, {"requests": []}, {"requests": [good, {"op": "FROB", "request": {}}]},
                 {"requests": [good, {"op": "FIND"}]}, {"requests": [good], "ordered": "yes"},
                 {"requests": [{**good, "seq": "x"}]}, {"requests": [good] * 51}):
        r = customers.post(f"{D}/bulk", body)
        assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "rest-crud:IllFormedRequest", body
    r = customers.post(f"{D}/find/customer", {"query": {"field": "login", "op": "=", "rvalue": "zed"}})
    assert r.json["matchCount"] == 0
    r = customers.post(f"{D}/bulk", {"requests": [{"op": "INSERT", "request": {
        "entity": "customer", "data": [{"login": f"u{i}"} for i in range(1001)]}}]})
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "rest-crud:RequestTooLarge"
    assert customers.post(f"{D}/bulk", {"requests": [good]}, token="").status_code == 401
