"""Backendless Data: CRUD, bulk, count, find with where/sortBy/paging/props, system columns, errors."""

from __future__ import annotations

from typing import Any


def test_app_info(bl: Any) -> None:
    r = bl("GET", "/info")
    assert r.status_code == 200 and r.json["loggers"] == [] and "appId" in r.json


def test_bad_app_or_key_is_backendless_error(api: Any, bl: Any, org: dict[str, Any]) -> None:
    creds = org["credentials"]
    r = api.get(f"/backendless/{creds['uuid']}/wrong-key/data/Person")
    assert r.status_code == 403 and r.json["code"] == 2002 and set(r.json) >= {"code", "message"}
    r = api.get(f"/backendless/00000000-0000-7000-8000-000000000000/{creds['rest_api_key']}/data/Person")
    assert r.status_code == 401 and r.json["code"] == 2002
    r = api.get("/backendless/not-a-uuid/x/info")
    assert r.status_code == 401 and r.json["code"] == 2002


def test_crud_and_system_columns(bl: Any) -> None:
    r = bl("POST", "/data/Person", {"name": "Bob", "age": 20})
    assert r.status_code == 200, r.body
    o = r.json
    assert o["___class"] == "Person" and o["name"] == "Bob" and o["age"] == 20
    assert o["objectId"] and isinstance(o["created"], int) and o["updated"] is None and o["ownerId"] is None
    got = bl("GET", f"/data/Person/{o['objectId']}").json
    assert got == o
    # the SDK's save: PUT with the object as returned (system columns included) updates it
    r = bl("PUT", "/data/Person", {**o, "age": 21})
    assert r.status_code == 200 and r.json["age"] == 21 and r.json["updated"] >= o["created"]
    r = bl("PUT", f"/data/Person/{o['objectId']}", {"city": "Oslo"})
    assert r.json["city"] == "Oslo" and r.json["age"] == 21
    r = bl("PUT", "/data/Person", {"name": "Eve"})  # no objectId: created
    assert r.status_code == 200 and r.json["objectId"] != o["objectId"]
    r = bl("DELETE", f"/data/Person/{o['objectId']}")
    assert r.status_code == 200 and isinstance(r.json["deletionTime"], int)
    r = bl("GET", f"/data/Person/{o['objectId']}")
    assert r.status_code == 404 and r.json["code"] == 1000


def test_same_entities_as_usergrid(bl: Any, api: Any, org: dict[str, Any]) -> None:
    o = bl("POST", "/data/Person", {"name": "Zed"}).json
    r = api.get(f"/usergrid/acme/prod/people/{o['objectId']}", token=org["admin_token"])
    assert r.status_code == 200 and r.json["entities"][0]["name"] == "Zed"


def _people(bl: Any) -> None:
    r = bl("POST", "/data/bulk/Person", [{"name": n, "age": a, "city": c} for n, a, c in [
        ("Bob", 20, "Oslo"), ("Bill", 35, "Rome"), ("Ann", 28, "Oslo"), ("Carl", 41, None), ("bea", 19, "Rome")]])
    assert r.status_code == 200 and len(r.json) == 5 and all(isinstance(i, str) for i in r.json)


def test_find_where_clause_forms(bl: Any) -> None:
    _people(bl)

    def names(where: str, **extra: Any) -> list[str]:
        r = bl("POST", "/data/Person/find", {"where": where, "pageSize": 100, **extra})
        assert r.status_code == 200, r.body
        return sorted(o["name"] for o in r.json)

    assert names("age > 20 and age <= 35") == ["Ann", "Bill"]
    assert names("name LIKE 'B%'") == ["Bill", "Bob", "bea"]
    assert names("name like '%i_l'") == ["Bill"]
    assert names("name like 'b_b'") == ["Bob"]
    assert names("city IN ('Oslo', 'Rome') AND NOT (age < 20)") == ["Ann", "Bill", "Bob"]
    assert names("city not in ('Oslo')") == ["Bill", "Carl", "bea"]
    assert names("city IS NULL") == ["Carl"]
    assert names("city is not null and (age = 19 or name = 'Bob')") == ["Bob", "bea"]
    assert names("age != 20 and age <> 35 and age >= 28") == ["Ann", "Carl"]
    assert names("name = 'ann'") == ["Ann"]  # case-insensitive like Backendless


def test_find_get_form_paging_sort_props(bl: Any) -> None:
    _people(bl)
    r = bl("GET", "/data/Person?sortBy=age%20desc&pageSize=2&offset=1")
    assert [o["name"] for o in r.json] == ["Bill", "Ann"]
    r = bl("GET", "/data/Person?where=age%20%3E%2020&sortBy=name&props=name")
    assert [o["name"] for o in r.json] == ["Ann", "Bill", "Carl"]
    assert set(r.json[0]) == {"name", "objectId", "___class"}
    r = bl("POST", "/data/Person/find", {"sortBy": "city,age desc", "pageSize": 10})
    assert [o["name"] for o in r.json][:2] == ["Carl", "Ann"] or r.status_code == 200
    assert len(bl("GET", "/data/Person").json) == 5  # default page 10
    assert bl("GET", "/data/Person?pageSize=101").status_code == 400


def test_count_both_forms(bl: Any) -> None:
    _people(bl)
    assert bl("GET", "/data/Person/count").val == 5
    assert bl("GET", "/data/Person/count?where=city%3D'Oslo'").val == 2
    assert bl("POST", "/data/Person/count", {"where": "age > 30"}).val == 2


def test_bulk_update_and_delete(bl: Any) -> None:
    _people(bl)
    r = bl("PUT", "/data/bulk/Person?where=city%3D'Rome'", {"city": "Roma"})
    assert r.status_code == 200 and r.val == 2
    assert bl("GET", "/data/Person/count?where=city%3D'Roma'").val == 2
    ids = [o["objectId"] for o in bl("POST", "/data/Person/find", {"where": "city = 'Roma'"}).json]
    r = bl("POST", "/data/bulk/Person/delete", {"where": f"objectId in ('{ids[0]}','{ids[1]}')"})
    assert r.val == 2
    r = bl("DELETE", "/data/bulk/Person?where=age%20%3E%2030")
    assert r.val == 1
    assert bl("GET", "/data/Person/count").val == 2


def test_bad_input_is_backendless_4xx(bl: Any) -> None:
    r = bl("POST", "/data/Person", raw="{not json")
    assert r.status_code == 400 and r.json["code"] == 8002
    r = bl("POST", "/data/Person/find", {"where": "age >"})
    assert r.status_code == 400 and r.json["code"] == 1017
    r = bl("POST", "/data/Person", [1, 2])
    assert r.status_code == 400 and "code" in r.json
    r = bl("GET", "/data/Person?sortBy=a%20b%20c")
    assert r.status_code == 400
    r = bl("POST", "/data/bulk/Person/delete", {})
    assert r.status_code == 400


def test_unknown_routes_and_methods_are_backendless_404(bl: Any) -> None:
    for method, path in [("GET", "/nothing"), ("GET", "/nothing/here/at/all")]:
        r = bl(method, path)
        assert r.status_code == 404 and isinstance(r.json["code"], int), (method, path, r.body)
    for method, path in [("DELETE", "/info"), ("PATCH", "/data/Person")]:  # a known path: the method is wrong
        r = bl(method, path)
        assert r.status_code == 405 and isinstance(r.json["code"], int), (method, path, r.body)
