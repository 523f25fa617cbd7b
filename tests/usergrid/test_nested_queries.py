"""Usergrid ql on sub-properties (`address.city = 'x'`, `items.sku = 'x'`) reads the nested index.

Many non-matching entities, few matching ones: the items read (X-Request-Cost) follow the answer.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

BASE = "/usergrid/acme/sandbox"
N = 80


def cost(r: Any) -> dict[str, str]:
    return dict(p.split("=", 1) for p in r.headers["X-Request-Cost"].split("; "))


def seed(api: Any) -> None:
    docs = [{"name": f"shop{i}", "address": {"city": "Raleigh" if i % 40 == 0 else "Durham", "zip": f"{27000 + i}"},
             "items": [{"sku": "rare" if i % 40 == 1 else f"s{i % 9}", "qty": i}]} for i in range(N)]
    r = api.post(f"{BASE}/shops", docs)
    assert r.status_code == 200, r.body


def q(api: Any, ql: str, limit: int = 10) -> tuple[list[str], dict[str, str]]:
    r = api.get(f"{BASE}/shops?ql={quote(ql)}&limit={limit}")
    assert r.status_code == 200, r.body
    return [e["name"] for e in r.json["entities"]], cost(r)


def test_dotted_path_queries_read_the_nested_index(api: Any, org: dict[str, Any]) -> None:
    seed(api)
    got, c = q(api, "select * where address.city = 'raleigh'")
    assert sorted(got) == ["shop0", "shop40"]
    assert int(c["items_read"]) <= 8 and "Scan" not in c["ops"], c  # 2 entries + 2 entities (+ an empty page)
    got, c = q(api, "items.sku = 'rare'")  # walks through the array, as Usergrid does
    assert sorted(got) == ["shop1", "shop41"] and int(c["items_read"]) <= 8, c
    got, c = q(api, "address.zip >= '27078' order by address.zip desc", limit=3)
    assert got == ["shop79", "shop78"] and int(c["items_read"]) <= 8, c
    got, c = q(api, "address.city = 'Durham' and items.qty > 75", limit=2)
    assert sorted(got) == ["shop78", "shop79"]  # read through one index, the other term verified
    got, c = q(api, "items.qty >= 70 order by items.qty", limit=3)
    assert got == ["shop70", "shop71", "shop72"] and int(c["items_read"]) <= 10, c


def test_updating_a_nested_leaf_moves_the_entity(api: Any, org: dict[str, Any]) -> None:
    seed(api)
    r = api.put(f"{BASE}/shops/shop0", {"address": {"city": "Cary", "zip": "27000"}})
    assert r.status_code == 200, r.body
    assert q(api, "address.city = 'Raleigh'")[0] == ["shop40"]
    assert q(api, "address.city = 'Cary'")[0] == ["shop0"]
