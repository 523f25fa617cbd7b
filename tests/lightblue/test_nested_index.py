"""Lightblue dotted paths and array paths (`address.city`, `items.*.sku`, `items.0.qty`) read the nested index."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

from .conftest import D, insert

N = 60


def cost(r: Any) -> dict[str, str]:
    return dict(p.split("=", 1) for p in r.headers["X-Request-Cost"].split("; "))


def found(api: Api, query: Any) -> tuple[list[str], dict[str, str]]:
    r = api.post(f"{D}/find/customer", {"query": query, "projection": {"field": "login"}, "sort": {"login": "$asc"}})
    assert r.status_code == 200, r.body
    return [d["login"] for d in r.json["processed"]], cost(r)


def test_nested_paths_read_k_items(customers: Api) -> None:
    docs = [{"login": f"u{i:02}", "address": {"city": "Raleigh" if i % 30 == 0 else "Durham"},
             "items": [{"sku": "rare" if i % 30 == 1 else "common", "qty": i}, {"sku": f"s{i}", "qty": 0}]}
            for i in range(N)]
    assert insert(customers, docs).json["modifiedCount"] == N
    got, c = found(customers, {"field": "address.city", "op": "=", "rvalue": "Raleigh"})
    assert got == ["u00", "u30"] and int(c["items_read"]) <= 8, c
    assert found(customers, {"field": "address.city", "op": "=", "rvalue": "raleigh"})[0] == []  # case-sensitive
    got, c = found(customers, {"field": "items.*.sku", "op": "=", "rvalue": "rare"})
    assert got == ["u01", "u31"] and int(c["items_read"]) <= 8, c
    got, c = found(customers, {"field": "items.0.qty", "op": ">=", "rvalue": 58})
    assert got == ["u58", "u59"] and int(c["items_read"]) <= 8, c
    got, c = found(customers, {"field": "items.1.sku", "op": "$in", "values": ["s7", "s8"]})
    assert got == ["u07", "u08"] and int(c["items_read"]) <= 10, c
    assert found(customers, {"field": "items.1.qty", "op": ">=", "rvalue": 58})[0] == []  # the exact element
