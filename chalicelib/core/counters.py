"""Atomic counters: named integers per app, each operation one conditional or atomic write.

Increments are DynamoDB `ADD` updates that return the new value, so "get before" is the new
value minus the delta: exact even under concurrency, and still one round trip. Unknown
counters read 0 (ADD on a missing item starts from 0).
"""

from __future__ import annotations

import fnmatch
import re

from . import validate
from .errors import InvalidInput
from .ports import CounterStore

NAME_RE = re.compile(r"^[A-Za-z0-9_\-.:]{1,128}$")


def _name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise InvalidInput(f"invalid counter name: {name}")
    return name


def _int(value: object, what: str) -> int:
    """A 64-bit integer (Backendless counters are Java longs), so a sum stays far inside DynamoDB's 38 digits."""
    if value is None or value == "":
        raise InvalidInput(f"{what} must be an integer")
    return validate.integer(value, what, 0, -(2**63), 2**63 - 1)


class Counters:
    def __init__(self, store: CounterStore) -> None:
        self.store = store

    def get(self, app: str, name: str) -> int:
        return self.store.get(app, _name(name))

    def add_and_get(self, app: str, name: str, delta: object) -> int:
        return self.store.add(app, _name(name), _int(delta, "value"))

    def get_and_add(self, app: str, name: str, delta: object) -> int:
        d = _int(delta, "value")
        return self.store.add(app, _name(name), d) - d

    def compare_and_set(self, app: str, name: str, expected: object, updated: object) -> bool:
        return self.store.compare_and_set(app, _name(name), _int(expected, "expected"), _int(updated, "updatedvalue"))

    def reset(self, app: str, name: str) -> None:
        self.store.set(app, _name(name), 0)

    def names(self, app: str, pattern: str = "*") -> list[str]:
        """Names matching a glob (`*`, `?`): one Query over the app's counters, never a Scan."""
        return [n for n in self.store.names(app) if fnmatch.fnmatchcase(n, pattern or "*")]
