"""A server-side key/value cache per app, with expiry the core enforces itself.

Entries live in DynamoDB with its TTL attribute, but TTL deletes up to days late, so every
read compares the expiry with the clock: an expired entry is never returned.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from . import validate
from .errors import InvalidInput, NotFound, TooLarge
from .ports import CacheStore

KEY_RE = re.compile(r"^[^\x00-\x1f/]{1,200}$")
DEFAULT_TTL_S = 7200  # Backendless keeps an entry 2 hours unless told otherwise
MAX_TTL_S = 7200
MAX_VALUE_BYTES = 300_000  # a DynamoDB item stops at 400 KB


class CacheKeyNotFound(NotFound):
    default_message = "cache key not found"


def _key(key: str) -> str:
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise InvalidInput(f"invalid cache key: {key!r}")
    return key


def _ttl(seconds: Any) -> int:
    if seconds in (None, "", 0, "0"):
        return DEFAULT_TTL_S
    try:
        value = int(validate.finite(seconds, "timeout (seconds)"))
    except InvalidInput:
        raise InvalidInput("timeout must be a number of seconds") from None
    if value <= 0:
        raise InvalidInput("timeout must be a positive number of seconds")
    return min(value, MAX_TTL_S)


class Cache:
    def __init__(self, store: CacheStore, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def put(self, app: str, key: str, value: Any, timeout_s: Any = None) -> None:
        raw = json.dumps(validate.check(value, "cache value"), separators=(",", ":"))
        if len(raw) > MAX_VALUE_BYTES:
            raise TooLarge(f"cache values stop at {MAX_VALUE_BYTES} bytes")
        self.store.put(app, _key(key), raw, int(self.clock()) + _ttl(timeout_s))

    def get(self, app: str, key: str) -> Any:
        """The value, or None when missing or expired."""
        got = self.store.get(app, _key(key))
        if got is None or got[1] <= self.clock():
            return None
        return json.loads(got[0])

    def contains(self, app: str, key: str) -> bool:
        got = self.store.get(app, _key(key))
        return got is not None and got[1] > self.clock()

    def expire_in(self, app: str, key: str, seconds: Any) -> None:
        self._expire(app, key, int(self.clock()) + _ttl(seconds))

    def expire_at(self, app: str, key: str, timestamp_ms: Any) -> None:
        at = validate.epoch_ms(timestamp_ms, "timestamp") // 1000
        if at <= self.clock():
            raise InvalidInput("timestamp must be in the future")
        at = min(at, int(self.clock()) + MAX_TTL_S)  # as timeouts: an entry lives 2 hours at most
        self._expire(app, key, at)

    def _expire(self, app: str, key: str, at: int) -> None:
        if not self.store.set_expiry(app, _key(key), at, int(self.clock())):
            raise CacheKeyNotFound(f"cache key {key} not found")

    def delete(self, app: str, key: str) -> None:
        self.store.delete(app, _key(key))
