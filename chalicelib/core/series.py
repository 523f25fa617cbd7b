"""Usergrid application counters: time series bucketed by resolution, fed by events.

`POST /events {"counters": {"clicks": 1}}` adds to each counter in every resolution bucket
(all, minute, hour, day, week, month) with atomic ADD updates: concurrent events never lose
a count. Reading a range of buckets is one Query per counter and resolution.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from .errors import InvalidInput

RESOLUTIONS = ("all", "minute", "hour", "day", "week", "month")
NAME_RE = re.compile(r"^[A-Za-z0-9_\-.:]{1,128}$")
_FIXED_MS = {"minute": 60_000, "hour": 3_600_000, "day": 86_400_000, "week": 7 * 86_400_000}


class SeriesStore(Protocol):
    def add(self, app: str, name: str, buckets: Sequence[tuple[str, int]], delta: int) -> None:
        """ADD `delta` to each (resolution, bucket start) of the counter and remember its name."""

    def range(self, app: str, name: str, resolution: str, start: int, end: int) -> list[tuple[int, int]]:
        """(bucket start, value) for buckets start <= t <= end, oldest first."""

    def names(self, app: str) -> list[str]: ...


def bucket(resolution: str, ts: int) -> int:
    if resolution == "all":
        return 0
    if resolution == "month":
        d = datetime.fromtimestamp(ts / 1000, tz=UTC)
        return int(datetime(d.year, d.month, 1, tzinfo=UTC).timestamp() * 1000)
    if resolution == "week":  # weeks start on Monday, as ISO weeks do
        return (ts + 3 * 86_400_000) // _FIXED_MS["week"] * _FIXED_MS["week"] - 3 * 86_400_000
    return ts // _FIXED_MS[resolution] * _FIXED_MS[resolution]


def rollup(counters: dict[str, int]) -> dict[str, int]:
    """Counters are hierarchical, as Usergrid's CounterUtils makes them: `a.b.c` also counts into
    `a.b` and `a` (one event's `a.x` and `a.y` add up in `a`)."""
    out: dict[str, int] = {}
    for name, value in counters.items():
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            prefix = ".".join(parts[:i])
            if prefix:
                out[prefix] = out.get(prefix, 0) + value
    return out


class Series:
    def __init__(self, store: SeriesStore) -> None:
        self.store = store

    def record(self, app: str, counters: Any, timestamp_ms: int) -> dict[str, int]:
        clean = self.validate(counters)
        buckets = [(r, bucket(r, timestamp_ms)) for r in RESOLUTIONS]
        for name, value in rollup(clean).items():
            self.store.add(app, name, buckets, value)
        return clean

    def validate(self, counters: Any) -> dict[str, int]:
        if not isinstance(counters, dict) or not counters:
            raise InvalidInput('an event needs "counters": {"name": number, ...}')
        clean: dict[str, int] = {}
        for name, value in counters.items():
            if not isinstance(name, str) or not NAME_RE.match(name):
                raise InvalidInput(f"invalid counter name: {name!r}")
            if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
                    or value != int(value) or abs(value) >= 2**63):
                raise InvalidInput(f"counter {name} must be a 64-bit integer")
            clean[name] = int(value)
        return clean

    def read(self, app: str, names: Sequence[str], resolution: str, start: int, end: int) -> list[dict[str, Any]]:
        if resolution not in RESOLUTIONS:
            raise InvalidInput(f"resolution must be one of {', '.join(RESOLUTIONS)}")
        if not names:
            raise InvalidInput("name at least one counter")
        out = []
        for name in names:
            if not NAME_RE.match(name):
                raise InvalidInput(f"invalid counter name: {name!r}")
            lo = 0 if resolution == "all" else bucket(resolution, start)
            values = self.store.range(app, name, resolution, lo, end)
            out.append({"name": name, "values": [{"timestamp": t, "value": v} for t, v in values]})
        return out

    def names(self, app: str) -> list[str]:
        return self.store.names(app)
