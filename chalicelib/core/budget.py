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
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import InvalidQuery


@dataclass(frozen=True)
class Limits:
    calls: int = 2_500  # DynamoDB calls (reads and writes): ~2,000 is one synchronous 500-document update
    items: int = 60_000  # items read: 40,000 index entries + 10,000 documents is Lightblue's whole-match read
    seconds: float = 20.0  # API Gateway gives up at 29 s; we answer before it does
    branches: int = 100  # IN values / OR branches read through indexes (each is at least one Query)
    bulk: int = 100  # entities one synchronous bulk update or delete changes (~400 calls; more: page, or a task)
    page_bytes: int = 5_000_000  # entity bytes one answer carries (entity_bytes; Lambda answers at most 6 MB)
    related: int = 1_000  # related objects one request loads (Backendless loadRelations / relationsDepth)


DEFAULT = Limits()

# Lambda refuses a synchronous response over 6 MB (6,291,456 bytes of its JSON payload, which holds the
# body as a JSON string, so the body is escaped a second time). A page of entities stops at
# `Limits.page_bytes` of entities measured that way (`entity_bytes`), leaving the rest for envelopes.
LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024
ENTITY_ALLOWANCE = 1024  # per entity: what a dialect adds around a document (metadata, type, links, commas)


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


def calls_left() -> int | None:
    """DynamoDB calls the current request may still make; None outside a request (no ceiling)."""
    b = _current.get()
    return None if b is None else max(0, b.limits.calls - b.calls)


def seconds_left() -> float | None:
    """Seconds the current request may still run; None outside a request (no ceiling)."""
    b = _current.get()
    return None if b is None else b.limits.seconds - (b.clock() - b.started)


def check_branches(n: int, what: str = "alternatives") -> None:
    if n > limits().branches:
        raise OverBudget(f"this query reads {n} {what} (IN values or OR branches) through indexes; at most "
                         f"{limits().branches} per request")


def check_bulk(n: int) -> None:
    if n > limits().bulk:
        raise OverBudget(f"a bulk write changes at most {limits().bulk} entities per request; narrow the "
                         "condition or page through it")


def entity_bytes(doc: Any) -> int:
    """What one entity adds to a response as Lambda carries it: the document serialized as Chalice does
    (ASCII-escaped), escaped again as the body string of Lambda's payload, plus ENTITY_ALLOWANCE.
    The stored size (MAX_DOC_BYTES, UTF-8) can double each time: a quote is 1 byte, then 2, then 4."""
    return len(json.dumps(json.dumps(doc, separators=(",", ":"), default=str))) + ENTITY_ALLOWANCE


def fitting(docs: Iterable[dict[str, Any]]) -> int:
    """How many of `docs`, from the first, one answer can carry (at least one: a single entity is under
    MAX_DOC_BYTES, far below the bound, so a page always makes progress)."""
    total, n = 0, 0
    for doc in docs:
        total += entity_bytes(doc)
        if n and total > limits().page_bytes:
            break
        n += 1
    return n


def check_answer(docs: Sequence[Any], **details: Any) -> None:
    """For answers that cannot hand back a cursor (skip/offset/range paging, whole matches, aggregates, an
    object with its pointers expanded): refuse what would not fit in one Lambda response, rather than send
    fewer and let a client skip the rest. Unlike `fitting`, a single entity counts too: expanded pointers
    (`include`) or an aggregate's output are not bounded by MAX_DOC_BYTES."""
    total, room = 0, limits().page_bytes
    for doc in docs:
        total += entity_bytes(doc)
        if total > room:
            raise OverBudget(f"these {len(docs)} entities are more than {room:,} bytes, more than one response "
                             "may carry; ask for fewer at a time (a smaller limit or page size, fewer includes)",
                             **details)


def body_bytes(body: str | bytes) -> int:
    """What a response body weighs in Lambda's payload: a text body as a JSON string (escaped again), a
    binary one base64-encoded."""
    if isinstance(body, bytes):
        return (len(body) + 2) // 3 * 4
    return len(json.dumps(body))


def too_big_for_lambda(body: str | bytes) -> bool:
    """Whether a response body would take Lambda past its 6 MB response limit (headers and the proxy
    envelope get `RESPONSE_SLACK`). Cheap for the usual small body: only one that could be near the
    limit (a JSON string escapes to at most 6 characters per character) is measured."""
    room = LAMBDA_RESPONSE_BYTES - RESPONSE_SLACK
    if isinstance(body, bytes):
        return body_bytes(body) > room
    return len(body) * 6 > room and body_bytes(body) > room


RESPONSE_SLACK = 64 * 1024


class Room:
    """What is left of one answer made of parts produced one by one (a batch's results): each part is
    `take`n as it comes, and `full` says when a part that can be left out (a read) should not run at all."""

    def __init__(self) -> None:
        self.left = limits().page_bytes

    def full(self) -> bool:
        return self.left <= 0

    def fits(self, part: Any) -> bool:
        return entity_bytes(part) <= self.left

    def take(self, part: Any) -> None:
        self.left -= entity_bytes(part)

    @staticmethod
    def error() -> OverBudget:
        return OverBudget(f"the answers before this one fill what one response may carry ({limits().page_bytes:,} "
                          "bytes); send this request on its own or ask for fewer objects")
