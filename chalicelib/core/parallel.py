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

MAX_WORKERS = 32  # per level; botocore's pool (storage/clients.MAX_POOL) holds as many connections
LEVELS = 2  # a call may itself run calls together (a create's index batches inside a batch's wave)
_lock = threading.Lock()
_pools: list[ThreadPoolExecutor] = []
_depth = threading.local()


def _executor(level: int) -> ThreadPoolExecutor:
    if len(_pools) <= level:
        with _lock:
            while len(_pools) <= level:
                _pools.append(ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix=f"parallel{len(_pools)}"))
    return _pools[level]


def _in_pool(level: int, ctx: contextvars.Context, fn: Callable[[], Any]) -> Any:
    _depth.level = level + 1
    return ctx.run(fn)


def run_all(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run `calls` concurrently; their results in order. Raises the first failure once all have ended.

    The first call runs on the caller's thread. A call running on a pool thread may run calls together
    too, on the next level's pool; past LEVELS levels they run in turn. A level's threads wait only on
    deeper levels and the deepest never waits, so no pool can fill up with threads waiting on itself.
    """
    level = getattr(_depth, "level", 0)
    if len(calls) <= 1 or level >= LEVELS:
        return [c() for c in calls]
    pool = _executor(level)
    futures: list[Future[Any]] = [pool.submit(_in_pool, level, contextvars.copy_context(), c) for c in calls[1:]]
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
