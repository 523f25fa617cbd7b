"""Queries on nested paths read the nested index: O(k) items, the same answers as a full filter.

Through the core services on moto: every query here is run twice, through the planner and as a
brute-force `matches` over the whole collection, and the two must agree; reads are counted
with the per-request meter and must not grow with N.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.query import And, Compare, Contains, Exists, In, Node, Prefix, Query, Within, matches
from chalicelib.storage import meter
from chalicelib.storage.models import IndexModel

APP = "app-nested"


def doc(i: int) -> dict[str, Any]:
    return {
        "n": i,
        "address": {"city": "Raleigh" if i % 50 == 0 else "Durham", "zip": f"{27000 + i}"},
        "items": [{"sku": f"S{i % 7}", "qty": i % 10}, {"sku": "rare" if i % 50 == 0 else "common", "qty": 100 + i}],
        "note": {"text": f"word{i} common text"},
    }


def fill(svc: Any, start: int, stop: int) -> None:
    for i in range(start, stop):
        svc.entities.create(APP, "things", doc(i))


def cost(svc: Any, query: Query) -> tuple[int, int, int]:
    m = meter.start()
    got = svc.executor.run(APP, "things", query).records
    return len(got), m.items_read, m.total_calls


QUERIES: dict[str, Query] = {
    "eq": Query(Compare("address.city", "eq", "Raleigh"), limit=3),
    "eq case-sensitive": Query(Compare("address.city", "eq", "Raleigh", case_sensitive=True), limit=3),
    "array *": Query(Compare("items.*.sku", "eq", "rare"), limit=3),
    "array, Usergrid style": Query(Compare("items.sku", "eq", "rare"), limit=3),
    "array index range": Query(Compare("items.1.qty", "gte", 120), limit=5),
    "prefix": Query(Prefix("address.zip", "2701"), limit=5),
    "contains": Query(Contains("note.text", "word7"), limit=5),
    "in": Query(In("address.city", ("Raleigh", "Nowhere")), limit=3),
    "exists": Query(Exists("note.text"), limit=5),
    "order": Query(None, [("address.zip", True)], limit=5),
    "and": Query(And((Compare("address.city", "eq", "Raleigh"), Compare("items.*.qty", "gt", 0))), limit=2),
}


def test_nested_queries_read_k_not_n(svc: Any) -> None:
    fill(svc, 0, 60)
    small = {name: cost(svc, q) for name, q in QUERIES.items()}
    fill(svc, 60, 300)  # N grows 5x
    for name, q in QUERIES.items():
        k, read, calls = cost(svc, q)
        assert k >= 1, name
        # as for top-level properties (test_query_cost): the page, its entries and a small overfetch
        assert read <= 2 * (k + 1) + 4, (name, k, read, small[name])
        assert calls <= 4, (name, k, calls)


def everything(svc: Any) -> list[Any]:
    return svc.executor.run(APP, "things", Query(limit=1000)).records


def planned(svc: Any, where: Node, order: list[tuple[str, bool]] | None = None) -> list[str]:
    return [r.uuid for r in svc.executor.run(APP, "things", Query(where, order or [], limit=1000)).records]


EXTRA: list[Node] = [
    Compare("address.city", "eq", "raleigh"),  # strings ignore case...
    Compare("address.city", "eq", "raleigh", case_sensitive=True),  # ...unless the dialect says otherwise
    Compare("address.city", "gt", "D", case_sensitive=True),  # 'Raleigh' > 'D', 'Durham' > 'D'
    Compare("address.city", "lt", "a", case_sensitive=True),  # every capitalised city is < 'a'
    Compare("items.0.sku", "eq", "S3"), Compare("items.-1.sku", "eq", "rare"), Compare("items.1.sku", "eq", "S3"),
    Compare("items.qty", "lte", 2), In("items.*.sku", ("S1", "rare")), Exists("items.sku"), Exists("items.0"),
    Exists("address"), Exists("address.nowhere"), Prefix("items.sku", "ra"), Contains("note.text", "common text"),
]


def test_planner_and_filter_agree(svc: Any) -> None:
    fill(svc, 0, 60)
    svc.entities.create(APP, "things", {"address": {"city": "raleigh"}, "items": {"sku": "S3"}})  # not arrays here
    svc.entities.create(APP, "things", {"address": {}, "items": [[{"sku": "rare", "qty": 1}]]})
    svc.entities.create(APP, "things", {"address": None, "items": [], "note": "plain"})
    recs = everything(svc)
    for where in [q.where for q in QUERIES.values() if q.where is not None] + EXTRA:
        expected = {r.uuid for r in recs if matches(where, r.doc | {"uuid": r.uuid})}
        got = planned(svc, where)
        assert len(got) == len(set(got)), where  # each entity once
        assert set(got) == expected, where
    ordered = planned(svc, None, [("address.zip", False)])  # type: ignore[arg-type]
    zips = [r.doc["address"]["zip"] for r in recs if isinstance(r.doc.get("address"), dict) and "zip" in r.doc["address"]]
    assert [next(r for r in recs if r.uuid == u).doc["address"]["zip"] for u in ordered] == sorted(zips)


def test_a_changed_nested_leaf_leaves_no_entry_behind(svc: Any) -> None:
    e = svc.entities.create(APP, "things", {"address": {"city": "Raleigh", "zip": "1"}})
    svc.entities.update(APP, "things", e["uuid"], {"address": {"city": "Cary", "zip": "1"}})
    assert planned(svc, Compare("address.city", "eq", "Raleigh")) == []
    assert planned(svc, Compare("address.city", "eq", "Cary")) == [e["uuid"]]
    assert planned(svc, Compare("address.zip", "eq", "1")) == [e["uuid"]]  # rewritten with its property's group
    keys = [i.sk for i in IndexModel.query(f"{APP}#things#address.city")]
    assert len(keys) == 1 and keys[0].startswith("scary")


def test_a_stale_nested_entry_is_invisible_and_repaired(svc: Any) -> None:
    """The writer dies after the entity put, before deleting the entries it replaced (step 4)."""
    e = svc.entities.create(APP, "things", {"address": {"city": "Raleigh"}})
    store = svc.entities.store
    real = store.write_index

    def no_deletes(prefix: str, puts: Any, deletes: Any, hidden: Any = None) -> None:
        if deletes and not puts:
            raise RuntimeError("lambda timed out")
        real(prefix, puts, deletes, hidden=hidden)

    store.write_index = no_deletes
    with pytest.raises(RuntimeError):
        svc.entities.update(APP, "things", e["uuid"], {"address": {"city": "Cary"}})
    store.write_index = real
    stale = [i.sk for i in IndexModel.query(f"{APP}#things#address.city") if i.sk.startswith("sraleigh")]
    assert len(stale) == 1
    assert planned(svc, Compare("address.city", "eq", "Raleigh")) == []
    assert [i.sk for i in IndexModel.query(f"{APP}#things#address.city") if i.sk.startswith("sraleigh")] == []
    assert planned(svc, Compare("address.city", "eq", "Cary")) == [e["uuid"]]


def test_case_sensitive_ranges_find_every_match(svc: Any) -> None:
    """Keys are lower-cased, so a case-sensitive range reads the whole string range, not a bounded one."""
    a = svc.entities.create(APP, "people", {"login": "ann"})["uuid"]
    b = svc.entities.create(APP, "people", {"login": "Bob"})["uuid"]
    got = svc.executor.run(APP, "people", Query(Compare("login", "gt", "B", case_sensitive=True))).records
    assert {r.uuid for r in got} == {a, b}  # 'ann' > 'B' (a is 97, B is 66)
    got = svc.executor.run(APP, "people", Query(Compare("login", "gt", "B"))).records
    assert [r.uuid for r in got] == [b]  # ignoring case: 'ann' < 'b'


def test_exists_and_within_see_every_shape(svc: Any) -> None:
    geo = svc.entities.create(APP, "spots", {"location": {"latitude": 1.0, "longitude": 2.0}})["uuid"]
    obj = svc.entities.create(APP, "spots", {"location": {"city": "x"}, "place": {"latitude": 1.0, "longitude": 2.0}})
    run = lambda w: {r.uuid for r in svc.executor.run(APP, "spots", Query(w)).records}  # noqa: E731
    assert run(Exists("location")) == {geo, obj["uuid"]}
    assert run(Exists("place")) == {obj["uuid"]}
    assert run(Within("place", 1000, 1.0, 2.0)) == {obj["uuid"]}  # no geohash index for it: filtered, still found
    assert run(Within("location", 1000, 1.0, 2.0)) == {geo}


def test_long_prefix_and_range_on_cut_keys(svc: Any) -> None:
    """Keys keep 200 characters: longer values share a key and are verified on read, never missed."""
    long = "x" * 250
    u = svc.entities.create(APP, "texts", {"t": {"body": long + "b"}})["uuid"]
    run = lambda w: [r.uuid for r in svc.executor.run(APP, "texts", Query(w)).records]  # noqa: E731
    assert run(Prefix("t.body", long)) == [u]
    assert run(Compare("t.body", "gt", long + "a")) == [u]
    assert run(Compare("t.body", "lt", long + "c")) == [u]
    assert run(Compare("t.body", "gt", long + "c")) == []
