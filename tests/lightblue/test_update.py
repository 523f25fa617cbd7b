"""Update expressions, one or an array, in order; modifiedCount counts only real changes; races."""

from __future__ import annotations

import threading
from typing import Any

from tests.conftest import Api

from .conftest import D, find, insert


def update(api: Api, q: Any, u: Any, **extra: Any) -> Any:
    r = api.post(f"{D}/update/customer", {"entity": "customer", "query": q, "update": u,
                                          "projection": {"field": "*", "recursive": True}, **extra})
    assert r.status_code == 200, r.body
    return r.json


def one(api: Api, _id: str) -> dict[str, Any]:
    return find(api, {"field": "_id", "op": "=", "rvalue": _id})["processed"][0]


ANN = {"field": "_id", "op": "=", "rvalue": "a"}


def test_set_unset_add(customers: Api) -> None:
    insert(customers, [{"_id": "a", "login": "ann", "age": 30, "address": {"city": "Cary", "zip": "1"}}])
    r = update(customers, ANN, {"$set": {"address.city": "Raleigh", "level": "gold", "score": {"$valueof": "age"}}})
    assert r["status"] == "COMPLETE" and r["modifiedCount"] == 1 and r["matchCount"] == 1
    doc = r["processed"][0]
    assert doc["address"] == {"city": "Raleigh", "zip": "1"} and doc["level"] == "gold" and doc["score"] == 30
    r = update(customers, ANN, [{"$unset": ["address.zip", "level"]}, {"$add": {"age": 2}}, {"$add": {"age": -1}}])
    assert one(customers, "a")["age"] == 31 and "level" not in one(customers, "a")
    assert one(customers, "a")["address"] == {"city": "Raleigh"}
    r = update(customers, ANN, {"$set": {"age": 31}})  # no real change
    assert r["modifiedCount"] == 0 and r["matchCount"] == 1 and r["processed"] == []


def test_append_insert_foreach(customers: Api) -> None:
    insert(customers, [{"_id": "a", "login": "ann", "tags": ["b"],
                        "items": [{"sku": "s1", "qty": 1}, {"sku": "s2", "qty": 5}, {"sku": "s3", "qty": 9}]}])
    update(customers, ANN, [{"$append": {"tags": ["c", "d"]}}, {"$insert": {"tags.0": "a"}},
                            {"$insert": {"tags.-1": "z"}}, {"$append": {"extra": 1}}])
    assert one(customers, "a")["tags"] == ["a", "b", "c", "d", "z"] and one(customers, "a")["extra"] == [1]
    update(customers, ANN, {"$unset": ["tags.0", "tags.0"]})
    assert one(customers, "a")["tags"] == ["c", "d", "z"]
    # update.md: in a $foreach query `$this.x` is the element's x and a plain path is from the root
    update(customers, ANN, {"$foreach": {"items": {"field": "$this.qty", "op": ">", "rvalue": 4},
                                         "$update": "$remove"}})
    assert [i["sku"] for i in one(customers, "a")["items"]] == ["s1"]
    update(customers, ANN, [{"$append": {"items": {"sku": "s4", "qty": 2}}},
                            {"$foreach": {"items": "$all", "$update": {"$add": {"$this.qty": 10}}}},
                            {"$foreach": {"items": {"field": "$this.sku", "op": "=", "rvalue": "s4"},
                                          "$update": {"$set": {"$this.sku": "S4"}}}}])
    assert one(customers, "a")["items"] == [{"sku": "s1", "qty": 11}, {"sku": "S4", "qty": 12}]
    update(customers, ANN, {"$append": {"items": {}}})
    update(customers, ANN, {"$set": {"items.-1.sku": "s5", "items.-1.qty": 1}})
    assert one(customers, "a")["items"][-1] == {"sku": "s5", "qty": 1}


def test_update_errors_are_per_document(customers: Api) -> None:
    insert(customers, [{"_id": "a", "login": "ann", "age": 30, "tags": ["x"]},
                       {"_id": "b", "login": "bob", "age": 140, "notes": "notarray"}])
    every = {"field": "age", "op": ">", "rvalue": 0}
    r = update(customers, every, {"$add": {"age": 20}})
    assert r["status"] == "PARTIAL" and r["modifiedCount"] == 1 and r["matchCount"] == 2
    [e] = r["dataErrors"]
    assert e["data"]["_id"] == "b" and e["errors"][0]["errorCode"] == "crud:ValueTooLarge"
    assert one(customers, "b")["age"] == 140
    r = update(customers, every, {"$append": {"notes": "y"}})
    assert r["status"] == "PARTIAL" and r["dataErrors"][0]["errors"][0]["errorCode"] == "crud:ArrayRequired"
    r = customers.post(f"{D}/update/customer", {"query": every, "update": {"$insert": {"tags": 1}}})
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "crud:InsertionRequiresIndex"


def test_concurrent_adds_are_not_lost(customers: Api) -> None:
    insert(customers, [{"_id": "a", "login": "ann", "age": 0}])
    errors: list[Any] = []

    def bump() -> None:
        for _ in range(3):
            r = customers.post(f"{D}/update/customer", {"query": ANN, "update": {"$add": {"age": 1}}})
            if r.status_code != 200 or r.json["modifiedCount"] != 1:
                errors.append(r.body)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and one(customers, "a")["age"] == 12
