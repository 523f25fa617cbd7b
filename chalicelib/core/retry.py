"""One optimistic-concurrency model for every read-modify-write in the core.

A write conditional on the version it read raises VersionConflict when another writer won;
`retry_optimistic` re-runs the whole attempt (read, change, conditional write) a bounded number
of times with a short jittered pause, then gives up with ConcurrencyExhausted, which every dialect
maps (409, with a `Retry-After` hint added at the edge). One helper, one behaviour, one error.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from .errors import ConcurrencyExhausted, VersionConflict

T = TypeVar("T")
MAX_TRIES = 10


def retry_optimistic(attempt: Callable[[], T], tries: int = MAX_TRIES,
                     pause: Callable[[float], None] = time.sleep) -> T:
    """`attempt()` until it returns without a VersionConflict; ConcurrencyExhausted after `tries`."""
    for i in range(tries):
        try:
            return attempt()
        except VersionConflict:
            if i + 1 < tries and i:
                pause(random.uniform(0, 0.005 * 2 ** min(i, 5)))  # first retry at once, then back off
    raise ConcurrencyExhausted()
