"""Issue 12: one optimistic-retry model (core/retry.py) that every dialect maps, and tasks that run once."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from chalicelib.core.errors import ConcurrencyExhausted, VersionConflict
from chalicelib.core.retry import retry_optimistic


def test_retry_gives_up_with_the_one_mapped_error() -> None:
    calls: list[int] = []

    def lose() -> None:
        calls.append(1)
        raise VersionConflict()

    with pytest.raises(ConcurrencyExhausted):
        retry_optimistic(lose, tries=4, pause=lambda s: None)
    assert len(calls) == 4
    n = iter([VersionConflict(), None])

    def win_second() -> str:
        e = next(n)
        if e:
            raise e
        return "ok"

    assert retry_optimistic(win_second, pause=lambda s: None) == "ok"


class AlwaysLoses:
    """An EntityStore whose conditional writes always lose, as under a storm of concurrent writers."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def put(self, record: Any, expected_version: int | None) -> None:
        if expected_version is None:
            return self.inner.put(record, expected_version)
        raise VersionConflict()

    def delete(self, app: str, uuid: str, expected_version: int) -> None:
        raise VersionConflict()


def test_every_dialect_maps_exhausted_retries_to_409_with_a_retry_hint(api: Any, org: Any, svc: Any) -> None:
    creds = org["credentials"]
    bea_h = {"X-BEA-Application-Id": creds["uuid"], "X-BEA-Authorization": creds["rest_api_key"]}
    bl = f"/backendless/{creds['uuid']}/{creds['rest_api_key']}"
    admin = org["admin_token"]
    item = api.post("/usergrid/acme/prod/items", {"name": "x", "n": 1}, token=admin).json["entities"][0]
    svc.entities.store = AlwaysLoses(svc.entities.store)
    svc.executor.store = svc.entities.store
    answers = [
        api.put(f"/usergrid/acme/prod/items/{item['uuid']}", {"n": 2}, token=admin),
        api.put(f"/bea/1/Item/{item['uuid']}", {"n": 2}, headers=bea_h),
        api.put(f"{bl}/data/Item/{item['uuid']}", {"n": 2}),
        api.delete(f"/usergrid/acme/prod/items/{item['uuid']}", token=admin),
    ]
    for r in answers:
        assert r.status_code == 409, r.body
        assert r.headers.get("Retry-After") == "1"
    assert "error" in answers[0].json and set(answers[1].json) == {"code", "error"} and "code" in answers[2].json


def test_a_task_claimed_by_one_worker_never_runs_twice(svc: Any, atomic_dynamodb: None) -> None:
    """Two invocations of one task racing: the conditional claim lets exactly one run it."""
    from chalicelib.core import tasks as tmod

    ran: list[int] = []
    gate = threading.Barrier(2)

    class Runner:
        def run(self, params: dict[str, Any]) -> Any:
            ran.append(1)
            return {"ok": True}

        def error(self, params: dict[str, Any], e: Exception) -> dict[str, Any]:
            return {"status": "ERROR", "error": str(e)}

    t = svc.tasks
    t.dispatcher = type("Keep", (), {"dispatch": lambda self, e: None})()
    tmod.RUNNERS["twice-test"] = Runner()
    try:
        app = "0190aaaa-0000-7000-8000-000000000000"
        handle = t.submit(app, "twice-test", {})
        event = {"task": handle, "app": app}
        states: list[str] = []

        def go() -> None:
            gate.wait()
            states.append(t.execute(event))

        threads = [threading.Thread(target=go) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        tmod.RUNNERS.pop("twice-test", None)
    assert sorted(states) == ["COMPLETE", "DUPLICATE"] and ran == [1]
