"""The performance promise: a query returning k of N entities reads O(k) items, whatever N."""

from __future__ import annotations

from typing import Any

from chalicelib.core.query import And, Compare, Contains, Prefix, Query, Within
from chalicelib.storage import meter

APP = "app-cost"


def fill(svc: Any, n: int) -> None:
    for i in range(n):
        svc.entities.create(APP, "things", {
            "n": i, "kind": "rare" if i % 50 == 0 else "common", "title": f"word{i} common text",
            "location": {"latitude": 10 + (i % 100) / 10, "longitude": 10 + (i // 100) / 10},
        })


def cost(svc: Any, query: Query) -> tuple[int, int, int]:
    m = meter.start()
    got = svc.executor.run(APP, "things", query).records
    return len(got), m.items_read, m.total_calls


QUERIES = {
    "eq": Query(Compare("kind", "eq", "rare"), limit=3),
    "range": Query(Compare("n", "gte", 20), limit=5),
    "order": Query(None, [("n", True)], limit=5),
    "prefix": Query(Prefix("title", "word1"), limit=5),
    "contains": Query(Contains("title", "word7"), limit=5),
    "and": Query(And((Compare("kind", "eq", "rare"), Compare("n", "gt", 0))), limit=2),
    "list": Query(limit=10),
}


def test_items_read_follow_k_not_n(svc: Any) -> None:
    fill(svc, 60)
    small = {name: cost(svc, q) for name, q in QUERIES.items()}
    fill(svc, 240)  # N grows 5x
    large = {name: cost(svc, q) for name, q in QUERIES.items()}
    for name in QUERIES:
        k_small, read_small, calls_small = small[name]
        k_large, read_large, calls_large = large[name]
        assert k_large >= 1
        # reads are bounded by the page (k entities, their index entries, a small overfetch), not by N
        assert read_large <= 2 * (k_large + 1) + 4, (name, large[name])
        assert calls_large <= 4, (name, large[name])


def test_within_reads_only_nearby_cells(svc: Any) -> None:
    fill(svc, 300)
    got, read, calls = cost(svc, Query(Within("location", 5000, 10.0, 10.0), limit=5))
    assert got >= 1
    # geo reads the points of at most 9 geohash cells around the centre, not the collection
    assert read <= 40 and calls <= 20, (got, read, calls)


def test_get_by_uuid_is_one_getitem(svc: Any) -> None:
    e = svc.entities.create(APP, "things", {"a": 1})
    m = meter.start()
    svc.entities.get(APP, "things", e["uuid"])
    assert m.calls == {"GetItem": 1}
