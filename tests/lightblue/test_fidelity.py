"""What a Lightblue client sends as Lightblue documents it: the canonical `country` metadata (with
its predefined `_id` and required `objectType`), the deprecated insert path, `returning`,
`maxResults`, uid generation, and the rest of lightblue-rest's metadata routes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import Api

from .conftest import USER_META, D, M

COUNTRY: dict[str, Any] = {
    "entityInfo": {"name": "country", "defaultVersion": "1.0.0",
                   "datastore": {"backend": "mongo", "datasource": "mongodata", "collection": "country"}},
    "schema": {
        "name": "country", "version": {"value": "1.0.0", "changelog": "Initial version"},
        "status": {"value": "active"},
        "access": {"insert": ["anyone"], "update": ["anyone"], "find": ["anyone"], "delete": ["anyone"]},
        "fields": {
            "_id": {"type": "uid", "constraints": {"identity": True}},
            "objectType": {"type": "string", "access": {"find": ["anyone"], "update": ["noone"]},
                           "constraints": {"required": True, "minLength": 1}},
            "name": {"type": "string"}, "iso2code": {"type": "string"}, "iso3code": {"type": "string"},
            "code": {"type": "uid"},
            "regions": {"type": "array", "items": {"type": "object", "fields": {
                "rid": {"type": "uid"}, "label": {"type": "string"}}}},
        },
    },
}


@pytest.fixture
def countries(lb: Api) -> Api:
    r = lb.put(f"{M}/country/1.0.0", COUNTRY)
    assert r.status_code == 200, r.body
    return lb


def test_canonical_country_example(countries: Api) -> None:
    """lightblue-docs' own example: insert without _id/objectType, find with `returning`."""
    r = countries.put(f"{D}/insert/country/1.0.0", {
        "entity": "country", "entityVersion": "1.0.0",
        "data": [{"name": "Canada", "iso2code": "CA", "iso3code": "CAN"}],
        "returning": [{"field": "*", "include": True}]})
    assert r.status_code == 200 and r.json["status"] == "COMPLETE" and r.json["modifiedCount"] == 1, r.body
    [doc] = r.json["processed"]
    assert doc["objectType"] == "country" and doc["name"] == "Canada" and len(doc["_id"]) == 36
    r = countries.post(f"{D}/find/country/1.0.0", {
        "entity": "country", "entityVersion": "1.0.0",
        "query": {"field": "iso2code", "op": "=", "rvalue": "CA"},
        "returning": [{"field": "name", "include": True}, {"field": "iso3code", "include": True}]})
    assert r.json == {"status": "COMPLETE", "modifiedCount": 0, "matchCount": 1,
                      "processed": [{"name": "Canada", "iso3code": "CAN"}]}
    r = countries.post(f"{D}/update/country", {"entity": "country", "query": {"field": "iso2code", "op": "=",
                                                                                  "rvalue": "CA"},
                                                 "update": {"$set": {"name": "Kanada"}}})
    assert r.json["status"] == "COMPLETE" and r.json["modifiedCount"] == 1
    r = countries.post(f"{D}/save/country", {"entity": "country", "data": [{**doc, "name": "Canada"}],
                                              "projection": {"field": "name"}})
    assert r.json["status"] == "COMPLETE" and r.json["processed"] == [{"name": "Canada"}], r.body


def test_uid_fields_are_generated_on_insert(countries: Api) -> None:
    r = countries.put(f"{D}/insert/country", {"data": [
        {"name": "Chile", "regions": [{"label": "north"}, {"label": "south", "rid": "given"}]},
        {"name": "Peru", "code": "PE-1"}], "projection": {"field": "*", "recursive": True}})
    chile, peru = r.json["processed"]
    assert len(chile["code"]) == 36 and peru["code"] == "PE-1"  # generated only where missing
    assert len(chile["regions"][0]["rid"]) == 36 and chile["regions"][1]["rid"] == "given"


def test_deprecated_insert_path_and_max_results(countries: Api) -> None:
    r = countries.put(f"{D}/country", {"entity": "country", "data": [{"name": f"c{i}", "iso2code": f"C{i}"}
                                                                      for i in range(5)]})
    assert r.status_code == 200 and r.json["modifiedCount"] == 5
    r = countries.put(f"{D}/country/1.0.0", {"data": [{"name": "c5"}]})
    assert r.status_code == 200 and r.json["modifiedCount"] == 1
    r = countries.post(f"{D}/find/country", {"projection": {"field": "name"}, "sort": {"name": "$asc"},
                                              "from": 1, "maxResults": 2})
    assert r.json["matchCount"] == 6 and r.json["processed"] == [{"name": "c1"}, {"name": "c2"}]
    r = countries.get(f"{D}/find/country?P=name:1&S=name:d&maxResults=3")
    assert [d["name"] for d in r.json["processed"]] == ["c5", "c4", "c3"]
    r = countries.post(f"{D}/find/country", {"maxResults": 0})
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "query:InvalidRange"


def test_update_and_delete_need_a_query(countries: Api) -> None:
    for op, extra in (("update", {"update": {"$set": {"name": "x"}}}), ("delete", {})):
        r = countries.post(f"{D}/{op}/country", {"entity": "country", "query": None, **extra})
        assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "mongo-crud:NullQuery", op


def test_new_schema_version_entity_info_and_statuses(countries: Api) -> None:
    schema = copy.deepcopy(COUNTRY["schema"])
    schema["version"] = {"value": "2.0.0", "changelog": "iso3 required", "extendsVersions": ["1.0.0"]}
    schema["fields"]["iso3code"]["constraints"] = {"required": True}
    r = countries.put(f"{M}/country/schema=2.0.0", schema)
    assert r.status_code == 200 and r.json["entityInfo"]["name"] == "country"
    assert r.json["schema"]["version"]["value"] == "2.0.0"
    r = countries.put(f"{M}/nothing/schema=2.0.0", {**schema, "name": "nothing"})
    assert r.status_code == 404 and r.json["errors"][0]["errorCode"] == "crud:UnknownEntity"
    versions = countries.get(f"{M}/country").json
    assert versions[1] == {"version": "2.0.0", "changelog": "iso3 required", "extendsVersions": ["1.0.0"],
                           "status": "active", "defaultVersion": False}
    info = {**COUNTRY["entityInfo"], "defaultVersion": "2.0.0"}
    r = countries.put(f"{M}/country", info)
    assert r.status_code == 200 and r.json["schema"]["version"]["value"] == "2.0.0"
    r = countries.put(f"{D}/insert/country", {"data": [{"name": "Chad"}]})
    assert r.json["dataErrors"][0]["errors"][0]["errorCode"] == "crud:Required"  # 2.0.0 is the default now
    r = countries.put(f"{M}/country", {**info, "defaultVersion": "9.9.9"})
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "mongo-metadata:InvalidDefaultVersion"
    r = countries.put(f"{M}/country", {**info, "name": "other"})
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "rest-metadata:NoNameMatch"
    countries.put(f"{M}/customer/1.0.0", USER_META)
    countries.put(f"{M}/customer/1.0.0/deprecated")
    assert countries.get(f"{M}/s=deprecated").json == {"entities": ["customer"]}
    assert countries.get(f"{M}/s=active,deprecated").json == {"entities": ["country", "customer"]}
    assert countries.get(f"{M}/s=disabled").json == {"entities": []}


def test_remove_entity_only_when_every_version_is_disabled(countries: Api) -> None:
    countries.put(f"{D}/insert/country", {"data": [{"name": "Mali"}]})
    r = countries.delete(f"{M}/country")
    assert r.status_code == 409 and r.json["errors"][0]["errorCode"] == "metadata:CannotDeleteEntity"
    countries.delete(f"{M}/country/default")
    assert countries.put(f"{M}/country/1.0.0/disabled").status_code == 200
    r = countries.delete(f"{M}/country")
    assert r.status_code == 200
    assert countries.get(M).json == {"entities": []}
    r = countries.post(f"{D}/find/country", {})
    assert r.status_code == 404 and r.json["errors"][0]["errorCode"] == "crud:UnknownEntity"
    assert countries.put(f"{M}/country/1.0.0", COUNTRY).status_code == 200  # it can be defined again
    r = countries.post(f"{D}/find/country", {"projection": {"field": "name"}})
    assert r.json["processed"] == [{"name": "Mali"}]  # the documents outlived the metadata


def test_roles_and_dependencies(countries: Api) -> None:
    meta = copy.deepcopy(COUNTRY)
    meta["entityInfo"] = {"name": "city", "defaultVersion": "1.0.0"}
    meta["schema"].update(name="city", access={"insert": ["editor"], "find": ["anyone"], "update": ["editor"],
                                               "delete": ["admin"]})
    meta["schema"]["fields"]["country"] = {"type": "reference", "entity": "country", "versionRange": "1.0.0",
                                           "query": {"field": "name", "op": "=", "rfield": "$parent.name"}}
    r = countries.put(f"{M}/city/1.0.0", meta)
    assert r.status_code == 200, r.body
    roles = {x["role"]: x for x in countries.get(f"{M}/city/roles").json}
    assert roles["editor"] == {"role": "editor", "insert": ["city"], "update": ["city"]}
    assert roles["admin"] == {"role": "admin", "delete": ["city"]}
    assert roles["noone"] == {"role": "noone", "update": ["city.objectType"]}
    every = {x["role"]: x for x in countries.get(f"{M}/roles").json}
    assert sorted(every["anyone"]["find"]) == ["city", "city.objectType", "country", "country.objectType"]
    assert countries.get(f"{M}/city/1.0.0/roles").status_code == 200
    deps = countries.get(f"{M}/city/dependencies").json
    assert deps == [{"name": "city", "dependencies": [{"name": "country"}]}]
    assert countries.get(f"{M}/city/1.0.0/dependencies").json == deps
    r = countries.get(f"{M}/city/7.0.0/roles")
    assert r.status_code == 404 and r.json["errors"][0]["errorCode"] == "mongo-metadata:UnknownVersion"


def test_unique_indexes_come_from_entity_info(countries: Api, customers: Api) -> None:
    """A collection with metadata is unique on what its indexes declare, not on Usergrid's `name`."""
    r = countries.put(f"{D}/insert/country", {"data": [{"name": "Georgia"}, {"name": "Georgia"}]})
    assert r.json["status"] == "COMPLETE" and r.json["modifiedCount"] == 2  # country declares no unique index
    r = customers.put(f"{D}/insert/customer", {"data": [{"login": "ann", "name": "Ann"}, {"login": "Ann"},
                                                        {"login": "ann"}, {"login": "bob", "name": "Ann"}]})
    assert r.json["status"] == "PARTIAL" and r.json["modifiedCount"] == 3  # exact values, as MongoDB compares
    [dup] = r.json["dataErrors"]
    assert dup["data"] == {"login": "ann"} and dup["errors"][0]["errorCode"] == "mongo-crud:Duplicate"
    r = customers.post(f"{D}/update/customer", {"query": {"field": "login", "op": "=", "rvalue": "bob"},
                                                 "update": {"$set": {"login": "Ann"}}})
    assert r.json["status"] == "ERROR" and r.json["dataErrors"][0]["errors"][0]["errorCode"] == "mongo-crud:Duplicate"
    r = customers.post(f"{D}/update/customer", {"query": {"field": "login", "op": "=", "rvalue": "bob"},
                                                 "update": {"$set": {"login": "cyd"}}})
    assert r.json["modifiedCount"] == 1
    r = customers.put(f"{D}/insert/customer", {"data": [{"login": "bob"}]})  # bob's claim was released
    assert r.json["status"] == "COMPLETE", r.body


def test_concurrent_inserts_of_one_unique_value_make_one_document(customers: Api) -> None:
    import threading

    counts: list[int] = []

    def go(i: int) -> None:
        r = customers.put(f"{D}/insert/customer", {"data": [{"login": "same", "age": i}]})
        counts.append(r.json["modifiedCount"])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == [0, 0, 0, 0, 1]
    r = customers.post(f"{D}/find/customer", {"query": {"field": "login", "op": "=", "rvalue": "same"}})
    assert r.json["matchCount"] == 1


def test_id_must_be_a_scalar(customers: Api) -> None:
    r = customers.put(f"{D}/insert/customer", {"data": [{"_id": {"a": 1}, "login": "x1"}, {"_id": True, "login": "x2"},
                                                        {"_id": 7, "login": "x3"}]})
    assert r.json["status"] == "PARTIAL" and r.json["modifiedCount"] == 1
    assert [e["errors"][0]["errorCode"] for e in r.json["dataErrors"]] == ["crud:InvalidEntity"] * 2
    r = customers.post(f"{D}/save/customer", {"data": [{"_id": [1], "login": "x4"}]})
    assert r.json["dataErrors"][0]["errors"][0]["errorCode"] == "crud:InvalidEntity"
    r = customers.post(f"{D}/find/customer", {"query": {"field": "_id", "op": "=", "rvalue": 7},
                                              "projection": {"field": "login"}})
    assert r.json["processed"] == [{"login": "x3"}]
