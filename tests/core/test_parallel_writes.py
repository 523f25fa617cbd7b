"""The write protocol with its independent steps sent together (issue 15): claims ∥ index entries,
then the entity, then cleanup ∥ released names. Crashes between waves and concurrent writers."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from chalicelib.core import parallel
from chalicelib.core.errors import DuplicateUnique
from chalicelib.core.query import Compare, Query
from chalicelib.storage import meter
from chalicelib.storage.models import IndexModel, UniqueModel
from tests.core.test_consistency import run_threads

APP = "app-1"


def _color_keys() -> list[str]:
    return [i.sk for i in IndexModel.query(f"{APP}#items#color")]


def _find(svc: Any, prop: str, value: Any) -> list[str]:
    return [r.uuid for r in svc.executor.run(APP, "items", Query(Compare(prop, "eq", value))).records]


def test_run_all_waits_for_every_call_then_raises_the_first_failure() -> None:
    ended: list[int] = []
    gate = threading.Event()

    def slow() -> None:
        gate.wait(5)
        ended.append(2)

    def fail() -> None:
        gate.set()
        raise ValueError("boom")

    with pytest.raises(ValueError):
        parallel.run_all([fail, slow])
    assert ended == [2]  # the slow call had ended before the failure surfaced
    assert parallel.run_all([lambda: 1, lambda: 2, lambda: 3]) == [1, 2, 3]


def test_nested_calls_run_on_the_next_level_then_in_turn() -> None:
    """A call that itself runs calls together (a create inside a batch) uses the next level's pool;
    past the last level calls run on their own thread, so no pool waits on itself."""
    seen: dict[str, set[str]] = {"l1": set(), "l2": set(), "l3": set()}

    def mark(level: str) -> None:
        seen[level].add(threading.current_thread().name.split("_")[0])

    def deepest() -> None:
        parallel.run_all([lambda: mark("l3"), lambda: mark("l3")])

    def middle() -> None:
        parallel.run_all([lambda: (mark("l2"), deepest()), lambda: (mark("l2"), deepest())])

    parallel.run_all([lambda: None, lambda: (mark("l1"), middle())])
    assert seen["l1"] == {"parallel0"} and seen["l2"] == {"parallel0", "parallel1"}
    assert "parallel1" in seen["l3"] and not {n for n in seen["l3"] if n.startswith("parallel2")}


def test_calls_on_pool_threads_are_metered_for_the_request(svc: Any) -> None:
    m = meter.start()
    svc.entities.create(APP, "items", {"name": "wide", **{f"p{i}": i for i in range(40)}})
    assert m.calls.get("BatchWriteItem") == 2  # 42+ entries: two 25-item requests, sent together
    assert m.calls.get("PutItem") == 2  # the name claim and the entity


def test_lost_name_leaves_no_index_entries_of_the_loser(svc: Any) -> None:
    svc.entities.create(APP, "items", {"name": "dup", "color": "red"})
    with pytest.raises(DuplicateUnique):
        svc.entities.create(APP, "items", {"name": "dup", "color": "blue"})
    assert [k for k in _color_keys() if k.startswith("sblue")] == []
    assert _find(svc, "color", "blue") == []


def test_crash_after_the_first_wave_of_a_create_leaves_nothing_visible(svc: Any) -> None:
    store = svc.entities.store
    real_put = store.put
    store.put = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("lambda timed out"))
    try:
        with pytest.raises(RuntimeError):
            svc.entities.create(APP, "items", {"name": "ghost", "color": "green"})
    finally:
        store.put = real_put
    assert [k for k in _color_keys() if k.startswith("sgreen")]  # the first wave landed ...
    assert _find(svc, "color", "green") == []  # ... and no reader returns it
    assert svc.entities.find_record(APP, "items", "ghost") is None
    assert UniqueModel.count(f"{APP}#items#name#ghost") == 0  # the claim was released
    assert svc.entities.create(APP, "items", {"name": "ghost"})["name"] == "ghost"


def test_crash_before_the_cleanup_wave_of_an_update_shows_only_the_new_value(svc: Any) -> None:
    e = svc.entities.create(APP, "items", {"name": "a", "color": "red"})
    store = svc.entities.store
    real = store.write_index

    def no_deletes(prefix: str, puts: Any, deletes: Any, hidden: Any = None) -> None:
        if deletes:
            raise RuntimeError("lambda timed out")
        real(prefix, puts, deletes, hidden=hidden)

    store.write_index = no_deletes
    try:
        with pytest.raises(RuntimeError):
            svc.entities.update(APP, "items", e["uuid"], {"color": "blue", "name": "b"})
    finally:
        store.write_index = real
    assert _find(svc, "color", "blue") == [e["uuid"]]
    assert _find(svc, "color", "red") == []  # the old entry is still there, and verified away
    assert svc.entities.find_record(APP, "items", "b").uuid == e["uuid"]
    assert svc.entities.find_record(APP, "items", "a") is None


def test_concurrent_updates_with_parallel_waves_keep_every_field(svc: Any, atomic_dynamodb: None) -> None:
    e = svc.entities.create(APP, "items", {"name": "shared"})
    run_threads(6, lambda i: svc.entities.update(APP, "items", e["uuid"], {f"f{i}": i, "color": f"c{i}"}))
    got = svc.entities.get(APP, "items", e["uuid"])
    assert all(got[f"f{i}"] == i for i in range(6))
    assert _find(svc, "color", got["color"]) == [e["uuid"]]
    # losers' entries (written before their put lost) stay until a reader repairs them; none is returned
    assert all(_find(svc, "color", f"c{i}") == [] for i in range(6) if f"c{i}" != got["color"])


def test_name_lookups_follow_renames_and_deletes(svc: Any) -> None:
    """The name -> uuid memory is a hint: the entity read is checked to still hold the name."""
    first = svc.entities.create(APP, "items", {"name": "milk"})
    assert svc.entities.find_record(APP, "items", "milk").uuid == first["uuid"]
    m = meter.start()
    assert svc.entities.find_record(APP, "items", "milk").uuid == first["uuid"]
    assert m.calls == {"GetItem": 1}  # known name: the entity alone
    svc.entities.update(APP, "items", first["uuid"], {"name": "bread"})
    assert svc.entities.find_record(APP, "items", "milk") is None
    second = svc.entities.create(APP, "items", {"name": "milk"})
    assert svc.entities.find_record(APP, "items", "milk").uuid == second["uuid"]
    other = type(svc.entities)(svc.entities.store, svc.entities.unique)  # another container
    assert other.find_record(APP, "items", "milk").uuid == second["uuid"]
    other.delete(APP, "items", "milk")
    assert svc.entities.find_record(APP, "items", "milk") is None  # this container's memory is stale
    assert svc.entities.find_record(APP, "items", "bread").uuid == first["uuid"]
