"""Every verb at once (`Connections.list_all`, Usergrid's `/connections` and `/connecting`): the merge
order, cursors that resume across verbs (ties included), bad cursors, and reads that follow the page."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.connections import Connections
from chalicelib.core.errors import InvalidQuery
from chalicelib.storage import meter

APP = "app-conns"


def _rec(svc: Any, coll: str, name: str) -> Any:
    return svc.entities.create_record(APP, coll, {"name": name})


def _pages(conns: Connections, src: Any, verbs: list[str], size: int, **kw: Any) -> list[str]:
    got: list[str] = []
    cursor = None
    for _ in range(100):
        page = conns.list_all(APP, src, verbs, limit=size, cursor=cursor, **kw)
        assert len(page.records) <= size
        got += [r.doc["name"] for r in page.records]
        cursor = page.cursor
        if cursor is None:
            return got
    raise AssertionError("no end")


def test_ties_across_verbs_survive_page_breaks(svc: Any) -> None:
    """One entity connected by three verbs in the same millisecond: three equal sort keys in three
    partitions. The order breaks ties by verb (descending), and a cursor between them resumes the
    lower verbs at that key, so no page loses or repeats one."""
    ann = _rec(svc, "users", "ann")
    items = [_rec(svc, "items", f"i{i}") for i in range(3)]
    clock = iter(range(2_000_000_000_000, 2_000_000_001_000, 1))
    conns = Connections(svc.connections.store, svc.connections.cursors, clock=lambda: next(clock))
    frozen = Connections(svc.connections.store, svc.connections.cursors, clock=lambda: 2_000_000_000_500)
    conns.connect(APP, ann, "likes", items[0])
    for verb in ("likes", "owns", "wants"):
        frozen.connect(APP, ann, verb, items[1])  # all at the same ms
    conns_late = Connections(svc.connections.store, svc.connections.cursors, clock=lambda: 2_000_000_000_900)
    conns_late.connect(APP, ann, "owns", items[2])
    verbs = ["likes", "owns", "wants"]
    full = [r.doc["name"] for r in conns.list_all(APP, ann, verbs, limit=50).records]
    assert full == ["i2", "i1", "i1", "i1", "i0"]
    for size in (1, 2, 3, 4):
        assert _pages(conns, ann, verbs, size) == full, size
    # a verb the entity does not use reads an empty partition: nothing, no error
    assert _pages(conns, ann, [*verbs, "hates"], 2) == full


def test_filters_and_visibility_skip_without_losing_the_place(svc: Any) -> None:
    ann = _rec(svc, "users", "ann")
    for i in range(9):
        svc.connections.connect(APP, ann, ("a", "b", "c")[i % 3], _rec(svc, "items", f"i{i}"))
    hidden = {"i7", "i4", "i3"}
    got = _pages(svc.connections, ann, ["a", "b", "c"], 2, visible=lambda r: r.doc["name"] not in hidden)
    assert got == ["i8", "i6", "i5", "i2", "i1", "i0"]


@pytest.mark.parametrize("state", [["a", 5, "likes"], ["a", "", "likes"], ["a", "x", "BAD VERB"], ["b", "x", "v"],
                                   "t:0000", ["a", "x"], {"a": 1}, ["a", "x" * 2000, "likes"]])
def test_signed_but_wrong_cursors_are_invalid_queries(svc: Any, state: Any) -> None:
    ann = _rec(svc, "users", "ann")
    cursor = svc.connections.cursors.seal(APP, state)
    with pytest.raises(InvalidQuery):
        svc.connections.list_all(APP, ann, ["likes"], cursor=cursor)


def test_a_cursor_of_another_app_is_refused(svc: Any) -> None:
    ann = _rec(svc, "users", "ann")
    svc.connections.connect(APP, ann, "likes", _rec(svc, "items", "i0"))
    svc.connections.connect(APP, ann, "likes", _rec(svc, "items", "i1"))
    cursor = svc.connections.list_all(APP, ann, ["likes"], limit=1).cursor
    assert cursor
    with pytest.raises(InvalidQuery):
        svc.connections.list_all("other-app", ann, ["likes"], cursor=cursor)


def test_reads_follow_the_page_not_the_connections(svc: Any) -> None:
    """A page of k over V verbs reads about k + V*p index entries and k entities, whatever the
    number of connections per verb (planner.py's sharded merge, same bound)."""
    ann = _rec(svc, "users", "ann")
    verbs = [f"v{j}" for j in range(8)]
    targets = [_rec(svc, "items", f"i{i}") for i in range(12)]

    def cost(k: int) -> tuple[int, int, int]:
        m = meter.start()
        got = svc.connections.list_all(APP, ann, verbs, limit=k)
        return len(got.records), m.items_read, m.total_calls

    for verb in verbs:
        svc.connections.connect_new(APP, ann, verb, targets[:3])
    small = cost(5)
    for verb in verbs:
        svc.connections.connect_new(APP, ann, verb, targets[3:])  # 4x the connections per verb
    large = cost(5)
    assert small[0] == large[0] == 5
    # the newest five all in one verb (v7, connected last): its page of p = ceil(5/8 + 2*sqrt(5/8)) + 1
    # = 4 drains and is read once more (8 entries); the other verbs' pages wait. Index entries <= k + (V + 1) * p,
    # entities <= 2 * (k + 2) (a batch per round), against 96 connections.
    assert [r.doc["name"] for r in svc.connections.list_all(APP, ann, verbs, limit=5).records] == [
        "i11", "i10", "i9", "i8", "i7"]
    k, v, p = 5, len(verbs), 4
    assert large[1] <= k + (v + 1) * p + 2 * (k + 2), large
    assert large[2] <= v + 1 + 2, large  # one Query per verb (in parallel), a refill, two BatchGetItems


def test_a_page_stops_with_a_cursor_before_the_call_ceiling(svc: Any) -> None:
    """Everything rejected but one old connection, over 8 verbs, with a 25-call ceiling per request:
    each request hands back a cursor before the ceiling (never OverBudget), and paging finds it."""
    from chalicelib.core import budget

    ann = _rec(svc, "users", "ann")
    verbs = [f"v{j}" for j in range(8)]
    keep = _rec(svc, "items", "keep")
    svc.connections.connect(APP, ann, "v3", keep)
    for verb in verbs:
        svc.connections.connect_new(APP, ann, verb, [_rec(svc, "items", f"{verb}-{i}") for i in range(6)])
    got: list[str] = []
    cursor, requests = None, 0
    while requests < 50:
        requests += 1
        budget.start(budget.Limits(calls=25))
        try:
            page = svc.connections.list_all(APP, ann, verbs, limit=3, cursor=cursor,
                                            visible=lambda r: r.doc["name"] == "keep")
        finally:
            budget.stop()
        got += [r.doc["name"] for r in page.records]
        cursor = page.cursor
        if cursor is None:
            break
    assert got == ["keep"] and requests > 1
