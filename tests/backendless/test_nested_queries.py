"""Backendless where on sub-properties (`address.city = 'x'`) reads the nested index."""

from __future__ import annotations

from typing import Any

N = 60


def test_dotted_where_reads_the_nested_index(bl: Any, org: dict[str, Any]) -> None:
    objs = [{"n": i, "address": {"city": "Raleigh" if i % 30 == 0 else "Durham"}} for i in range(N)]
    r = bl("POST", "/data/bulk/Shop", objs)
    assert r.status_code == 200, r.body
    master = {"master-key": org["credentials"]["master_key"]}  # the cost header is for privileged callers
    r = bl("POST", "/data/Shop/find", {"where": "address.city = 'raleigh'", "sortBy": "n"}, headers=master)
    assert r.status_code == 200, r.body
    assert [o["n"] for o in r.json] == [0, 30]
    c = dict(p.split("=", 1) for p in r.headers["X-Request-Cost"].split("; "))
    assert int(c["items_read"]) <= 8, c
