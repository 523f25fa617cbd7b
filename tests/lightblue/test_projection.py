"""Projection (field, include, recursive, array match/range), sort on several fields, range/from/to."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

from .conftest import D, insert

DOC = {"_id": "a", "login": "ann", "age": 30, "address": {"city": "Cary", "zip": "27513"},
       "items": [{"sku": "s1", "qty": 1}, {"sku": "s2", "qty": 5}, {"sku": "s3", "qty": 9}], "tags": ["x", "y"]}


def project(api: Api, p: Any) -> dict[str, Any]:
    r = api.post(f"{D}/find/customer", {"entity": "customer", "projection": p})
    assert r.status_code == 200, r.body
    return r.json["processed"][0]


def test_projection_forms(customers: Api) -> None:
    insert(customers, [DOC])
    assert project(customers, {"field": "login"}) == {"login": "ann"}
    assert project(customers, [{"field": "login"}, {"field": "age", "include": True}]) == {"login": "ann", "age": 30}
    assert project(customers, {"field": "address", "recursive": True}) == {"address": DOC["address"]}
    assert project(customers, {"field": "address.city"}) == {"address": {"city": "Cary"}}
    assert project(customers, [{"field": "*", "recursive": True}, {"field": "address", "include": False},
                               {"field": "items", "include": False}, {"field": "tags", "include": False}]) == {
        "_id": "a", "login": "ann", "age": 30, "objectType": "customer"}
    assert project(customers, {"field": "items.*.sku"}) == {"items": [{"sku": "s1"}, {"sku": "s2"}, {"sku": "s3"}]}
    assert project(customers, {"field": "items", "include": True, "range": [1, 2],
                               "project": {"field": "qty"}}) == {"items": [{"qty": 5}, {"qty": 9}]}
    assert project(customers, {"field": "items", "include": True,
                               "match": {"field": "qty", "op": ">", "rvalue": 3},
                               "project": {"field": "*", "recursive": True}}) == {"items": DOC["items"][1:]}
    r = customers.post(f"{D}/find/customer", {"projection": {"field": "login", "include": "yes"}})
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "query:InvalidProjection"
    r = customers.post(f"{D}/find/customer", {})  # no projection: nothing returned, as the seed says
    assert r.json["matchCount"] == 1 and r.json["processed"] == []


def test_sort_on_several_fields_and_ranges(customers: Api) -> None:
    docs = [{"_id": f"d{i}", "login": f"u{i}", "level": lvl, "age": age}
            for i, (lvl, age) in enumerate([("gold", 30), ("bronze", 50), ("gold", 20), ("silver", 40),
                                            ("bronze", 10)])]
    insert(customers, docs)
    body = {"projection": {"field": "_id"}, "sort": [{"level": "$asc"}, {"age": "$desc"}]}
    r = customers.post(f"{D}/find/customer", body).json
    assert [d["_id"] for d in r["processed"]] == ["d1", "d4", "d0", "d2", "d3"]
    r = customers.post(f"{D}/find/customer", {**body, "range": [1, 3]}).json
    assert r["matchCount"] == 5 and [d["_id"] for d in r["processed"]] == ["d4", "d0", "d2"]
    r = customers.post(f"{D}/find/customer", {**body, "from": 3}).json
    assert [d["_id"] for d in r["processed"]] == ["d2", "d3"]
    r = customers.post(f"{D}/find/customer", {**body, "to": 0}).json
    assert [d["_id"] for d in r["processed"]] == ["d1"]
    r = customers.post(f"{D}/find/customer", {**body, "from": 9, "to": 12}).json
    assert r["matchCount"] == 5 and r["processed"] == []
    r = customers.post(f"{D}/find/customer", {"projection": {"field": "_id"}, "sort": {"age": "$desc"},
                                              "query": {"field": "level", "op": "=", "rvalue": "gold"}}).json
    assert [d["_id"] for d in r["processed"]] == ["d0", "d2"]
