"""What one request may cost: DynamoDB calls, items read, seconds, and the shape limits that keep
a single query or bulk write inside them.

Every request gets a `Budget` at the edge (dialects/http.py starts it with the stage's `Limits`,
config.Settings); storage charges each DynamoDB call to it before the call is made (storage/meter.py),
so a request over its ceiling stops with `OverBudget`, a 400 in the dialect's envelope, instead of
running for 20 s. The planner and the bulk operations check the shape limits up front (`branches`,
`bulk`), so the common expensive requests are refused before anything is read or written; the
call/item/time ceilings are the backstop for everything else. Work outside a request (Lightblue's
task worker, scripts) has no budget: `charge` is then a no-op.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import InvalidQuery


@dataclass(frozen=True)
class Limits:
    calls: int = 2_500  # DynamoDB calls (reads and writes): ~2,000 is one synchronous 500-document update
    items: int = 60_000  # items read: 40,000 index entries + 10,000 documents is Lightblue's whole-match read
    seconds: float = 20.0  # API Gateway gives up at 29 s; we answer before it does
    branches: int = 100  # IN values / OR branches read through indexes (each is at least one Query)
    bulk: int = 100  # entities one synchronous bulk update or delete changes (~400 calls; more: page, or a task)


DEFAULT = Limits()


class OverBudget(InvalidQuery):
    """The request would cost more than its stage allows; narrow it, page it, or run it as a task."""

    default_message = "this request costs more than one request may; narrow it or page through it"


class Budget:
    def __init__(self, limits: Limits = DEFAULT, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits, self.clock = limits, clock
        self.started = clock()
        self.calls = 0
        self.items = 0

    def charge(self, calls: int = 0, items: int = 0) -> None:
        """Count `calls` about to be made and `items` just read; OverBudget past any ceiling."""
        self.calls += calls
        self.items += items
        lim = self.limits
        if self.calls > lim.calls:
            raise OverBudget(f"this request needs more than {lim.calls} DynamoDB calls; narrow it or page through it")
        if self.items > lim.items:
            raise OverBudget(f"this request reads more than {lim.items} items; narrow it or page through it")
        if calls and self.clock() - self.started > lim.seconds:
            raise OverBudget(f"this request ran past {lim.seconds:g} s; narrow it or page through it")


_current: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("request_budget", default=None)


def start(limits: Limits = DEFAULT) -> Budget:
    b = Budget(limits)
    _current.set(b)
    return b


def stop() -> None:
    _current.set(None)


def current() -> Budget | None:
    return _current.get()


def limits() -> Limits:
    """The current request's limits (the defaults outside a request)."""
    b = _current.get()
    return b.limits if b is not None else DEFAULT


def charge(calls: int = 0, items: int = 0) -> None:
    b = _current.get()
    if b is not None:
        b.charge(calls, items)


def check_branches(n: int, what: str = "alternatives") -> None:
    if n > limits().branches:
        raise OverBudget(f"this query reads {n} {what} (IN values or OR branches) through indexes; at most "
                         f"{limits().branches} per request")


def check_bulk(n: int) -> None:
    if n > limits().bulk:
        raise OverBudget(f"a bulk write changes at most {limits().bulk} entities per request; narrow the "
                         "condition or page through it")
