"""BEA (Parse-style) where on dotted keys (`{"address.city": ...}`) reads the nested index."""

from __future__ import annotations

from typing import Any

N = 60


def test_dotted_keys_read_the_nested_index(bea: Any, org: dict[str, Any]) -> None:
    for i in range(N):
        r = bea.post("Shop", {"n": i, "address": {"city": "Raleigh" if i % 30 == 0 else "Durham"},
                              "items": [{"sku": "rare" if i % 30 == 1 else "common", "qty": i}]})
        assert r.status_code == 201, r.body

    def q(where: Any) -> tuple[list[int], dict[str, str]]:
        master = {"X-BEA-Master-Key": org["credentials"]["master_key"]}  # cost: privileged callers only
        r = bea.get("Shop", params={"where": where, "order": "n"}, headers=master)
        assert r.status_code == 200, r.body
        return [o["n"] for o in r.json["results"]], dict(p.split("=", 1) for p in r.headers["X-Request-Cost"].split("; "))

    got, c = q({"address.city": "Raleigh"})
    assert got == [0, 30] and int(c["items_read"]) <= 8, c
    assert q({"address.city": "raleigh"})[0] == []  # a bare value is exact, as in Parse
    got, c = q({"items.sku": "rare"})  # Parse walks arrays of objects with dotted keys
    assert got == [1, 31] and int(c["items_read"]) <= 8, c
    got, c = q({"items.qty": {"gte": 58}})
    assert got == [58, 59] and int(c["items_read"]) <= 8, c
