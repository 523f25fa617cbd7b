"""Asynchronous requests: a task handle now, the result later.

A task is a small JSON document (state RUNNING, then COMPLETE or ERROR with the result) kept in
a store with expiry (the TokenStore port: DynamoDB TTL removes finished tasks after a day).
The work itself is handed to a `Dispatcher`: locally a daemon thread in the same process; in AWS
the same work would be shipped to an asynchronous Lambda invocation (InvocationType=Event) of a
worker function, since a Lambda freezes background threads once its response is sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from .errors import NotFound
from .ids import uuid7
from .ports import TokenStore

TTL_S = 86_400
Work = Callable[[], dict[str, Any]]


class Dispatcher(Protocol):
    def dispatch(self, run: Callable[[], None]) -> None: ...


class ThreadDispatcher:
    """Runs the work on a daemon thread; `join` lets tests and shutdown wait for it."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def dispatch(self, run: Callable[[], None]) -> None:
        t = threading.Thread(target=run, daemon=True, name="baas-task")
        self.threads = [x for x in self.threads if x.is_alive()] + [t]
        t.start()

    def join(self, timeout: float = 30.0) -> None:
        for t in list(self.threads):
            t.join(timeout)


class Tasks:
    def __init__(self, store: TokenStore, dispatcher: Dispatcher) -> None:
        self.store = store
        self.dispatcher = dispatcher

    def submit(self, app: str, kind: str, work: Work, on_error: Callable[[Exception], dict[str, Any]]) -> str:
        handle = uuid7()
        key = _key(app, handle)
        self._put(key, {"handle": handle, "kind": kind, "state": "RUNNING", "submitted": int(time.time() * 1000)})

        def run() -> None:
            try:
                result, state = work(), "COMPLETE"
            except Exception as e:  # noqa: BLE001 - a task's failure is its result
                result, state = on_error(e), "ERROR"
            self._put(key, {"handle": handle, "kind": kind, "state": state, "result": result,
                            "finished": int(time.time() * 1000)})

        self.dispatcher.dispatch(run)
        return handle

    def get(self, app: str, handle: str) -> dict[str, Any]:
        doc = self.store.get(_key(app, handle))
        if doc is None:
            raise NotFound(f"unknown task {handle}", code="rest-crud:UnknownTask")
        return doc

    def _put(self, key: str, doc: dict[str, Any]) -> None:
        self.store.put(key, {**doc, "exp": int(time.time()) + TTL_S}, int(time.time()) + TTL_S)


def _key(app: str, handle: str) -> str:
    return f"task#{app}#{handle}"
