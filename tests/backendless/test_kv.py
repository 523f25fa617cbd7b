"""Atomic counters and cache: every SDK/seed route, expiry, and 100 concurrent increments."""

from __future__ import annotations

import threading
import time
from typing import Any


def test_counters_routes(bl: Any) -> None:
    assert bl("GET", "/counters/hits").val == 0  # unknown counters read 0
    assert bl("GET", "/counters/hits/get").val == 0
    assert bl("PUT", "/counters/hits/increment/get").val == 1
    assert bl("PUT", "/counters/hits/get/increment").val == 1
    assert bl("PUT", "/counters/hits/incrementby/get?value=10").val == 12
    assert bl("PUT", "/counters/hits/get/incrementby?value=3").val == 12
    assert bl("PUT", "/counters/hits/decrement/get").val == 14
    assert bl("PUT", "/counters/hits/get/decrement").val == 14
    assert bl("PUT", "/counters/hits/get/compareandset?expected=13&updatedvalue=100").val is True
    assert bl("PUT", "/counters/hits/get/compareandset?expected=13&updatedvalue=5").val is False
    assert bl("PUT", "/counters/fresh/get/compareandset?expected=0&updatedvalue=7").val is True
    assert sorted(bl("GET", "/counters/*/list").val) == ["fresh", "hits"]
    assert bl("GET", "/counters/h*/list").val == ["hits"]
    assert bl("PUT", "/counters/hits/reset").status_code == 200
    assert bl("GET", "/counters/hits").val == 0
    r = bl("PUT", "/counters/hits/incrementby/get?value=abc")
    assert r.status_code == 400 and "code" in r.json
    r = bl("PUT", "/counters/hits/incrementby/get")
    assert r.status_code == 400


def test_100_concurrent_increments_end_at_100(svc: Any) -> None:
    """100 threads increment one counter through the core service; it must end at exactly 100.

    DynamoDB applies each UpdateItem atomically; moto does not (its UpdateItem reads, changes and
    writes the item without a lock, and two first ADDs on a missing item both create it). So the
    test makes each moto call atomic, as DynamoDB's are, with a lock held from `before-call` to
    `after-call`: threads still interleave between calls, so a read-modify-write counter
    (GetItem then PutItem) would lose updates here; one ADD per increment does not.
    """
    from chalicelib.storage.models import CounterModel

    counters, errors, lock = svc.counters(), [], threading.Lock()
    counters.get("app-x", "warm-up")  # builds the client
    events = CounterModel._get_connection().connection.client.meta.events

    def acquire(**_: Any) -> None:  # a before-call handler that returns a value replaces the call
        lock.acquire()

    def release(**_: Any) -> None:
        lock.release()

    handlers = [("before-call.dynamodb", acquire), ("after-call.dynamodb", release),
                ("after-call-error.dynamodb", release)]
    for name, fn in handlers:
        events.register(name, fn)

    def bump() -> None:
        try:
            counters.add_and_get("app-x", "c", 1)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    try:
        threads = [threading.Thread(target=bump) for _ in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for name, fn in handlers:
            events.unregister(name, fn)
    assert not errors and counters.get("app-x", "c") == 100


def test_cache_routes(bl: Any) -> None:
    assert bl("GET", "/cache/k").val is None
    assert bl("GET", "/cache/k/check").val is False
    assert bl("PUT", "/cache/k?timeout=60", {"a": [1, 2]}).status_code == 200
    assert bl("GET", "/cache/k").val == {"a": [1, 2]}
    assert bl("GET", "/cache/k/check").val is True
    assert bl("PUT", "/cache/s", raw='"text"').status_code == 200
    assert bl("GET", "/cache/s").val == "text"
    assert bl("PUT", "/cache/k/expireIn?timeout=120").status_code == 200
    at = int(time.time() * 1000) + 100_000
    assert bl("PUT", f"/cache/k/expireAt?timestamp={at}").status_code == 200
    assert bl("PUT", "/cache/missing/expireIn?timeout=5").status_code == 404
    assert bl("DELETE", "/cache/k").status_code == 200
    assert bl("GET", "/cache/k").val is None
    assert bl("PUT", "/cache/k", raw="{bad").status_code == 400
    assert bl("PUT", "/cache/k?timeout=-1", {"a": 1}).status_code == 400


def test_expired_cache_entry_never_returned(svc: Any) -> None:
    from chalicelib.core.cache import Cache

    now = [1000.0]
    cache = Cache(svc.cache().store, clock=lambda: now[0])
    cache.put("app-y", "k", {"v": 1}, 10)
    assert cache.get("app-y", "k") == {"v": 1}
    now[0] += 11  # DynamoDB's TTL has not deleted it yet: the core still refuses it
    assert cache.get("app-y", "k") is None and not cache.contains("app-y", "k")
