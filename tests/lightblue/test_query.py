"""Every Lightblue query form, compiled to the core AST, plus the simple GET find."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

from .conftest import D, find, insert

PEOPLE = [
    {"_id": "a", "login": "ann", "age": 30, "score": 30, "tags": ["x", "y"], "address": {"city": "Raleigh"},
     "items": [{"sku": "s1", "qty": 1}, {"sku": "s2", "qty": 5}], "email": "Ann@acme.test"},
    {"_id": "b", "login": "bob", "age": 40, "score": 12.5, "tags": ["y"], "address": {"city": "Cary"},
     "items": [{"sku": "s1", "qty": 9}]},
    {"_id": "c", "login": "Cyd", "age": 50, "score": 60, "tags": [], "address": {"city": "Durham"}},
]


@pytest.fixture
def people(customers: Api) -> Api:
    r = insert(customers, PEOPLE)
    assert r.json["modifiedCount"] == 3, r.body
    return customers


def ids(api: Api, q: Any) -> list[str]:
    got = find(api, q, sort={"_id": "$asc"})
    return [d["_id"] for d in got["processed"]]


def test_value_comparisons(people: Api) -> None:
    for op, alt, expected in (("=", "$eq", ["b"]), ("!=", "$neq", ["a", "c"]), ("<", "$lt", ["a"]),
                              (">", "$gt", ["c"]), ("<=", "$lte", ["a", "b"]), (">=", "$gte", ["b", "c"])):
        assert ids(people, {"field": "age", "op": op, "rvalue": 40}) == expected, op
        assert ids(people, {"field": "age", "op": alt, "rvalue": 40}) == expected, alt
    assert ids(people, {"field": "login", "op": "=", "rvalue": "cyd"}) == []  # case-sensitive, as Lightblue
    assert ids(people, {"field": "login", "op": "=", "rvalue": "Cyd"}) == ["c"]
    assert ids(people, {"field": "address.city", "op": "=", "rvalue": "Cary"}) == ["b"]  # dotted path
    assert ids(people, {"field": "items.0.qty", "op": ">", "rvalue": 5}) == ["b"]  # array index
    assert ids(people, {"field": "items.*.sku", "op": "=", "rvalue": "s2"}) == ["a"]  # any element
    assert ids(people, {"field": "email", "op": "=", "rvalue": None}) == ["b", "c"]
    assert ids(people, {"field": "_id", "op": "!=", "rvalue": "a"}) == ["b", "c"]


def test_field_comparison(people: Api) -> None:
    assert ids(people, {"field": "age", "op": "=", "rfield": "score"}) == ["a"]
    assert ids(people, {"field": "age", "op": "$gt", "rfield": "score"}) == ["b"]
    assert ids(people, {"field": "age", "op": "<", "rfield": "score"}) == ["c"]


def test_regex(people: Api) -> None:
    assert ids(people, {"field": "login", "regex": "^c"}) == []
    assert ids(people, {"field": "login", "regex": "^c", "caseInsensitive": True}) == ["c"]
    assert ids(people, {"field": "email", "regex": "ann@", "options": "i"}) == ["a"]
    assert ids(people, {"field": "login", "regex": "(b+)+o"}) == ["b"]  # linear-time engine
    r = people.post(f"{D}/find/customer", {"query": {"field": "login", "regex": "(?=a)"}})
    assert r.status_code == 400


def test_in_and_not_in(people: Api) -> None:
    assert ids(people, {"field": "address.city", "op": "$in", "values": ["Raleigh", "Cary"]}) == ["a", "b"]
    assert ids(people, {"field": "login", "op": "$nin", "values": ["ann", "bob"]}) == ["c"]
    assert ids(people, {"field": "login", "op": "$not_in", "values": ["ann"]}) == ["b", "c"]
    assert ids(people, {"field": "age", "op": "$in", "values": []}) == []
    assert ids(people, {"field": "_id", "op": "$in", "values": ["a", "c"]}) == ["a", "c"]


def test_array_contains_and_elem_match(people: Api) -> None:
    assert ids(people, {"array": "tags", "contains": "$any", "values": ["x", "z"]}) == ["a"]
    assert ids(people, {"array": "tags", "contains": "$all", "values": ["x", "y"]}) == ["a"]
    assert ids(people, {"array": "tags", "contains": "$none", "values": ["x"]}) == ["b", "c"]
    assert ids(people, {"array": "items", "elemMatch": {"$and": [{"field": "sku", "op": "=", "rvalue": "s1"},
                                                                 {"field": "qty", "op": ">", "rvalue": 3}]}}) == ["b"]
    r = people.post(f"{D}/find/customer", {"query": {"array": "tags", "contains": "$some", "values": []}})
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "query:InvalidArrayQuery"


def test_logical_nesting(people: Api) -> None:
    young = {"field": "age", "op": "<", "rvalue": 45}
    raleigh = {"field": "address.city", "op": "=", "rvalue": "Raleigh"}
    assert ids(people, {"$and": [young, {"$not": raleigh}]}) == ["b"]
    assert ids(people, {"$all": [young, raleigh]}) == ["a"]
    assert ids(people, {"$or": [raleigh, {"field": "age", "op": "=", "rvalue": 50}]}) == ["a", "c"]
    assert ids(people, {"$any": [{"$and": [young, {"$not": raleigh}]}, {"field": "login", "op": "=",
                                                                         "rvalue": "Cyd"}]}) == ["b", "c"]
    assert ids(people, {"$not": {"$or": [young]}}) == ["c"]


def test_simple_find(people: Api) -> None:
    r = people.get(f"{D}/find/customer?Q=age:30,50&P=login:1&S=age:d")
    assert r.status_code == 200 and r.json["matchCount"] == 2
    assert r.json["processed"] == [{"login": "Cyd"}, {"login": "ann"}]
    r = people.get(f"{D}/find/customer?S=age:a&from=1&to=1&P=_id:1")
    assert r.json["matchCount"] == 3 and r.json["processed"] == [{"_id": "b"}]
    r = people.get(f"{D}/find/customer/1.0.0?Q=login:bob;age:40")
    assert r.json["processed"][0]["objectType"] == "customer" and r.json["processed"][0]["login"] == "bob"
    assert people.get(f"{D}/find/customer?Q=broken").status_code == 400
