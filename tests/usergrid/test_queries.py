"""ql over HTTP: every operator, ordering, paging with cursors, bulk update/delete (issue 2, section 4)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

BASE = "/usergrid/acme/sandbox"


def q(api: Any, ql: str, **params: Any) -> Any:
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    r = api.get(f"{BASE}/items?ql={quote(ql)}{extra}")
    assert r.status_code == 200, r.body
    return r.json


def names(body: Any) -> list[str]:
    return [e["name"] for e in body["entities"]]


def seed(api: Any) -> None:
    api.post(f"{BASE}/items", [
        {"name": "milk", "price": 3.25, "color": "White", "desc": "fresh whole milk", "tags": ["dairy", "cold"],
         "location": {"latitude": 37.7749, "longitude": -122.4194}, "stock": True},
        {"name": "bread", "price": 2.5, "color": "brown", "desc": "sourdough loaf", "tags": ["bakery"],
         "location": {"latitude": 37.8044, "longitude": -122.2712}, "stock": False},
        {"name": "cheese", "price": 7, "color": "yellow", "desc": "aged cheddar cheese", "tags": ["dairy"],
         "location": {"latitude": 40.7128, "longitude": -74.0060}, "stock": True},
        {"name": "millet", "price": 4.5, "color": "yellow", "desc": "whole grain", "tags": []},
    ])


def test_listing_is_newest_first_with_count(api: Any, org: dict[str, Any]) -> None:
    seed(api)
    body = api.get(f"{BASE}/items").json
    assert names(body) == ["millet", "cheese", "bread", "milk"] and body["count"] == 4
    assert "cursor" not in body


def test_seed_example_name_or_uuid(api: Any, org: dict[str, Any]) -> None:
    seed(api)
    bread = api.get(f"{BASE}/items/bread").json["entities"][0]
    body = q(api, f"name='milk' OR UUID={bread['uuid']}", limit="")
    assert sorted(names(body)) == ["bread", "milk"] and body["count"] == 2
    assert body["params"]["ql"] == [f"name='milk' OR UUID={bread['uuid']}"]


def test_equality_is_case_insensitive(api: Any, org: dict[str, Any]) -> None:
    seed(api)
    assert names(q(api, "select * where color = 'white'")) == ["milk"]
    assert names(q(api, "color eq 'YELLOW'")) == ["millet", "cheese"]
    assert names(q(api, "stock = true")) == ["cheese", "milk"]
    assert names(q(api, "tags = 'dairy'")) == ["cheese", "milk"]


def test_ranges_and_order(api: Any, org: dict[str, Any]) -> None:
    seed(api)
    assert names(q(api, "price > 3.25")) == ["millet", "cheese"]
    assert names(q(api, "price >= 3.25")) == ["milk", "millet", "cheese"]
    assert names(q(api, "price lt 3.25")) == ["bread"]
    assert names(q(api, "price <= 4.5 and price > 2.5")) == ["milk", "millet"]
    assert names(q(api, "select * where price > 0 order by price desc")) == ["cheese", "millet", "milk", "bread"]
    assert names(q(api, "order by name")) == ["bread", "cheese", "milk", "millet"]
    assert names(q(api, "color = 'yellow' order by price")) == ["millet", "cheese"]
    assert names(q(api, "color = 'yellow' and price > 5")) == ["cheese"]


def test_prefix_contains_within_not(api: Any, org: dict[str, Any]) -> None:
    seed(api)
    assert names(q(api, "name = 'mil*'")) == ["milk", "millet"]
    assert names(q(api, "desc contains 'whole'")) == ["millet", "milk"]
    assert names(q(api, "desc contains 'ched*'")) == ["cheese"]
    assert names(q(api, "location within 1000 of 37.7750, -122.4195")) == ["milk"]
    assert names(q(api, "location within 20000 of 37.7750, -122.4195")) == ["milk", "bread"]
    assert names(q(api, "not color = 'yellow'")) == ["bread", "milk"]
    assert names(q(api, "color = 'yellow' or name = 'milk'")) == ["millet", "cheese", "milk"]


def test_select_fields(api: Any, org: dict[str, Any]) -> None:
    seed(api)
    body = q(api, "select name, price where name = 'milk'")
    assert set(body["entities"][0]) == {"uuid", "type", "name", "price", "metadata"}


def test_cursor_pages_through_exactly_once(api: Any, org: dict[str, Any]) -> None:
    api.post(f"{BASE}/items", [{"name": f"n{i:02d}", "group": "g" if i % 2 else "h", "n": i} for i in range(25)])
    for ql in ("", "group = 'g'", "n >= 3", "order by n desc", "group = 'g' order by n", "n >= 0 or group = 'g'"):
        seen: list[str] = []
        cursor = None
        for _ in range(20):
            extra = f"&cursor={cursor}" if cursor else ""
            body = api.get(f"{BASE}/items?ql={quote(ql)}&limit=4{extra}").json
            seen += names(body)
            cursor = body.get("cursor")
            if not cursor:
                break
        expected = {"": 25, "group = 'g'": 12, "n >= 3": 22, "order by n desc": 25,
                    "group = 'g' order by n": 12, "n >= 0 or group = 'g'": 25}[ql]
        assert len(seen) == expected and len(set(seen)) == expected, (ql, seen)


def test_bad_ql_limit_cursor(api: Any, org: dict[str, Any]) -> None:
    r = api.get(f"{BASE}/items?ql={quote('select * where name = ')}")
    assert r.status_code == 400 and r.json["error"] == "query_parse" and "position" in r.json["error_description"]
    # limit: clamped to 1,000, junk or <= 0 the default (reference 4.5), never an error
    for bad in ("0", "1001", "abc", "-5"):
        assert api.get(f"{BASE}/items?limit={bad}").status_code == 200
    assert api.get(f"{BASE}/items?cursor=garbage!!").status_code == 400


def test_bulk_update_and_delete_by_ql(api: Any, org: dict[str, Any]) -> None:
    seed(api)
    r = api.put(f"{BASE}/items?ql={quote('color = ' + chr(39) + 'yellow' + chr(39))}", {"onsale": True})
    assert r.status_code == 200 and sorted(names(r.json)) == ["cheese", "millet"]
    assert names(q(api, "onsale = true")) == ["millet", "cheese"]
    r = api.delete(f"{BASE}/items?ql={quote('onsale = true')}")
    assert r.status_code == 200 and len(r.json["entities"]) == 2 and "count" not in r.json  # count: GETs only
    assert names(api.get(f"{BASE}/items").json) == ["bread", "milk"]


def test_updates_move_entities_between_index_values(api: Any, org: dict[str, Any]) -> None:
    seed(api)
    api.put(f"{BASE}/items/milk", {"color": "blue", "price": 10})
    assert names(q(api, "color = 'white'")) == []
    assert names(q(api, "color = 'blue'")) == ["milk"]
    assert names(q(api, "price > 9")) == ["milk"]
    api.put(f"{BASE}/items/milk", {"color": None})
    assert names(q(api, "color = 'blue'")) == []
