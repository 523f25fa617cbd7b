"""Execution options, async requests and their task status; entity and field access roles."""

from __future__ import annotations

import copy
import time
from typing import Any

from tests.conftest import Api

from .conftest import USER_META, D, M, find


def wait(api: Api, handle: str, seconds: float = 60) -> dict[str, Any]:
    """Poll the task's status; a bound in time, not in polls (moto slows down on a loaded machine)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r = api.get(f"{D}/task/{handle}")
        assert r.status_code == 200, r.body
        if r.json["status"] != "ASYNC":
            return r.json
        time.sleep(0.1)
    raise AssertionError("task never finished")


def test_async_insert_and_find(customers: Api) -> None:
    body = {"entity": "customer", "execution": {"async": True, "timeLimit": 1000},
            "data": [{"login": f"u{i}"} for i in range(5)] + [{"age": 1}]}
    r = customers.put(f"{D}/insert/customer", body)
    assert r.status_code == 200 and r.json["status"] == "ASYNC" and r.json["taskHandle"]
    done = wait(customers, r.json["taskHandle"])
    assert done["status"] == "PARTIAL" and done["modifiedCount"] == 5 and done["taskHandle"] == r.json["taskHandle"]
    assert done["dataErrors"][0]["errors"][0]["errorCode"] == "crud:Required"
    r = customers.post(f"{D}/find/customer", {"execution": {"asynchronous": 1}, "projection": {"field": "login"}})
    assert r.json["status"] == "ASYNC"
    assert wait(customers, r.json["taskHandle"])["matchCount"] == 5
    r = customers.post(f"{D}/find/customer", {"execution": {"readPreference": "primary"}})
    assert r.json["status"] == "COMPLETE"  # other execution options are accepted
    r = customers.get(f"{D}/task/01a20000-0000-7000-8000-000000000000")
    assert r.status_code == 404 and r.json["errors"][0]["errorCode"] == "rest-crud:UnknownTask"


def test_large_requests_go_async(customers: Api) -> None:
    r = customers.put(f"{D}/insert/customer", {"data": [{"login": f"user{i}"} for i in range(201)]})
    assert r.json["status"] == "ASYNC"
    assert wait(customers, r.json["taskHandle"])["modifiedCount"] == 201


def test_access_roles(api: Api, org: dict[str, Any], lb: Api) -> None:
    meta = copy.deepcopy(USER_META)
    meta["schema"]["access"] = {"insert": ["clerk"], "find": ["anyone"], "update": ["clerk"], "delete": ["boss"]}
    meta["schema"]["fields"]["age"]["access"] = {"find": ["clerk"], "update": ["boss"]}
    assert lb.put(f"{M}/customer/1.0.0", meta).status_code == 200
    admin = org["admin_token"]
    for name in ("ann", "cal"):
        api.post("/usergrid/acme/prod/users", {"username": name, "password": "pw"}, token=admin)
    r = api.post("/usergrid/acme/prod/roles", {"name": "clerk"}, token=admin)
    assert r.status_code == 200, r.body
    assert api.post("/usergrid/acme/prod/users/cal/roles/clerk", {}, token=admin).status_code == 200
    tokens = {n: api.post("/usergrid/acme/prod/token", {"grant_type": "password", "username": n,
                                                        "password": "pw"}).json["access_token"] for n in ("ann", "cal")}
    ann, cal = Api(api.c, tokens["ann"]), Api(api.c, tokens["cal"])
    r = ann.put(f"{D}/insert/customer", {"data": [{"login": "zed", "age": 3}]})
    assert r.status_code == 403 and r.json["errors"][0]["errorCode"] == "crud:NoAccess"
    r = cal.put(f"{D}/insert/customer", {"data": [{"login": "zed", "age": 3}]})
    assert r.json["modifiedCount"] == 1
    assert find(ann)["processed"][0] == {"_id": find(lb)["processed"][0]["_id"], "login": "zed",
                                         "objectType": "customer"}  # age hidden from ann
    assert find(cal)["processed"][0]["age"] == 3
    r = cal.post(f"{D}/update/customer", {"query": {"field": "login", "op": "=", "rvalue": "zed"},
                                          "update": {"$set": {"age": 4}}})
    assert r.status_code == 403 and r.json["errors"][0]["errorCode"] == "crud:update:NoFieldAccess"
    r = cal.post(f"{D}/delete/customer", {"query": {"field": "login", "op": "=", "rvalue": "zed"}})
    assert r.status_code == 403
    assert lb.post(f"{D}/delete/customer", {"query": {"field": "login", "op": "=",
                                                      "rvalue": "zed"}}).json["modifiedCount"] == 1


def test_big_updates_and_deletes_go_async(customers: Api) -> None:
    """Past crud.SYNC_WRITES (500) matched documents an update or delete answers ASYNC and the task
    (the worker Lambda on AWS, 15 minutes) does the writing; bulk refuses such a request."""
    n = 501
    for start in range(0, n, 200):
        r = customers.put(f"{D}/insert/customer", {"data": [{"login": f"u{i}", "age": 1}
                                                            for i in range(start, min(n, start + 200))]})
        assert r.json["status"] == "COMPLETE", r.body
    every = {"field": "age", "op": ">=", "rvalue": 0}
    r = customers.post(f"{D}/bulk", {"requests": [{"op": "UPDATE", "request": {
        "entity": "customer", "query": every, "update": {"$add": {"age": 1}}}}]})
    assert r.json["responses"][0]["response"]["errors"][0]["errorCode"] == "rest-crud:TooLargeForBulk"
    r = customers.post(f"{D}/update/customer", {"query": every, "update": {"$add": {"age": 1}}})
    assert r.status_code == 200 and r.json["status"] == "ASYNC", r.body
    done = wait(customers, r.json["taskHandle"], 600)
    assert done["status"] == "COMPLETE" and done["modifiedCount"] == n and done["matchCount"] == n
    assert find(customers, {"field": "age", "op": "=", "rvalue": 2})["matchCount"] == n
    r = customers.post(f"{D}/delete/customer", {"query": every})
    assert r.json["status"] == "ASYNC"
    assert wait(customers, r.json["taskHandle"], 600)["modifiedCount"] == n
    assert find(customers)["matchCount"] == 0
