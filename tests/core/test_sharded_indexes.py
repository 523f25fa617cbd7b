"""Sharded indexes (issue 15, hot partitions): a collection's index entries spread over S partition keys,
readers merging them; every query form, order, cursor and count as unsharded; old entries readable; the
migration; concurrent writers during it; reads bounded by the page."""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.core import budget, indexing, layouts
from chalicelib.core.errors import Conflict, InvalidInput, InvalidQuery
from chalicelib.core.ids import now_ms
from chalicelib.core.query import And, Compare, Contains, Exists, In, Or, Prefix, Query, Within
from chalicelib.storage.models import IndexModel

APP = "app-s"
S = 4


@pytest.fixture
def clock(svc: Any) -> Iterator[list[int]]:
    """The layouts' wall clock, movable: tests jump past the switch instead of waiting CACHE_S."""
    offset = [0]
    real, stamps = svc.layouts.clock, svc.entities.clock
    svc.layouts.clock = lambda: now_ms() + offset[0]
    ticks = itertools.count(now_ms())
    svc.entities.clock = lambda: next(ticks)  # one ms per write: `created` orders are strict
    yield offset
    svc.layouts.clock, svc.entities.clock = real, stamps


def shard(svc: Any, clock: list[int], coll: str = "items", shards: int = S) -> None:
    """Switch `coll` to `shards` and move past the switch and the migration's grace."""
    svc.layouts.set_shards(APP, coll, shards)
    clock[0] += int(layouts.CACHE_S * 1000) + layouts.GRACE_MS + 2000


def seed(svc: Any, n: int, start: int = 0, coll: str = "items") -> list[dict[str, Any]]:
    colors = ["red", "green", "blue"]
    out = []
    for i in range(start, start + n):
        out.append(svc.entities.create(APP, coll, {
            "name": f"n{i:02d}", "n": i, "color": colors[i % 3], "title": f"shared words {colors[i % 3]} {i}",
            "tags": [colors[i % 3], "all"], "location": {"latitude": 10 + i * 0.001, "longitude": 20.0}}))
    return out


def entries(uuid: str | None = None) -> list[tuple[str, str]]:
    """Every index item (a test may Scan; the app never does)."""
    return [(i.pk, i.sk) for i in IndexModel.scan() if uuid is None or f"{indexing.SEP}{uuid}{indexing.SEP}" in i.sk]


def walk(svc: Any, query: Query, coll: str = "items") -> list[str]:
    """Every name of a query, page by page through its cursor."""
    names: list[str] = []
    cursor = None
    for _ in range(100):
        query.cursor = cursor
        page = svc.executor.run(APP, coll, query)
        names += [r.doc["name"] for r in page.records]
        cursor = page.cursor
        if cursor is None:
            return names
    raise AssertionError("cursor never ended")


def test_default_layout_is_unsharded_and_unchanged(svc: Any) -> None:
    e = seed(svc, 1)[0]
    assert {pk.split("#", 2)[2] for pk, _ in entries(e["uuid"])} >= {"created", "modified", "color", "n"}
    assert svc.entities.store.get(APP, e["uuid"]).shards == 1


def test_entries_spread_over_shards_and_each_entity_in_one(svc: Any, clock: list[int]) -> None:
    shard(svc, clock)
    made = seed(svc, 12)
    used = set()
    for e in made:
        parts = {pk.split("#", 2)[2] for pk, _ in entries(e["uuid"])}
        want = indexing.shard_name("created", e["uuid"], S)
        assert want in parts and all(p.endswith("/" + str(S)) for p in parts)
        assert len({p.rsplit("#", 1)[1] for p in parts}) == 1  # every entry of one entity in one shard
        used.add(want)
        assert svc.entities.store.get(APP, e["uuid"]).shards == S
    assert len(used) > 1


@pytest.mark.parametrize("desc", [False, True])
def test_order_and_cursor_across_shards(svc: Any, clock: list[int], desc: bool) -> None:
    shard(svc, clock)
    seed(svc, 20)
    expected = [f"n{i:02d}" for i in (range(19, -1, -1) if desc else range(20))]
    assert walk(svc, Query(order=[("n", desc)], limit=3)) == expected
    assert walk(svc, Query(order=[("created", desc)], limit=7)) == expected
    assert walk(svc, Query(order=[("modified", desc)], limit=5)) == expected
    assert walk(svc, Query(Compare("n", "gte", 5), order=[("n", desc)], limit=4)) == [x for x in expected
                                                                                    if int(x[1:]) >= 5]


def test_every_query_form_across_shards(svc: Any, clock: list[int]) -> None:
    shard(svc, clock)
    seed(svc, 18)

    def names(where: Any, **kw: Any) -> list[str]:
        return sorted(walk(svc, Query(where, limit=4, **kw)))

    reds = sorted(f"n{i:02d}" for i in range(18) if i % 3 == 0)
    assert names(Compare("color", "eq", "red")) == reds
    assert names(Compare("color", "eq", "RED")) == reds  # case-insensitive as ever
    assert names(And((Compare("n", "gt", 3), Compare("n", "lt", 8)))) == ["n04", "n05", "n06", "n07"]
    assert names(Compare("n", "lte", 2)) == ["n00", "n01", "n02"]
    assert names(Contains("title", "blue")) == sorted(f"n{i:02d}" for i in range(18) if i % 3 == 2)
    assert len(names(Contains("title", "shared"))) == 18
    assert names(Contains("title", "gre*")) == sorted(f"n{i:02d}" for i in range(18) if i % 3 == 1)
    assert names(Prefix("name", "n1")) == [f"n{i}" for i in range(10, 18)]
    assert names(In("n", (1, 5, 17, 99))) == ["n01", "n05", "n17"]
    assert names(Or((Compare("n", "eq", 0), Compare("color", "eq", "blue")))) == sorted(
        ["n00"] + [f"n{i:02d}" for i in range(18) if i % 3 == 2])
    assert names(Compare("tags", "eq", "all")) == [f"n{i:02d}" for i in range(18)]  # multi-valued
    assert len(names(Exists("color"))) == 18
    near = names(Within("location", 600, 10.0, 20.0))  # ~111 m per 0.001 degree: n00..n05
    assert near == [f"n{i:02d}" for i in range(6)]
    ordered = walk(svc, Query(Compare("color", "eq", "green"), order=[("n", True)], limit=2))
    assert ordered == [f"n{i:02d}" for i in range(16, -1, -3)]
    assert walk(svc, Query(Compare("uuid", "eq", "not-a-uuid"))) == []


def test_counts_sum_over_shards(svc: Any, clock: list[int]) -> None:
    seed(svc, 5)  # unsharded entries are counted too
    shard(svc, clock)
    seed(svc, 9, start=5)
    assert svc.executor.count(APP, "items") == 14
    assert svc.executor.count(APP, "items", Compare("n", "eq", 7)) == 1
    assert svc.executor.count(APP, "items", Compare("n", "eq", 3)) == 1


def test_public_counts_sum_over_shards_and_an_acl_flip_moves_every_entry(svc: Any, clock: list[int]) -> None:
    """A REST key's count (entries flagged readable by anyone) across the unsharded and sharded layouts."""
    seed(svc, 3)
    private = svc.entities.create(APP, "items", {"n": 100}, acl={"u1": {"read": True}})
    shard(svc, clock)
    seed(svc, 4, start=3)
    svc.entities.create(APP, "items", {"n": 101}, acl={"u1": {"read": True}})
    assert svc.executor.count(APP, "items", public_only=True) == 7
    assert svc.executor.count(APP, "items") == 9
    svc.entities.update(APP, "items", private["uuid"], {}, acl={"*": {"read": True}})
    assert svc.executor.count(APP, "items", public_only=True) == 8
    assert svc.executor.count(APP, "items", Compare("n", "eq", 100), public_only=True) == 1
    assert svc.executor.count(APP, "items") == 9


def test_update_and_delete_remove_the_right_entries(svc: Any, clock: list[int]) -> None:
    shard(svc, clock)
    e = seed(svc, 3)[1]
    svc.entities.update(APP, "items", e["uuid"], {"color": "purple"})
    keys = entries(e["uuid"])
    color = indexing.shard_name("color", e["uuid"], S)
    assert [sk.split(indexing.SEP)[0] for pk, sk in keys if pk.endswith("#" + color)] == ["spurple"]
    assert walk(svc, Query(Compare("color", "eq", "green"))) == []
    assert walk(svc, Query(Compare("color", "eq", "purple"))) == ["n01"]
    svc.entities.delete(APP, "items", e["uuid"])
    assert entries(e["uuid"]) == []
    assert walk(svc, Query(order=[("n", False)])) == ["n00", "n02"]


def test_old_entries_stay_readable_after_switching(svc: Any, clock: list[int]) -> None:
    old = seed(svc, 8)
    shard(svc, clock)
    seed(svc, 8, start=8)
    assert svc.executor.layouts(APP, "items") == (1, S)
    assert walk(svc, Query(order=[("n", False)], limit=3)) == [f"n{i:02d}" for i in range(16)]
    assert sorted(walk(svc, Query(Compare("color", "eq", "red"), limit=2))) == [
        f"n{i:02d}" for i in range(16) if i % 3 == 0]
    # an update of an old entity moves all of its entries to its shard, deleting the unsharded ones
    svc.entities.update(APP, "items", old[0]["uuid"], {"extra": 1})
    parts = {pk.split("#", 2)[2] for pk, _ in entries(old[0]["uuid"])}
    assert all(p.endswith(f"/{S}") for p in parts) and svc.entities.store.get(APP, old[0]["uuid"]).shards == S
    assert walk(svc, Query(order=[("n", True)], limit=5)) == [f"n{i:02d}" for i in range(15, -1, -1)]
    svc.entities.delete(APP, "items", old[1]["uuid"])  # deleted from where its entries are: unsharded
    assert entries(old[1]["uuid"]) == []


def test_writers_keep_the_old_layout_until_readers_know_the_new_one(svc: Any, clock: list[int]) -> None:
    svc.layouts.set_shards(APP, "items", S)
    e = seed(svc, 1)[0]
    assert svc.entities.store.get(APP, e["uuid"]).shards == 1  # before switch_ms: still unsharded
    assert svc.executor.layouts(APP, "items") == (1, S)  # but readers already merge both
    with pytest.raises(Conflict):
        layouts.migrate_page(svc.layouts, svc.entities, svc.executor, APP, "items")  # too early
    for bad in (0, 257, "4", 2.0, True):
        with pytest.raises(InvalidInput):
            svc.layouts.set_shards(APP, "items", bad)
    svc.layouts.set_shards(APP, "items", 8)  # a third live layout, before any migration
    assert svc.layouts.stored(APP, "items").live == (1, S, 8)
    with pytest.raises(Conflict):  # reads would merge ever more layouts: migrate first
        svc.layouts.set_shards(APP, "items", 16)


def migrate(svc: Any, coll: str = "items", limit: int = 5) -> int:
    moved, cursor = 0, None
    for _ in range(200):
        step = layouts.migrate_page(svc.layouts, svc.entities, svc.executor, APP, coll, cursor, limit)
        moved += step.moved
        cursor = step.cursor
        if cursor is None:
            return moved
    raise AssertionError("migration never ended")


def test_migration_moves_everything_and_drops_the_old_layout(svc: Any, clock: list[int]) -> None:
    made = seed(svc, 12)
    before = {e["uuid"]: svc.entities.get(APP, "items", e["uuid"]) for e in made}
    shard(svc, clock)
    seed(svc, 3, start=12)
    assert migrate(svc) == 12
    assert svc.layouts.stored(APP, "items").live == (S,)
    assert all(pk.endswith(f"/{S}") for pk, _ in entries()), "no entry left under the old layout"
    for u, doc in before.items():
        assert svc.entities.get(APP, "items", u) == doc  # document and `modified` unchanged
    svc.layouts._cache.clear()
    assert svc.executor.layouts(APP, "items") == (S,)
    assert walk(svc, Query(order=[("n", False)], limit=4)) == [f"n{i:02d}" for i in range(15)]
    assert svc.executor.count(APP, "items") == 15
    assert migrate(svc) == 0  # again: nothing to do
    # and back to one partition per index
    shard(svc, clock, shards=1)
    assert migrate(svc) == 15
    assert all("/" not in pk for pk, _ in entries())
    assert walk(svc, Query(order=[("n", True)], limit=6)) == [f"n{i:02d}" for i in range(14, -1, -1)]


def test_concurrent_writers_during_migration(svc: Any, clock: list[int], atomic_dynamodb: None) -> None:
    made = seed(svc, 10)
    shard(svc, clock)
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for j in range(3):
                svc.entities.update(APP, "items", made[(k * 3 + j) % 10]["uuid"], {f"w{k}": j})
            svc.entities.create(APP, "items", {"name": f"new{k}", "n": 100 + k, "color": "red"})
        except BaseException as e:  # noqa: BLE001 - asserted below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    migrate(svc, limit=3)
    for t in threads:
        t.join()
    assert not errors
    migrate(svc)  # whatever a writer left under the old layout (none: they write the new one) is moved
    assert all(pk.endswith(f"/{S}") for pk, _ in entries())
    assert all(svc.entities.store.get(APP, e["uuid"]).shards == S for e in made)
    names = walk(svc, Query(order=[("n", False)], limit=4))
    assert names == [f"n{i:02d}" for i in range(10)] + [f"new{k}" for k in range(3)]
    for k in range(3):
        hit = walk(svc, Query(Exists(f"w{k}")))
        assert len(hit) == 3
    assert svc.executor.count(APP, "items") == 13


class Counting:
    """Counts index entries read and Query calls (wraps the store's query_index)."""

    def __init__(self, svc: Any) -> None:
        self.store = svc.executor.store
        self.real = self.store.query_index
        self.items = self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, *a: Any) -> Any:
        hits, last = self.real(*a)
        with self.lock:
            self.items += len(hits)
            self.calls += 1
        return hits, last


def test_a_page_reads_o_of_k_entries(svc: Any, clock: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    shard(svc, clock)
    seed(svc, 40)
    for k in (1, 5, 10):
        for order in ([("created", True)], [("n", False)], []):
            counter = Counting(svc)
            monkeypatch.setattr(svc.executor.store, "query_index", counter)
            page = svc.executor.run(APP, "items", Query(order=order, limit=k))
            monkeypatch.undo()
            assert len(page.records) == k and page.cursor is not None
            parts = S + 1  # the unsharded layout is live too until a migration
            bound = parts * (math.ceil(k / parts + 2 * math.sqrt(k / parts)) + 1) + k  # docs/ARCHITECTURE.md
            assert bound <= 3 * k + 3 * parts
            assert counter.items <= bound, (k, order, counter.items)


def test_budget_is_respected_across_shards(svc: Any, clock: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import planner

    shard(svc, clock)
    seed(svc, 30)
    monkeypatch.setattr(planner, "READ_BUDGET", 5)
    nowhere = Compare("location.latitude", "eq", -1)  # no index: a filter on the `n` order's scan
    got = svc.executor.run(APP, "items", Query(nowhere, order=[("n", False)], limit=1))
    assert got.records == [] and got.cursor is not None  # one round (≤ 15 entries), then a cursor
    monkeypatch.setattr(planner, "READ_BUDGET", 4000)
    rest = svc.executor.run(APP, "items", Query(nowhere, order=[("n", False)], limit=1, cursor=got.cursor))
    assert rest.records == [] and rest.cursor is None
    b = budget.start(budget.Limits(calls=3))
    try:
        with pytest.raises(budget.OverBudget):
            svc.executor.run(APP, "items", Query(order=[("n", False)], limit=10))
    finally:
        budget.stop()
    assert b.calls > 3


def test_a_cursor_of_another_query_or_edited_is_refused(svc: Any, clock: list[int]) -> None:
    shard(svc, clock)
    seed(svc, 6)
    page = svc.executor.run(APP, "items", Query(order=[("n", False)], limit=2))
    with pytest.raises(InvalidQuery):
        svc.executor.run(APP, "items", Query(order=[("n", True)], limit=2, cursor=page.cursor))
    with pytest.raises(InvalidQuery):
        svc.executor.run(APP, "items", Query(order=[("n", False)], limit=2, cursor=page.cursor[:-2] + "xx"))


def test_a_move_that_crashes_at_any_step_leaves_the_entity_found_once(svc: Any, clock: list[int]) -> None:
    made = seed(svc, 3)
    shard(svc, clock)
    store = svc.entities.store
    u = made[1]["uuid"]
    # crash before the entity put: the new entries (newer version, other layout) are skipped, not deleted
    real_put = store.put

    def crash_put(*a: Any, **kw: Any) -> None:
        raise RuntimeError("lambda timed out")

    store.put = crash_put
    try:
        with pytest.raises(RuntimeError):
            svc.entities.reshard(store.get(APP, u), S)
    finally:
        store.put = real_put
    assert store.get(APP, u).shards == 1
    assert walk(svc, Query(order=[("n", False)], limit=2)) == ["n00", "n01", "n02"]
    assert any(pk.endswith(f"/{S}") for pk, _ in entries(u)), "young entries of the write in flight stay"
    # crash before the cleanup: the old layout's entries are stale, skipped and repaired by the reader
    real_index = store.write_index

    def no_deletes(prefix: str, puts: Any, deletes: Any, hidden: Any = None) -> None:
        if deletes:
            raise RuntimeError("lambda timed out")
        real_index(prefix, puts, deletes, hidden=hidden)

    store.write_index = no_deletes
    try:
        with pytest.raises(RuntimeError):
            svc.entities.update(APP, "items", u, {"color": "pink"})
    finally:
        store.write_index = real_index
    assert store.get(APP, u).shards == S
    assert any("/" not in pk for pk, _ in entries(u))  # unsharded leftovers
    assert walk(svc, Query(order=[("n", True)], limit=2)) == ["n02", "n01", "n00"]
    assert walk(svc, Query(Compare("color", "eq", "green"))) == []
    assert walk(svc, Query(Compare("color", "eq", "pink"))) == ["n01"]
    assert walk(svc, Query(limit=2)) == ["n02", "n01", "n00"]  # newest first: the `created` index
    left = [pk for pk, _ in entries(u) if "/" not in pk and pk.rsplit("#", 1)[1] in ("n", "created", "color")]
    assert left == [], "the reads above repaired what they read"


def test_only_callers_that_see_everything_change_a_layout(svc: Any, clock: list[int]) -> None:
    from chalicelib.core.auth import Principal
    from chalicelib.core.errors import Forbidden

    org, _, _ = svc.tenancy.signup("acme", "boss", "Boss", "boss@acme.test", "s3cret!")
    app = svc.tenancy.create_app(org, "prod")
    user = svc.entities.create(app.uuid, "users", {"username": "ann"})
    for who in (Principal("user", user["uuid"], app.uuid), Principal("anonymous", app=app.uuid),
                Principal("key", app=app.uuid)):
        data = svc.data(app, who)
        with pytest.raises(Forbidden):
            layouts.set_shards(data, svc.layouts, "items", 4)
        with pytest.raises(Forbidden):
            layouts.migrate(data, svc.layouts, "items")
        with pytest.raises(Forbidden):
            layouts.show(data, svc.layouts, "x")
    as_app = svc.data(app, Principal("app", app.uuid, app.uuid))
    coll, layout = layouts.set_shards(as_app, svc.layouts, "Item", 4)
    assert coll == "items" and layout.live == (1, 4)
    assert layouts.show(as_app, svc.layouts, "items")[1] == layout


def test_a_migration_cursor_does_not_survive_another_switch(svc: Any, clock: list[int]) -> None:
    seed(svc, 6)
    shard(svc, clock)
    step = layouts.migrate_page(svc.layouts, svc.entities, svc.executor, APP, "items", None, 2)
    assert step.moved == 2 and step.cursor
    shard(svc, clock, shards=8)  # half moved to 4, then switched to 8
    with pytest.raises(Conflict):
        layouts.migrate_page(svc.layouts, svc.entities, svc.executor, APP, "items", step.cursor, 2)
    with pytest.raises(InvalidQuery):  # a query's cursor is not a migration's
        page = svc.executor.run(APP, "items", Query(limit=2))
        layouts.migrate_page(svc.layouts, svc.entities, svc.executor, APP, "items", page.cursor, 2)
    assert migrate(svc, limit=2) == 6  # from the start: every entity to 8, layouts 1 and 4 dropped
    assert svc.layouts.stored(APP, "items").live == (8,)
    assert all(pk.endswith("/8") for pk, _ in entries())
    assert walk(svc, Query(order=[("n", False)], limit=4)) == [f"n{i:02d}" for i in range(6)]
