"""Independent storage calls at once: one sequential round trip for several writes or reads.

A request's latency is its sequential DynamoDB round trips. Writes that do not depend on each other
(unique claims and index entries before an entity; the cleanup after it) and reads keyed up front go
out together here. Each call runs in a copy of the caller's context, so the request's meter and budget
(contextvars) see it. `run_all` waits for every call before it returns or raises: a caller that undoes
work on failure (releases claims) knows nothing is still in flight.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

MAX_WORKERS = 32  # botocore's pool (storage/clients.MAX_POOL) holds as many connections
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_inside = threading.local()


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="parallel")
    return _pool


def _in_pool(ctx: contextvars.Context, fn: Callable[[], Any]) -> Any:
    _inside.active = True
    try:
        return ctx.run(fn)
    finally:
        _inside.active = False


def run_all(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run `calls` concurrently; their results in order. Raises the first failure once all have ended.

    The first call runs on the caller's thread. Inside a pool thread everything runs in turn instead,
    so nested use can never wait on a pool it is itself filling.
    """
    if len(calls) <= 1 or getattr(_inside, "active", False):
        return [c() for c in calls]
    pool = _executor()
    futures: list[Future[Any]] = [pool.submit(_in_pool, contextvars.copy_context(), c) for c in calls[1:]]
    results: list[Any] = []
    error: BaseException | None = None
    try:
        results.append(calls[0]())
    except BaseException as e:  # noqa: BLE001 - re-raised below, after the others have ended
        error = e
        results.append(None)
    for f in futures:
        try:
            results.append(f.result())
        except BaseException as e:  # noqa: BLE001
            error = error or e
            results.append(None)
    if error is not None:
        raise error
    return results
