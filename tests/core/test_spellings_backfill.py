"""The spellings backfill (core/spellings.py): data stored before spellings were recorded becomes
findable by case-insensitive ql once the walk has recorded its mixed-case paths."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chalicelib.core import budget, spellings
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Forbidden, InvalidInput, InvalidQuery
from chalicelib.core.query import Compare, Query


def _app(svc: Any) -> Any:
    svc.tenancy.signup(organization="o", username="adm", name="A", email="a@o.test", password="pw-pw-pw")
    return svc.tenancy.create_app(svc.tenancy.org("o"), "prod")


def _folded(data: Any, collection: str, path: str, value: Any) -> list[str]:
    page = data.query(collection, Query(where=Compare(path, "eq", value), fold_case=True, limit=50))
    return sorted(str(e.get("n")) for e in page.entities)


def _walk(data: Any, collection: str | None, limit: int) -> tuple[int, int, int]:
    """(steps, entities read, spellings recorded) of a whole walk."""
    steps = read = recorded = 0
    cursor = None
    while True:
        step = spellings.backfill(data, collection, cursor, limit)
        steps, read, recorded = steps + 1, read + step.read, recorded + step.recorded
        cursor = step.cursor
        if cursor is None:
            return steps, read, recorded
        assert steps < 50


@pytest.fixture
def old_data(svc: Any) -> Any:
    """An app whose entities were written by a version that recorded no spellings (no registry)."""
    app = _app(svc)
    data = svc.data(app, Principal("app", app.uuid, app.uuid))
    old = replace(data, registry=None)
    for i in range(5):
        old.create_record("things", {"n": i, "Name": f"t{i}" if i != 4 else "x", "Spec": {"Size": i}})
    old.create_record("things", {"n": 9, "name": "x"})
    for i in range(3):
        old.create_record("paints", {"n": i, "COLOUR": "red"})
    old.create_record("plains", {"n": 1, "name": "x"})
    return data


def test_old_spellings_are_found_after_the_backfill(svc: Any, old_data: Any) -> None:
    data, app = old_data, old_data.app.uuid
    assert svc.classes.spellings(app, "things") == {}
    assert _folded(data, "things", "name", "x") == ["9"]  # the old `Name` is missed
    assert _folded(data, "paints", "colour", "red") == []
    steps, read, recorded = _walk(data, "things", 2)
    assert (read, recorded) == (6, 3) and 3 <= steps <= 4  # Name, Spec, Spec.Size; 2 a step
    assert svc.classes.spellings(app, "things") == {"name": ["Name"], "spec": ["Spec"], "spec.size": ["Spec.Size"]}
    assert _folded(data, "things", "name", "x") == ["4", "9"]
    assert _folded(data, "things", "spec.size", 3) == ["3"]
    assert svc.classes.spellings(app, "paints") == {}  # another collection: not walked
    assert _walk(data, "things", 100) == (1, 6, 0)  # run again: nothing new, nothing written


def test_the_whole_app_is_walked_collection_by_collection(svc: Any, old_data: Any) -> None:
    data, app = old_data, old_data.app.uuid
    steps, read, recorded = _walk(data, None, 4)
    assert (read, recorded) == (10, 4) and steps == 3  # 10 entities over 3 collections, 4 per step
    assert svc.classes.spellings(app, "paints") == {"colour": ["COLOUR"]}
    assert _folded(data, "paints", "COLOUR", "red") == ["0", "1", "2"]
    step = spellings.backfill(data, None, None, 1000)
    assert step.read == 10 and step.cursor is None and step.collections == ["paints", "plains", "things"]


def test_recording_respects_the_registry_bounds(svc: Any, old_data: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import classes

    monkeypatch.setattr(classes, "MAX_SPELLINGS", 2)
    replace(old_data, registry=None).create_record("things", {"n": 20, "L" + "o" * 70: 1})  # longer than a spelling
    assert _walk(old_data, "things", 1000)[2] == 2
    assert sum(map(len, svc.classes.spellings(old_data.app.uuid, "things").values())) == 2


def test_a_step_stops_when_the_request_budget_runs_low(svc: Any, old_data: Any) -> None:
    budget.start(budget.Limits(calls=budget.DEFAULT.calls))
    try:
        b = budget.current()
        assert b is not None
        b.calls = b.limits.calls - spellings.RESERVE_CALLS  # what earlier work of the request spent
        step = spellings.backfill(old_data, None, None, 1000)
    finally:
        budget.stop()
    assert step.cursor is not None and step.collections == ["paints"] and step.read == 3
    rest = spellings.backfill(old_data, None, step.cursor, 1000)
    assert rest.cursor is None and rest.read == 7 and rest.collections == ["plains", "things"]


def test_hostile_cursors_and_limits(svc: Any, old_data: Any) -> None:
    data = old_data
    one = spellings.backfill(data, "things", None, 1).cursor
    assert one is not None
    for bad in ("x", "forged.x", one + "x", "a" * 5000):
        with pytest.raises(InvalidQuery):
            spellings.backfill(data, "things", bad, 10)
    with pytest.raises(InvalidQuery):
        spellings.backfill(data, "paints", one, 10)  # another collection's walk
    with pytest.raises(InvalidQuery):
        spellings.backfill(data, None, one, 10)  # the whole app's walk
    seal = data.executor.cursors.seal
    for state in ({"s": "things", "c": 5, "q": None}, {"s": "things", "c": "things", "q": 3}, ["things"], None):
        with pytest.raises(InvalidQuery):
            spellings.backfill(data, "things", seal(data.app.uuid, state), 10)
    bad_limit: Any
    for bad_limit in (0, -1, 1001, True, 2.5, "10"):
        with pytest.raises(InvalidInput):
            spellings.backfill(data, "things", None, bad_limit)
    with pytest.raises(InvalidInput):
        spellings.backfill(data, "bad name!", None, 10)


def test_only_callers_that_see_everything(svc: Any, old_data: Any) -> None:
    app = old_data.app
    user = old_data.create_record("users", {"username": "ann"})
    for who in (Principal("user", user.uuid, app.uuid), Principal("key", None, app.uuid), Principal("anonymous")):
        with pytest.raises(Forbidden):
            spellings.backfill(svc.data(app, who), "things")
    assert svc.classes.spellings(app.uuid, "things") == {}


def test_what_a_step_costs(svc: Any, old_data: Any) -> None:
    """A page: one Query and one BatchGetItem (per 100 entities) and, when a path is new, the registry's
    GetItem and conditional PutItem; a second run reads the registry from the cache (30 s) or once."""
    from chalicelib.storage import meter

    svc.classes.classes(old_data.app.uuid)  # the container's cached registry (30 s): one GetItem when cold
    m = meter.start()
    assert spellings.backfill(old_data, "things", None, 1000).recorded == 3
    assert m.calls == {"Query": 1, "BatchGetItem": 1, "GetItem": 1, "PutItem": 1}, m.calls
    m = meter.start()
    assert spellings.backfill(old_data, "things", None, 1000).recorded == 0
    assert m.calls == {"Query": 1, "BatchGetItem": 1}, m.calls
    m = meter.start()
    assert spellings.backfill(old_data, "plains", None, 1000).read == 1  # no mixed-case path: no registry read
    assert m.calls == {"Query": 1, "BatchGetItem": 1}, m.calls
