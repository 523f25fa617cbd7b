"""Entities exactly as seeds 000/001: create, get by uuid or name, update, delete, envelope, errors."""

from __future__ import annotations

import json
from typing import Any

BASE = "/usergrid/acme/sandbox"
ENVELOPE = {"action", "application", "params", "path", "uri", "entities", "timestamp", "duration",
            "organization", "applicationName"}


def test_create_by_type_goes_to_plural_collection(api: Any, org: dict[str, Any]) -> None:
    r = api.post(f"{BASE}/item", {"name": "milk", "price": "3.25"})
    assert r.status_code == 200
    body = r.json
    assert ENVELOPE <= set(body)
    assert body["action"] == "post" and body["path"] == "/items"
    assert body["organization"] == "acme" and body["applicationName"] == "sandbox"
    assert body["uri"].endswith("/acme/sandbox/items")
    e = body["entities"][0]
    assert e["type"] == "item" and e["name"] == "milk" and e["price"] == "3.25"
    assert e["created"] == e["modified"] and isinstance(e["created"], int)
    assert e["metadata"] == {"path": f"/items/{e['uuid']}"}
    got = api.get(f"{BASE}/items/{e['uuid']}").json["entities"][0]
    assert got["uuid"] == e["uuid"]


def test_irregular_plural(api: Any, org: dict[str, Any]) -> None:
    r = api.post(f"{BASE}/person", {"name": "ada"})
    assert r.json["path"] == "/people" and r.json["entities"][0]["type"] == "person"
    assert api.get(f"{BASE}/people/ada").status_code == 200


def test_create_many(api: Any, org: dict[str, Any]) -> None:
    r = api.post(f"{BASE}/item", [{"name": "milk", "price": "3.25"}, {"name": "bread", "price": "2.50"}])
    assert r.status_code == 200
    assert [e["name"] for e in r.json["entities"]] == ["milk", "bread"]


def test_sub_properties_and_get_by_name(api: Any, org: dict[str, Any]) -> None:
    varieties = [{"name": "1%", "price": "3.25", "sku": "0393847575533445"},
                 {"name": "whole", "price": "3.85", "sku": "0393394956788445"}]
    api.post(f"{BASE}/items", {"name": "milk", "varieties": varieties})
    r = api.get(f"{BASE}/items/milk")
    assert r.status_code == 200 and r.json["entities"][0]["varieties"] == varieties
    assert r.json["action"] == "get"


def test_update_merges_top_level_and_replaces_nested(api: Any, org: dict[str, Any]) -> None:
    e = api.post(f"{BASE}/items", {"name": "milk", "price": "3.25", "varieties": [{"name": "1%"}, {"name": "skim"}],
                                   "dims": {"w": 1, "h": 2}}).json["entities"][0]
    r = api.put(f"{BASE}/items/milk", {"price": "4.00", "availability": "in-stock", "dims": {"w": 5}})
    assert r.status_code == 200 and r.json["action"] == "put"
    u = r.json["entities"][0]
    assert u["price"] == "4.00" and u["availability"] == "in-stock" and u["name"] == "milk"
    assert u["dims"] == {"w": 5} and u["varieties"] == [{"name": "1%"}, {"name": "skim"}]
    assert u["modified"] > e["modified"] and u["created"] == e["created"]
    r = api.put(f"{BASE}/items/{e['uuid']}", {"varieties": [{"name": "whole"}]})
    assert r.json["entities"][0]["varieties"] == [{"name": "whole"}]
    # null removes a property
    r = api.put(f"{BASE}/items/milk", {"availability": None})
    assert "availability" not in r.json["entities"][0]


def test_delete_returns_entity(api: Any, org: dict[str, Any]) -> None:
    e = api.post(f"{BASE}/items", {"name": "milk", "price": "3.25"}).json["entities"][0]
    r = api.delete(f"{BASE}/items/milk")
    assert r.status_code == 200 and r.json["action"] == "delete"
    assert r.json["entities"][0]["uuid"] == e["uuid"]
    r = api.get(f"{BASE}/items/{e['uuid']}")
    assert r.status_code == 404 and r.json["error"] == "entity_not_found"
    assert {"error", "error_description", "timestamp", "duration", "exception"} <= set(r.json)
    # the name is free again
    assert api.post(f"{BASE}/items", {"name": "milk"}).status_code == 200


def test_duplicate_name(api: Any, org: dict[str, Any]) -> None:
    assert api.post(f"{BASE}/items", {"name": "milk"}).status_code == 200
    r = api.post(f"{BASE}/items", {"name": "MILK"})
    assert r.status_code == 400 and r.json["error"] == "duplicate_unique_property_exists"
    other = api.post(f"{BASE}/items", {"name": "bread"}).json["entities"][0]
    r = api.put(f"{BASE}/items/{other['uuid']}", {"name": "milk"})
    assert r.status_code == 400 and r.json["error"] == "duplicate_unique_property_exists"
    # renaming frees the old name
    assert api.put(f"{BASE}/items/bread", {"name": "rye"}).status_code == 200
    assert api.post(f"{BASE}/items", {"name": "bread"}).status_code == 200
    assert api.get(f"{BASE}/items/rye").json["entities"][0]["uuid"] == other["uuid"]


def test_same_name_in_other_collection_is_fine(api: Any, org: dict[str, Any]) -> None:
    assert api.post(f"{BASE}/items", {"name": "x"}).status_code == 200
    assert api.post(f"{BASE}/dogs", {"name": "x"}).status_code == 200


def test_entity_of_other_collection_is_not_found(api: Any, org: dict[str, Any]) -> None:
    e = api.post(f"{BASE}/items", {"name": "milk"}).json["entities"][0]
    assert api.get(f"{BASE}/dogs/{e['uuid']}").status_code == 404


def test_bad_inputs_are_4xx_and_write_nothing(api: Any, org: dict[str, Any]) -> None:
    r = api.post(f"{BASE}/items", raw="{not json")
    assert r.status_code == 400 and r.json["error"] == "json_parse"
    r = api.post(f"{BASE}/items", raw="42")
    assert r.status_code == 400 and r.json["error"] == "illegal_argument"
    r = api.post(f"{BASE}/items", {"bad name!": 1})
    assert r.status_code == 400 and r.json["error"] == "illegal_argument"
    r = api.post(f"{BASE}/items", {"__internal": 1})
    assert r.status_code == 400
    r = api.post(f"{BASE}/items", raw=json.dumps({"blob": "x" * 1_100_000}))
    assert r.status_code == 413
    r = api.post(f"{BASE}/items", {"blob": "x" * 400_000})
    assert r.status_code == 413
    r = api.post(f"{BASE}/bad$coll", {"a": 1})
    assert r.status_code == 400
    r = api.put(f"{BASE}/items/nothere", {"a": 1})
    assert r.status_code == 404
    r = api.post(f"{BASE}/users", {"name": "no username"})
    assert r.status_code == 400
    assert api.get(f"{BASE}/items").json["entities"] == []


def test_system_properties_sent_back_are_ignored(api: Any, org: dict[str, Any]) -> None:
    e = api.post(f"{BASE}/items", {"name": "milk"}).json["entities"][0]
    r = api.put(f"{BASE}/items/milk", {**e, "uuid": "11111111-1111-1111-1111-111111111111", "created": 1, "color": "w"})
    assert r.status_code == 200
    u = r.json["entities"][0]
    assert u["uuid"] == e["uuid"] and u["created"] == e["created"] and u["color"] == "w"


def test_cost_header(api: Any, org: dict[str, Any]) -> None:
    r = api.post(f"{BASE}/items", {"name": "milk"})
    cost = r.headers["X-Request-Cost"]
    assert "calls=" in cost and "wcu=" in cost and "PutItem" in cost
    r = api.get(f"{BASE}/items/milk")
    assert "GetItem" in r.headers["X-Request-Cost"]


def test_users_collection(api: Any, org: dict[str, Any]) -> None:
    r = api.post(f"{BASE}/users", {"username": "john.doe", "email": "john@x.test", "name": "John Doe", "password": "pw"})
    assert r.status_code == 200
    u = r.json["entities"][0]
    assert u["type"] == "user" and u["activated"] is True and "password" not in u
    assert api.get(f"{BASE}/users/john.doe").json["entities"][0]["uuid"] == u["uuid"]
    r = api.post(f"{BASE}/users", {"username": "jd2", "email": "JOHN@x.test", "password": "pw"})
    assert r.status_code == 400 and r.json["error"] == "duplicate_unique_property_exists"
    r = api.get(f"{BASE}/users")
    assert all("password" not in e for e in r.json["entities"])


def test_application_lists_default_collections(api: Any, org: dict[str, Any]) -> None:
    r = api.get(BASE)
    assert r.status_code == 200
    app = r.json["entities"][0]
    assert app["type"] == "application" and app["uuid"] == r.json["application"]
    assert {"users", "groups", "roles", "activities", "devices", "assets", "folders", "events", "notifiers",
            "notifications", "receipts", "applications"} <= set(app["metadata"]["collections"])
    # default types are ordinary collections with their Usergrid names
    r = api.post(f"{BASE}/device", {"name": "phone-1", "deviceModel": "x1"})
    assert r.json["path"] == "/devices" and r.json["entities"][0]["type"] == "device"
    r = api.post(f"{BASE}/notifier", {"name": "apple-dev", "provider": "apple", "environment": "development"})
    assert r.status_code == 200 and r.json["entities"][0]["provider"] == "apple"


def test_application_lists_the_apps_own_collections(api: Any, org: dict[str, Any]) -> None:
    """As Usergrid's application entity does; the list is one Query (no Scan), kept on first create."""
    assert api.post(f"{BASE}/widgets", {"name": "w1"}).status_code == 200
    assert api.post(f"{BASE}/gizmo", {"name": "g1"}).status_code == 200
    colls = api.get(BASE).json["entities"][0]["metadata"]["collections"]
    assert colls["widgets"] == {"title": "Widgets", "type": "widget", "name": "widgets"}
    assert "gizmos" in colls and "users" in colls
