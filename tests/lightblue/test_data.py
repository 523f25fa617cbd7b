"""Data routes: insert, save (upsert), delete, envelopes, partial success, request errors, cross-dialect."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

from .conftest import D, find, insert

ALL = {"field": "*", "recursive": True}


def test_insert_with_and_without_ids(customers: Api) -> None:
    r = insert(customers, [{"_id": "c1", "login": "ann", "objectType": "customer"}, {"login": "bob"}])
    assert r.status_code == 200
    body = r.json
    assert body["status"] == "COMPLETE" and body["modifiedCount"] == 2 and "dataErrors" not in body
    ann, bob = body["processed"]
    assert ann == {"_id": "c1", "login": "ann", "objectType": "customer"}
    assert bob["objectType"] == "customer" and isinstance(bob["_id"], str) and len(bob["_id"]) == 36
    got = find(customers, {"field": "_id", "op": "=", "rvalue": "c1"})
    assert got["matchCount"] == 1 and got["processed"][0]["login"] == "ann"
    dup = insert(customers, [{"_id": "c1", "login": "again"}, {"_id": "c2", "login": "cyd"}])
    assert dup.json["status"] == "PARTIAL" and dup.json["modifiedCount"] == 1
    assert dup.json["dataErrors"] == [{"data": {"_id": "c1", "login": "again"}, "errors": [
        {"objectType": "error", "context": "rest/insert/customer", "errorCode": "mongo-crud:Duplicate",
         "msg": "a document with this _id already exists"}]}]
    assert find(customers, {"field": "login", "op": "=", "rvalue": "again"})["matchCount"] == 0


def test_partial_success_writes_only_valid_documents(customers: Api) -> None:
    r = insert(customers, [{"login": "ann", "age": 30}, {"age": 200, "email": "x"}, {"login": "bob"}])
    assert r.status_code == 200 and r.json["status"] == "PARTIAL" and r.json["modifiedCount"] == 2
    [bad] = r.json["dataErrors"]
    assert bad["data"] == {"age": 200, "email": "x"}
    assert sorted(e["errorCode"] for e in bad["errors"]) == ["crud:DoesNotMatch", "crud:Required", "crud:ValueTooLarge"]
    assert all(e["objectType"] == "error" and e["msg"] for e in bad["errors"])
    assert find(customers)["matchCount"] == 2  # nothing of the invalid one was written
    r = insert(customers, [{"login": 5}])
    assert r.status_code == 200 and r.json["status"] == "ERROR" and r.json["modifiedCount"] == 0


def test_save_with_and_without_upsert(customers: Api) -> None:
    insert(customers, [{"_id": "c1", "login": "ann", "age": 30}])
    save = {"entity": "customer", "projection": ALL}
    r = customers.post(f"{D}/save/customer", {**save, "data": [{"_id": "c1", "login": "ann2"}]})
    assert r.json["status"] == "COMPLETE" and r.json["modifiedCount"] == 1
    assert r.json["processed"] == [{"_id": "c1", "login": "ann2", "objectType": "customer"}]  # replaced: no age
    r = customers.post(f"{D}/save/customer", {**save, "data": [{"_id": "c9", "login": "new"}, {"login": "noid"}]})
    assert r.json["status"] == "ERROR" and r.json["modifiedCount"] == 0
    assert [e["errors"][0]["errorCode"] for e in r.json["dataErrors"]] == ["mongo-crud:SaveError"] * 2
    assert find(customers)["matchCount"] == 1
    r = customers.post(f"{D}/save/customer", {**save, "upsert": True,
                                              "data": [{"_id": "c9", "login": "new"}, {"login": "noid"}]})
    assert r.json["status"] == "COMPLETE" and r.json["modifiedCount"] == 2
    assert find(customers)["matchCount"] == 3
    r = customers.post(f"{D}/save/customer", {**save, "data": [{"_id": "c9", "login": "x"}]})
    assert r.json["dataErrors"][0]["errors"][0]["errorCode"] == "crud:TooShort"
    assert find(customers, {"field": "_id", "op": "=", "rvalue": "c9"})["processed"][0]["login"] == "new"


def test_delete_and_match_count(customers: Api) -> None:
    insert(customers, [{"login": f"u{i}", "age": i} for i in range(6)])
    r = customers.post(f"{D}/delete/customer", {"entity": "customer",
                                                 "query": {"field": "age", "op": ">=", "rvalue": 4}})
    assert r.status_code == 200 and r.json["status"] == "COMPLETE" and r.json["modifiedCount"] == 2
    got = find(customers, None, sort={"age": "$asc"}, range=[1, 2])
    assert got["matchCount"] == 4 and [d["age"] for d in got["processed"]] == [1, 2]
    r = customers.post(f"{D}/delete/customer", {"entity": "customer"})
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "mongo-crud:NullQuery"


def test_request_level_errors(customers: Api, lb: Api) -> None:
    def err(r: Any, status: int, code: str) -> None:
        assert r.status_code == status, r.body
        assert r.json["status"] == "ERROR" and r.json["errors"][0]["errorCode"] == code
        assert set(r.json["errors"][0]) == {"objectType", "context", "errorCode", "msg"}

    err(lb.post(f"{D}/find/nothing", {"entity": "nothing"}), 404, "crud:UnknownEntity")
    err(lb.put(f"{D}/insert/nothing", {"entity": "nothing", "data": [{"a": 1}]}), 404, "crud:UnknownEntity")
    err(customers.post(f"{D}/find/customer", {"entity": "other"}), 400, "rest-crud:NoEntityMatch")
    err(customers.post(f"{D}/find/customer", raw="{oops"), 400, "rest-crud:IllFormedRequest")
    err(customers.post(f"{D}/find/customer", {"query": {"field": "a", "op": "~", "rvalue": 1}}), 400,
        "query:InvalidOperator")
    err(customers.post(f"{D}/find/customer", {"query": {"nonsense": 1}}), 400, "query:InvalidQuery")
    err(customers.post(f"{D}/find/customer", {"query": {"$and": []}}), 400, "query:InvalidQuery")
    err(customers.post(f"{D}/find/customer", {"query": {"field": "a b", "op": "=", "rvalue": 1}}), 400,
        "query:InvalidFieldPath")
    err(customers.post(f"{D}/find/customer", {"sort": {"a": "up"}}), 400, "query:InvalidSort")
    err(customers.post(f"{D}/find/customer", {"range": [-1, 2]}), 400, "query:InvalidRange")
    err(customers.put(f"{D}/insert/customer", {"data": []}), 400, "rest-crud:IllFormedRequest")
    err(customers.post(f"{D}/update/customer", {"query": {"field": "a", "op": "=", "rvalue": 1},
                                                "update": {"$frobnicate": {}}}), 400, "query:InvalidUpdate")
    err(customers.post(f"{D}/find/customer/7.0.0", {}), 404, "mongo-metadata:UnknownVersion")
    err(customers.post(f"{D}/find/customer", {}, token=""), 401, "rest:Unauthorized")


def test_schema_applies_to_every_dialect(customers: Api, org: dict[str, Any]) -> None:
    ug = Api(customers.c, org["admin_token"])
    r = ug.post("/usergrid/acme/prod/customers", {"age": 3})
    assert r.status_code == 400 and "login is required" in r.json["error_description"]
    r = ug.post("/usergrid/acme/prod/customers", {"login": "ug", "age": 3})
    assert r.status_code == 200
    uuid = r.json["entities"][0]["uuid"]
    assert ug.put(f"/usergrid/acme/prod/customers/{uuid}", {"age": -5}).status_code == 400
    got = find(customers, {"field": "login", "op": "=", "rvalue": "ug"})
    assert got["processed"] == [{"_id": uuid, "login": "ug", "age": 3, "objectType": "customer"}]
    insert(customers, [{"_id": "lb1", "login": "fromlb"}])
    r = ug.get("/usergrid/acme/prod/customers?ql=login%3D'fromlb'")
    assert r.json["entities"][0]["_id"] == "lb1"


def test_concurrent_inserts_of_one_id_make_one_document(customers: Api) -> None:
    import threading

    results: list[Any] = []

    def go(i: int) -> None:
        r = customers.put(f"{D}/insert/customer", {"data": [{"_id": "same", "login": f"racer{i}"}]})
        results.append(r.json)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["modifiedCount"] for r in results) == [0, 0, 0, 0, 1]
    assert all(r["dataErrors"][0]["errors"][0]["errorCode"] == "mongo-crud:Duplicate"
               for r in results if r["modifiedCount"] == 0)
    assert find(customers)["matchCount"] == 1


def test_lookup_by_id_is_one_read(customers: Api) -> None:
    insert(customers, [{"_id": "c1", "login": "ann"}] + [{"login": f"u{i}"} for i in range(20)])
    r = customers.post(f"{D}/find/customer", {"query": {"field": "_id", "op": "=", "rvalue": "c1"},
                                              "projection": {"field": "login"}})
    assert r.json["processed"] == [{"login": "ann"}]
    cost = dict(p.split("=", 1) for p in r.headers["X-Request-Cost"].split("; "))
    assert "Query" not in cost["ops"] and float(cost["items_read"]) <= 3
