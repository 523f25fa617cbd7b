"""Seed 004 items of issue 13: `$foreach ... $remove` over HTTP (seed: "$foreach ... $update: $remove
removes the matching elements")."""

from __future__ import annotations

from tests.conftest import Api

from .conftest import D, find, insert


def test_foreach_remove_removes_matching_elements(customers: Api) -> None:
    insert(customers, [{"_id": "c1", "login": "ann", "tags": ["a", "b", "a"],
                        "lines": [{"sku": "x", "n": 1}, {"sku": "y", "n": 2}]}])
    r = customers.post(f"{D}/update/customer", {
        "entity": "customer", "query": {"field": "_id", "op": "=", "rvalue": "c1"},
        "update": [{"$foreach": {"tags": {"field": "$this", "op": "=", "rvalue": "a"}, "$update": "$remove"}},
                   {"$foreach": {"lines": {"field": "$this.sku", "op": "=", "rvalue": "y"}, "$update": "$remove"}}]})
    assert r.status_code == 200 and r.json["modifiedCount"] == 1, r.body
    doc = find(customers, {"field": "_id", "op": "=", "rvalue": "c1"})["processed"][0]
    assert doc["tags"] == ["b"] and doc["lines"] == [{"sku": "x", "n": 1}]
    # on a field the document does not have: nothing changes, no error
    r = customers.post(f"{D}/update/customer", {
        "entity": "customer", "query": {"field": "_id", "op": "=", "rvalue": "c1"},
        "update": {"$foreach": {"missing": "$all", "$update": "$remove"}}})
    assert r.status_code == 200 and r.json["status"] != "ERROR", r.body


def test_client_id_in_the_body_and_session_in_the_answer(customers: Api) -> None:
    """Seed 004: `clientId` carries the caller's authentication; `session` (implementation
    dependent) says who the request ran as: application, principal kind, user and roles."""
    token = customers.token
    insert(customers, [{"_id": "c1", "login": "ann"}])
    anon = Api(customers.c)
    body = {"entity": "customer", "query": {"field": "_id", "op": "=", "rvalue": "c1"}, "projection": {"field": "login"}}
    assert anon.post(f"{D}/find/customer", body).status_code == 401
    r = anon.post(f"{D}/find/customer", {**body, "clientId": token})
    assert r.status_code == 200 and r.json["processed"] == [{"login": "ann"}], r.body
    assert r.json["session"]["principal"] in ("app", "admin", "user") and r.json["session"]["application"]
    r = anon.post(f"{D}/find/customer", {**body, "client": {"token": token}})
    assert r.status_code == 200 and r.json["matchCount"] == 1
    assert anon.post(f"{D}/find/customer", {**body, "clientId": "not-a-token"}).status_code == 401
