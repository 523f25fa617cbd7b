"""What Lightblue clients rely on beyond the examples of the docs (python-lightblue, tests/e2e).

Lightblue stores `objectType` (the entity name) in every document; python-lightblue's find_all and
delete_all select a whole entity with `{"field": "objectType", "op": "=", "rvalue": <entity>}`.
Here `objectType` is added on the way out, so terms on it are decided against the entity's name.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.lightblue.conftest import D, find, insert

ALL = {"field": "objectType", "op": "=", "rvalue": "customer"}


def _logins(body: dict[str, Any]) -> list[str]:
    return sorted(d["login"] for d in body["processed"])


def _three(api: Api) -> None:
    r = insert(api, [{"login": "ann", "age": 30}, {"login": "bob", "age": 40}, {"login": "cy", "age": 50}])
    assert r.status_code == 200 and r.json["modifiedCount"] == 3, r.body


def test_object_type_selects_the_entity(customers: Api) -> None:
    _three(customers)
    assert _logins(find(customers, ALL)) == ["ann", "bob", "cy"]
    assert find(customers, {**ALL, "rvalue": "other"})["matchCount"] == 0
    assert find(customers, {**ALL, "op": "!="})["matchCount"] == 0
    assert find(customers, {"field": "objectType", "op": "$in", "values": ["x", "customer"]})["matchCount"] == 3
    # combined with other terms: True drops out of an $and, decides an $or; False the reverse
    assert _logins(find(customers, {"$and": [ALL, {"field": "age", "op": ">", "rvalue": 35}]})) == ["bob", "cy"]
    assert find(customers, {"$or": [ALL, {"field": "age", "op": ">", "rvalue": 35}]})["matchCount"] == 3
    assert _logins(find(customers, {"$or": [{**ALL, "rvalue": "x"}, {"field": "login", "op": "=", "rvalue": "ann"}]})
                   ) == ["ann"]
    assert find(customers, {"$and": [{**ALL, "rvalue": "x"}, {"field": "age", "op": ">", "rvalue": 0}]}
                )["matchCount"] == 0
    assert find(customers, {"$not": ALL})["matchCount"] == 0
    # python-lightblue's find_all body: objectType/version beside the query, from/maxResults
    page = find(customers, ALL, objectType="customer", version="1.0.0", sort={"age": "$asc"}, **{"from": 1},
                maxResults=1)
    assert page["matchCount"] == 3 and _logins(page) == ["bob"]


def test_object_type_updates_and_deletes_the_entity(customers: Api) -> None:
    _three(customers)
    r = customers.post(f"{D}/update/customer", {"query": ALL, "update": {"$add": {"age": 1}}})
    assert r.status_code == 200 and r.json["modifiedCount"] == 3, r.body
    assert sorted(d["age"] for d in find(customers, ALL)["processed"]) == [31, 41, 51]
    r = customers.post(f"{D}/delete/customer", {"query": {**ALL, "rvalue": "other"}})
    assert r.status_code == 200 and r.json["matchCount"] == 0, r.body
    r = customers.post(f"{D}/delete/customer", {"objectType": "customer", "version": "1.0.0", "query": ALL})
    assert r.status_code == 200 and r.json["modifiedCount"] == 3, r.body
    assert find(customers)["matchCount"] == 0
