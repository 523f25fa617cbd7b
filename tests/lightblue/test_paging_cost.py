"""Paging a whole collection reads the page, not the collection; the count is DynamoDB's."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

from .conftest import D

N = 1_205  # past EXACT_COUNT (1,000), where an unsorted find stops reading everything


def _cost(r: Any) -> dict[str, str]:
    return dict(p.split("=", 1) for p in r.headers["X-Request-Cost"].split("; "))


def test_unsorted_page_of_a_big_collection_reads_only_the_page(customers: Api) -> None:
    for start in range(0, N, 200):
        r = customers.put(f"{D}/insert/customer", {"data": [{"login": f"u{i}", "age": i % 90}
                                                            for i in range(start, min(N, start + 200))]})
        assert r.json["status"] == "COMPLETE", r.body
    r = customers.post(f"{D}/find/customer", {"projection": {"field": "login"}, "range": [10, 19]})
    assert r.json["matchCount"] == N and len(r.json["processed"]) == 10
    fast = _cost(r)
    # the count pages through small index items (Select=COUNT): items_read counts them, RCU shows their size
    assert int(fast["calls"]) <= 6 and "BatchGetItem:1" in fast["ops"], fast
    newest_first = [f"u{i}" for i in range(N - 11, N - 21, -1)]
    assert [d["login"] for d in r.json["processed"]] == newest_first  # as the full read orders them
    r = customers.post(f"{D}/find/customer", {"projection": {"field": "login"}, "from": 1200, "maxResults": 10})
    assert r.json["matchCount"] == N and [d["login"] for d in r.json["processed"]] == [f"u{i}" for i in range(4, -1, -1)]
    full = customers.post(f"{D}/find/customer", {"projection": {"field": "login"}, "range": [10, 19],
                                                 "sort": {"_id": "$desc"}})  # a sort reads the whole match
    assert full.json["matchCount"] == N
    assert float(fast["rcu"]) * 10 < float(_cost(full)["rcu"]), (fast, _cost(full))
    # a query still reads the whole match, so the count stays exact
    r = customers.post(f"{D}/find/customer", {"query": {"field": "age", "op": "=", "rvalue": 7},
                                              "projection": {"field": "login"}, "range": [0, 1]})
    assert r.json["matchCount"] == len([i for i in range(N) if i % 90 == 7])
