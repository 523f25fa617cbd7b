"""Per-request DynamoDB metering: calls, capacity consumed and items read.

pynamodb asks for ReturnConsumedCapacity=TOTAL on every data call; a botocore `after-call`
hook adds what DynamoDB reports to the meter of the current request (a contextvar, so
threads of one request share nothing by accident and requests never mix).
"""

from __future__ import annotations

import contextvars
import threading
from dataclasses import dataclass, field
from typing import Any

from ..core import budget

_READS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}


@dataclass
class Meter:
    calls: dict[str, int] = field(default_factory=dict)
    rcu: float = 0.0
    wcu: float = 0.0
    items_read: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def header(self) -> str:
        ops = ",".join(f"{k}:{v}" for k, v in sorted(self.calls.items()))
        return f"calls={self.total_calls}; rcu={self.rcu:g}; wcu={self.wcu:g}; items_read={self.items_read}; ops={ops}"

    def record(self, op: str, parsed: dict[str, Any]) -> None:
        with self._lock:  # the calls of one request may run on several threads (core/parallel.py)
            self._record(op, parsed)

    def _record(self, op: str, parsed: dict[str, Any]) -> None:
        self.calls[op] = self.calls.get(op, 0) + 1
        units = 0.0
        cap = parsed.get("ConsumedCapacity")
        for c in cap if isinstance(cap, list) else [cap] if cap else []:
            units += float(c.get("CapacityUnits") or 0)
        if op in _READS:
            self.rcu += units
        else:
            self.wcu += units
        if op == "GetItem":
            self.items_read += 1 if parsed.get("Item") else 0
        elif op == "BatchGetItem":
            self.items_read += sum(len(v) for v in (parsed.get("Responses") or {}).values())
        elif op in ("Query", "Scan"):
            self.items_read += int(parsed.get("ScannedCount", parsed.get("Count", 0)) or 0)


_current: contextvars.ContextVar[Meter | None] = contextvars.ContextVar("dynamodb_meter", default=None)


def start() -> Meter:
    m = Meter()
    _current.set(m)
    return m


def current() -> Meter | None:
    return _current.get()


def _after_call(http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any) -> None:
    m = _current.get()
    if m is not None and model is not None and isinstance(parsed, dict):
        before = m.items_read
        m.record(model.name, parsed)
        b = budget.current()
        if b is not None:
            b.items += m.items_read - before  # checked before the next call (core/budget.py)


def instrument(client: Any) -> None:
    """Attach the meter hook to a botocore DynamoDB client once."""
    if not getattr(client, "_baas_metered", False):
        client.meta.events.register("after-call.dynamodb", _after_call)
        client._baas_metered = True
