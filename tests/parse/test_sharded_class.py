"""A Parse class in a sharded collection (issue 15, hot partitions): queries, order, skip/limit paging and
counts answer as before, with objects written before and after the switch."""

from __future__ import annotations

from typing import Any

from chalicelib.core import layouts
from chalicelib.core.ids import now_ms
from chalicelib.core.query import Query

from .conftest import Parse


def test_queries_order_skip_and_count_across_shards(rest: Parse, api: Any, org: dict[str, Any]) -> None:
    from chalicelib.bootstrap import services

    for i in range(6):
        assert rest.post("classes/GameScore", {"name": f"s{i}", "score": i, "team": "ab"[i % 2]}).status_code == 201
    r = api.put("/usergrid/management/orgs/acme/apps/prod/collections/GameScore/shards", {"shards": 4},
                token=org["admin_token"])
    assert r.status_code == 200 and r.json["collection"] == "gamescores", r.body
    svc = services()
    real = svc.layouts.clock
    svc.layouts.clock = lambda: now_ms() + int(layouts.CACHE_S * 1000) + 2000
    try:
        for i in range(6, 12):
            assert rest.post("classes/GameScore", {"name": f"s{i}", "score": i, "team": "ab"[i % 2]}).status_code == 201
        page = svc.executor.run(org["credentials"]["uuid"], "gamescores", Query(limit=20))
        assert sorted({r.shards for r in page.records}) == [1, 4]  # both layouts hold objects
        every = [f"s{i}" for i in range(12)]
        got = [o["name"] for o in rest.find("GameScore", order="score", limit=5)]
        got += [o["name"] for o in rest.find("GameScore", order="score", limit=5, skip=5)]
        got += [o["name"] for o in rest.find("GameScore", order="score", limit=5, skip=10)]
        assert got == every
        assert [o["name"] for o in rest.find("GameScore", order="-createdAt", limit=3)] == every[::-1][:3]
        assert sorted(o["name"] for o in rest.find("GameScore", {"team": "a"})) == sorted(every[0::2])
        assert [o["name"] for o in rest.find("GameScore", {"score": {"$gte": 4, "$lt": 8}}, order="-score")] == \
            ["s7", "s6", "s5", "s4"]
        r = rest.get("classes/GameScore", params={"count": 1, "limit": 0, "where": {"team": "b"}}, master=True)
        assert r.status_code == 200 and r.json["count"] == 6, r.body
        r = rest.get("classes/GameScore", params={"count": 1, "limit": 0}, master=True)
        assert r.json["count"] == 12
    finally:
        svc.layouts.clock = real
