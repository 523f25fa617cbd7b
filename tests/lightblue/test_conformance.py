"""Lightblue's own documentation, form by form (lightblue-docs-user, language_specification/*.md).

Each check cites the section of the document it encodes; where a documented form cannot be
served here, the test pins the 400 Lightblue error envelope that replaces it.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import Api

from .conftest import USER_META, D, M, find, insert

PEOPLE = [
    {"_id": "a", "login": "ann", "age": 30, "tags": ["x", "ann"], "address": {"city": "Raleigh", "zip": "ann"},
     "items": [{"sku": "s1", "qty": 1}, {"sku": "s2", "qty": 5}, {"sku": "s3", "qty": 3}]},
    {"_id": "b", "login": "bob", "email": "bob@x.test", "age": 40, "tags": ["y"], "address": {"city": "Cary", "zip": "2"},
     "items": [{"sku": "s1", "qty": 9}]},
]

ORDER_META: dict[str, Any] = copy.deepcopy(USER_META)
ORDER_META["entityInfo"].update(name="order", indexes=[])
ORDER_META["entityInfo"]["datastore"]["collection"] = "order"
ORDER_META["schema"].update(name="order", fields={
    "k": {"type": "integer"}, "nums": {"type": "array", "items": {"type": "integer"}},
    "obj": {"type": "object", "fields": {"a": {"type": "integer"}}},
    "lines": {"type": "array", "items": {"type": "object", "fields": {
        "w": {"type": "integer"}, "tag": {"type": "string"},
        "sub": {"type": "array", "items": {"type": "object", "fields": {"p": {"type": "integer"},
                                                                       "v": {"type": "integer"}}}}}}}})


@pytest.fixture
def people(customers: Api) -> Api:
    assert insert(customers, PEOPLE).json["modifiedCount"] == 2
    return customers


def ids(api: Api, q: Any, **extra: Any) -> list[str]:
    return [d["_id"] for d in find(api, q, **{"sort": {"_id": "$asc"}, **extra})["processed"]]


def error(r: Any) -> str:
    """The errorCode of a 400 Lightblue error envelope (and that it is one)."""
    assert r.status_code == 400, (r.status_code, r.body)
    assert r.json["status"] == "ERROR"
    [e] = r.json["errors"]
    assert e["objectType"] == "error" and e["context"] and e["msg"], e
    return str(e["errorCode"])


def test_query_md_forms(people: Api) -> None:
    # query.md "Search Criteria": binary_comparison_operator incl. the $ne of the firstname/lastname example
    assert ids(people, {"field": "login", "op": "$ne", "rfield": "address.zip"}) == ["b"]
    assert ids(people, {"$not": {"field": "login", "op": "$ne", "rfield": "address.zip"}}) == ["a"]
    assert ids(people, {"field": "login", "op": "$eq", "rfield": "address.zip"}) == ["a"]
    # query.md: nary_relational_expression with rfield (the value of login among those of tags)
    assert ids(people, {"field": "login", "op": "$in", "rfield": "tags"}) == ["a"]
    assert ids(people, {"field": "login", "op": "$not_in", "rfield": "tags"}) == ["b"]
    # query.md regex_match_expression: case_insensitive / extended / multiline / dotall, and options: "i"
    assert ids(people, {"field": "login", "regex": "^A", "case_insensitive": True}) == ["a"]
    assert ids(people, {"field": "login", "regex": "^A", "case_insensitive": False}) == []
    assert ids(people, {"field": "login", "regex": "prefix.*|^B.*", "options": "i"}) == ["b"]
    assert ids(people, {"field": "login", "regex": "^ b o b $", "extended": True}) == ["b"]
    assert ids(people, {"field": "email", "regex": "^bob.x", "dotall": True, "multiline": True}) == ["b"]
    # query.md: array_match_expression; `$this` is the element, `$parent` of an element its array
    assert ids(people, {"array": "items", "elemMatch": {"field": "$this.qty", "op": ">", "rvalue": 4}}) == ["a", "b"]
    assert ids(people, {"array": "items", "elemMatch": {"$and": [
        {"field": "sku", "op": "=", "rvalue": "s1"},
        {"field": "$parent.$parent.login", "op": "=", "rvalue": "bob"}]}}) == ["b"]
    assert ids(people, {"array": "items", "elemMatch": {"$all": [
        {"field": "$parent.$parent.age", "op": "<", "rvalue": 35}, {"field": "qty", "op": "=", "rvalue": 3}]}}) == ["a"]
    # the element itself of a scalar array is $this
    assert ids(people, {"array": "tags", "elemMatch": {"field": "$this", "op": "=", "rvalue": "x"}}) == ["a"]
    assert ids(people, {"array": "tags", "elemMatch": {"$or": [{"field": "$this", "op": "=", "rvalue": "x"},
                                                             {"field": "$this", "regex": "^y"}]}}) == ["a", "b"]
    # not supported: outer fields mixed into $or: a clear 400
    r = people.post(f"{D}/find/customer", {"query": {"array": "items", "elemMatch": {"$or": [
        {"field": "sku", "op": "=", "rvalue": "s1"}, {"field": "$parent.$parent.login", "op": "=", "rvalue": "x"}]}}})
    assert error(r) == "query:InvalidQuery"
    # query.md: "Can use $all instead of $and", "$any instead of $or"
    assert ids(people, {"$any": [{"$all": [{"field": "age", "op": ">=", "rvalue": 30},
                                           {"array": "tags", "contains": "$none", "values": ["y"]}]},
                                 {"field": "address.city", "op": "$in", "values": ["Cary"]}]}) == ["a", "b"]


def test_sort_md_forms(people: Api) -> None:
    # sort.md examples write the direction as "asc" / "desc"; the grammar as $asc / $desc
    assert ids(people, None, sort={"login": "desc"}) == ["b", "a"]
    assert ids(people, None, sort=[{"age": "desc"}, {"login": "asc"}]) == ["b", "a"]
    assert ids(people, None, sort=[{"age": "$asc"}]) == ["a", "b"]


def test_projection_md_forms(people: Api) -> None:
    def proj(p: Any) -> dict[str, Any]:
        return find(people, {"field": "_id", "op": "=", "rvalue": "a"}, projection=p)["processed"][0]

    # projection.md: "the last projection expression that decides ... wins"
    assert "login" not in proj([{"field": "*", "include": True, "recursive": True}, {"field": "login", "include": False}])
    assert "login" in proj([{"field": "login", "include": False}, {"field": "*", "include": True, "recursive": True}])
    # projection.md: array_projection with match, and query.md's `address.*` spelling of the same rule
    for field in ("items", "items.*"):
        assert proj({"field": field, "include": True, "match": {"field": "qty", "op": ">", "rvalue": 2},
                     "project": {"field": "sku"}}) == {"items": [{"sku": "s2"}, {"sku": "s3"}]}
    # a `project` without match or range projects every element (lightblue-core ArrayMatchingElementsProjection)
    assert proj({"field": "items", "project": {"field": "qty"}}) == {"items": [{"qty": 1}, {"qty": 5}, {"qty": 3}]}
    # projection.md "Return the first 5 addresses": range with a recursive project
    assert proj({"field": "items", "range": [0, 1], "project": {"field": "*", "recursive": True}}) == {
        "items": PEOPLE[0]["items"][:2]}
    # projection.md "Sorting array elements in projection": sorted only when the array rule decides last
    ranged = {"field": "items", "include": True, "range": [0, 2], "sort": {"qty": "$desc"}}
    assert [i["qty"] for i in proj([ranged, {"field": "*", "include": True, "recursive": True}])["items"]] == [1, 5, 3]
    assert [i["qty"] for i in proj([{"field": "*", "include": True, "recursive": True}, ranged])["items"]] == [5, 3, 1]
    # match on a scalar array through $this; $this / $parent in projected fields (getNonRelativePath)
    assert proj({"field": "tags", "match": {"field": "$this", "op": "=", "rvalue": "ann"}}) == {"tags": ["ann"]}
    assert proj({"field": "address.$parent.login"}) == {"login": "ann"}  # a.$parent.b is b
    # projection.md: "It is illegal to pass an empty projection specification"
    assert error(people.post(f"{D}/find/customer", {"projection": []})) == "query:InvalidProjection"


@pytest.fixture
def orders(customers: Api) -> Api:
    r = customers.put(f"{M}/order/1.0.0", ORDER_META)
    assert r.status_code == 200, r.body
    doc = {"_id": "o", "k": 7, "nums": [1, 6, 9], "obj": {"a": 1},
           "lines": [{"w": 7, "tag": "a", "sub": [{"p": 1, "v": 0}, {"p": 2, "v": 0}]},
                     {"w": 8, "tag": "b", "sub": [{"p": 1, "v": 0}]}]}
    r = customers.put(f"{D}/insert/order", {"data": [doc], "projection": {"field": "_id"}})
    assert r.status_code == 200 and r.json["modifiedCount"] == 1, r.body
    return customers


def upd(api: Api, u: Any) -> dict[str, Any]:
    r = api.post(f"{D}/update/order", {"query": {"field": "_id", "op": "=", "rvalue": "o"}, "update": u,
                                       "projection": {"field": "*", "recursive": True}})
    assert r.status_code == 200 and r.json["status"] == "COMPLETE", r.body
    got = api.post(f"{D}/find/order", {"query": {"field": "_id", "op": "=", "rvalue": "o"},
                                       "projection": {"field": "*", "recursive": True}})
    return dict(got.json["processed"][0])


def test_update_md_forms(orders: Api) -> None:
    # update.md "Primitive updates": $set with $valueof and with {} (an empty object), $add with $valueof
    doc = upd(orders, [{"$set": {"obj.a": {"$valueof": "k"}, "obj.b": {}}}, {"$add": {"k": {"$valueof": "obj.a"}}}])
    assert doc["obj"] == {"a": 7, "b": {}} and doc["k"] == 14
    # "Array updates": $insert of several values at n, and at a negative index (-1 appends, as lightblue-core)
    doc = upd(orders, [{"$insert": {"nums.1": [2, 3]}}, {"$insert": {"nums.-1": 10}}])
    assert doc["nums"] == [1, 2, 3, 6, 9, 10]
    # "Examples of $foreach": the element named by the array's own path, set through $this
    doc = upd(orders, {"$foreach": {"nums": {"field": "nums", "op": "$gt", "rvalue": 5}, "$update": {"$set": {"$this": 1}}}})
    assert doc["nums"] == [1, 2, 3, 1, 1, 1]
    # the element's field via the absolute path or $this, compared with the top-level field k (rfield)
    doc = upd(orders, [{"$set": {"k": 8}},
                       {"$foreach": {"lines": {"field": "lines.w", "op": "$eq", "rfield": "k"},
                                     "$update": {"$set": {"$this.tag": "blah"}}}},
                       {"$foreach": {"lines": {"field": "$this.w", "op": "$eq", "rfield": "k"},
                                     "$update": {"$add": {"$this.w": 1}}}}])
    assert [(line["w"], line["tag"]) for line in doc["lines"]] == [(7, "a"), (9, "blah")]
    # nested $foreach: for each line, elements of $this.sub with p=1 get v from the root's k
    doc = upd(orders, {"$foreach": {"lines": "$all", "$update": {
        "$foreach": {"$this.sub": {"field": "$this.p", "op": "$eq", "rvalue": 1},
                     "$update": {"$set": {"$this.v": {"$valueof": "k"}}}}}}})
    assert [[s["v"] for s in line["sub"]] for line in doc["lines"]] == [[8, 0], [8]]
    # $foreach ... $remove; "[ {$append: {someArray: {}}}, {$set: {someArray.-1.someValue: 1}} ]"
    doc = upd(orders, [{"$foreach": {"lines": {"field": "$this.tag", "op": "=", "rvalue": "a"}, "$update": "$remove"}},
                       {"$append": {"lines": {}}}, {"$set": {"lines.-1.w": 1, "lines.-1.tag": "new"}},
                       {"$unset": ["nums.0", "nums.0"]}])
    assert [line["tag"] for line in doc["lines"]] == ["blah", "new"] and doc["lines"][-1]["w"] == 1
    assert doc["nums"] == [3, 1, 1, 1]


DEEP: Any = {"field": "age", "op": "=", "rvalue": 1}
for _ in range(60):
    DEEP = {"$not": DEEP}

BAD_QUERIES: list[Any] = [
    {"field": 5, "op": "=", "rvalue": 1}, {"field": "age", "op": ["="], "rvalue": 1},
    {"field": "age", "op": {"x": 1}, "rvalue": 1}, {"field": "age", "op": "$in", "values": "abc"},
    {"field": "age", "op": "$in", "values": {"a": 1}}, {"field": "age", "op": "$in", "values": [[1]]},
    {"field": "age", "op": "$in", "values": 5}, {"array": "tags", "contains": ["$any"], "values": []},
    {"array": 5, "contains": "$any", "values": []}, {"array": "tags", "contains": "$any", "values": "x"},
    {"field": "login", "regex": 5}, {"field": "login", "regex": "("}, {"field": "login", "regex": "(a)\\1"},
    {"field": "login", "regex": "a", "options": 5}, {"field": "login", "regex": "a", "options": "q"},
    {"field": "login", "regex": "a", "case_insensitive": "yes"}, {"$and": {}}, {"$and": "x"}, {"$or": []},
    {"$not": []}, DEEP, [1, 2], "login", 5, {"field": "login", "op": "=", "rvalue": {"a": 1}},
    {"array": "items", "elemMatch": "x"}, {"field": "$parent.x", "op": "=", "rvalue": 1},
    {"field": "a..b", "op": "=", "rvalue": 1}, {"field": "age", "op": "~", "rvalue": 1}, {"field": "age"},
    {"field": {"a": 1}, "regex": "x"}, {"bogus": 1},
]
BAD_SORTS: list[Any] = [{"login": 1}, {"login": ["$asc"]}, [{"a": "$asc", "b": "$desc"}], "login", [], {"login": "up"}]
BAD_PROJECTIONS: list[Any] = [
    {"field": 5}, {"field": "login", "include": "yes"}, {"field": "items", "range": [0]},
    {"field": "items", "range": "0-1"}, {"field": "items", "range": [True, 1]}, [], {"field": "items", "match": []},
    {"field": "items", "sort": {"qty": "up"}}, "login", {"field": "$parent"}, [5],
    {"field": "items", "project": {"field": "x", "project": {"field": "y", "project": []}}},
]
BAD_UPDATES: list[Any] = [
    {"$set": []}, {"$set": {"age": {"$valueof": 5}}}, {"$add": {"age": "1"}}, {"$unset": 5}, {"$unset": []},
    {"$foreach": {"items": 5, "$update": "$remove"}}, {"$foreach": []}, {"$bogus": {}}, {"$set": {"$this.a": 1}},
    {"$set": {"a.$parent": 1}}, {"$insert": {"tags": 1}}, [], {"$set": {5: 1}} if False else {"$set": {"": 1}},
    {"$foreach": {"items": {"field": "$this.qty", "op": ["x"], "rvalue": 1}, "$update": "$remove"}},
]


def test_malformed_inputs_are_400_not_500(people: Api) -> None:
    every = {"field": "age", "op": ">", "rvalue": 0}
    cases = ([("find", {"query": q}) for q in BAD_QUERIES]
             + [("find", {"query": every, "sort": s}) for s in BAD_SORTS]
             + [("find", {"query": every, "projection": p}) for p in BAD_PROJECTIONS]
             + [("update", {"query": every, "update": u}) for u in BAD_UPDATES]
             + [("delete", {"query": q}) for q in BAD_QUERIES[:6]]
             + [("find", {"query": every, "range": r}) for r in ("0-1", [0], [-1, 2], [0, "x"])])
    for operation, body in cases:
        r = people.post(f"{D}/{operation}/customer", body)
        assert r.status_code == 400, (operation, body, r.status_code, r.body)
        assert error(r).split(":")[0] in ("query", "crud", "rest-crud", "mongo-crud"), body
    assert len(find(people, every)["processed"]) == 2  # nothing was changed or deleted


def test_body_nested_past_the_json_parser_is_400(customers: Api) -> None:
    deep = '{"$not":' * 5000 + '{"field":"age","op":"=","rvalue":1}' + "}" * 5000
    r = customers.call("POST", f"{D}/find/customer", raw='{"query":' + deep + "}")
    assert r.status_code == 400 and r.json["status"] == "ERROR", r.body


def test_body_nested_past_the_depth_limit_is_400_in_every_dialect(customers: Api) -> None:
    deep = "[" * 150 + "]" * 150
    r = customers.call("POST", f"{D}/find/customer", raw='{"query": {"field": "a", "op": "=", "rvalue": ' + deep + "}}")
    assert r.status_code == 400 and r.json["status"] == "ERROR"
    r = customers.call("POST", "/usergrid/acme/prod/items", raw='{"a": ' + deep + "}")
    assert r.status_code == 400 and r.json["error"] == "json_parse"
