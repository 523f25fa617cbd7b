"""Metadata routes: create entity and versions, list, read, status, default version, errors, auth."""

from __future__ import annotations

import copy
from typing import Any

from tests.conftest import Api

from .conftest import USER_META, D, M


def v2() -> dict[str, Any]:
    meta = copy.deepcopy(USER_META)
    meta["schema"]["version"] = {"value": "2.0.0", "changelog": "age required"}
    meta["schema"]["fields"]["age"]["constraints"]["required"] = True
    return {"schema": meta["schema"]}


def test_create_list_and_read_versions(customers: Api) -> None:
    got = customers.get(f"{M}/customer/1.0.0")
    assert got.status_code == 200
    assert got.json["entityInfo"]["datastore"] == USER_META["entityInfo"]["datastore"]  # kept, whatever it names
    assert got.json["entityInfo"]["indexes"] == USER_META["entityInfo"]["indexes"]
    assert got.json["schema"]["fields"]["login"]["constraints"]["minLength"] == 2
    r = customers.put(f"{M}/customer/2.0.0", v2())
    assert r.status_code == 200 and r.json["schema"]["version"]["value"] == "2.0.0"
    assert customers.get(M).json == {"entities": ["customer"]}
    versions = customers.get(f"{M}/customer").json
    assert [(v["version"], v["status"], v["defaultVersion"]) for v in versions] == [
        ("1.0.0", "active", True), ("2.0.0", "active", False)]
    dup = customers.put(f"{M}/customer/2.0.0", v2())
    assert dup.status_code == 409 and dup.json["errors"][0]["errorCode"] == "metadata:DuplicateSchema"


def test_versions_drive_validation_status_and_default(customers: Api) -> None:
    customers.put(f"{M}/customer/2.0.0", v2())
    body = {"entity": "customer", "data": [{"login": "ann"}]}
    assert customers.put(f"{D}/insert/customer", body).json["status"] == "COMPLETE"  # default 1.0.0
    r = customers.put(f"{D}/insert/customer/2.0.0", {**body, "data": [{"login": "bob"}]})
    assert r.json["status"] == "ERROR" and r.json["dataErrors"][0]["errors"][0]["errorCode"] == "crud:Required"
    r = customers.put(f"{D}/insert/customer", {**body, "entityVersion": "2.0.0", "data": [{"login": "cy"}]})
    assert r.json["dataErrors"][0]["errors"][0]["errorCode"] == "crud:Required"
    r = customers.post(f"{M}/customer/2.0.0/default")
    assert r.status_code == 200 and r.json["entityInfo"]["defaultVersion"] == "2.0.0"
    r = customers.put(f"{D}/insert/customer", {**body, "data": [{"login": "dee"}]})
    assert r.json["dataErrors"][0]["errors"][0]["errorCode"] == "crud:Required"
    r = customers.put(f"{M}/customer/1.0.0/deprecated?comment=old")
    assert r.status_code == 200 and r.json["schema"]["status"]["value"] == "deprecated"
    assert r.json["schema"]["status"]["log"][-1]["comment"] == "old"
    assert customers.put(f"{D}/insert/customer/1.0.0", {**body, "data": [{"login": "eve"}]}).json["status"] == "COMPLETE"
    customers.put(f"{M}/customer/1.0.0/disabled")
    r = customers.put(f"{D}/insert/customer/1.0.0", {**body, "data": [{"login": "fay"}]})
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "mongo-metadata:DisabledVersion"
    r = customers.put(f"{M}/customer/2.0.0/disabled")
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "mongo-metadata:DisabledDefaultVersion"
    r = customers.put(f"{M}/customer/2.0.0/retired")
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "metadata:ParseInvalidStatus"
    r = customers.delete(f"{M}/customer/default")
    assert r.status_code == 200 and r.json["name"] == "customer" and "defaultVersion" not in r.json  # entityInfo


def test_metadata_errors(lb: Api) -> None:
    r = lb.get(f"{M}/nothing")
    assert r.status_code == 404 and r.json["status"] == "ERROR"
    assert r.json["errors"][0] == {"objectType": "error", "context": r.json["errors"][0]["context"],
                                   "errorCode": "crud:UnknownEntity", "msg": "Unknown entity: nothing"}
    r = lb.put(f"{M}/customer/1.0.0", {**USER_META, "entityInfo": {**USER_META["entityInfo"], "name": "other"}})
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "rest-metadata:NoNameMatch"
    r = lb.put(f"{M}/customer/9.9.9", USER_META)
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "rest-metadata:NoVersionMatch"
    r = lb.put(f"{M}/customer/1.0.0", raw="{not json")
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "rest-crud:IllFormedRequest"
    bad = copy.deepcopy(USER_META)
    bad["schema"]["fields"]["age"]["type"] = "number"
    r = lb.put(f"{M}/customer/1.0.0", bad)
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "metadata:InvalidType"
    assert lb.get(M).json == {"entities": []}  # nothing ill-formed landed
    lb.put(f"{M}/customer/1.0.0", USER_META)
    r = lb.get(f"{M}/customer/3.0.0")
    assert r.status_code == 404 and r.json["errors"][0]["errorCode"] == "mongo-metadata:UnknownVersion"


def test_auth(api: Api, org: dict[str, Any], lb: Api) -> None:
    r = api.get(M)
    assert r.status_code == 401 and r.json["status"] == "ERROR" and r.json["errors"][0]["objectType"] == "error"
    assert api.get(M, token="bogus").status_code == 401
    admin = Api(api.c, org["admin_token"])
    r = admin.get(M)
    assert r.status_code == 400 and r.json["errors"][0]["errorCode"] == "rest-crud:NoApplication"
    app_id = org["credentials"]["uuid"]
    assert admin.put(f"{M}/customer/1.0.0", USER_META, headers={"X-App-Id": app_id}).status_code == 200
    assert lb.get(M).json == {"entities": ["customer"]}  # the admin's X-App-Id selected acme/prod
    # an app user may read metadata and data, not change metadata
    api.post("/usergrid/acme/prod/users", {"username": "ann", "password": "pw-ann"}, token=org["admin_token"])
    tok = api.post("/usergrid/acme/prod/token", {"grant_type": "password", "username": "ann",
                                                 "password": "pw-ann"}).json["access_token"]
    user = Api(api.c, tok)
    assert user.get(f"{M}/customer").status_code == 200
    r = user.put(f"{M}/customer/2.0.0", v2())
    assert r.status_code == 403 and r.json["errors"][0]["errorCode"] == "metadata:AuthFailed"
    r = user.put(f"{D}/insert/customer", {"entity": "customer", "data": [{"login": "ann"}]})
    assert r.status_code == 200 and r.json["modifiedCount"] == 1


def test_entity_info_parts_the_server_reads_are_checked(lb: Api) -> None:
    for key, value in (("enums", True), ("enums", [{"name": "x"}]), ("indexes", 3), ("indexes", [{"fields": []}]),
                       ("indexes", [{"fields": ["a"], "unique": "yes"}]), ("defaultVersion", 1)):
        meta = copy.deepcopy(USER_META)
        meta["entityInfo"][key] = value
        r = lb.put(f"{M}/customer/1.0.0", meta)
        assert r.status_code == 400 and r.json["errors"][0]["errorCode"].startswith("metadata:"), (key, value)
    meta = copy.deepcopy(USER_META)
    meta["entityInfo"]["datastore"] = {"backend": "rdbms", "anything": [1, {"goes": True}]}  # kept as given
    assert lb.put(f"{M}/customer/1.0.0", meta).status_code == 200
    assert lb.put(f"{M}/customer", {"name": "customer", "indexes": "no"}).status_code == 400
