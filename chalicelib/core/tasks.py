"""Asynchronous requests: a task handle now, the result later, in whatever process runs the work.

A task is three things, kept where their size is never a problem:

- its request (`_tasks/<app>/<handle>/request.json` in the files bucket): which registered runner
  executes it and the runner's parameters (for Lightblue: operation, entity, version, body and the
  caller), plain JSON, because the work may run in another process: an AWS Lambda freezes once its
  response is sent, so the API function cannot run it on a thread;
- its status (`task#<app>#<handle>` in the tokens store, with TTL): a small document, RUNNING,
  then COMPLETE, or ERROR with the runner's error envelope inline (errors are small; a result is not);
- its result (`_tasks/<app>/<handle>/result.json`): what a COMPLETE task answered.

A `Dispatcher` starts the work with the event `{"task": <handle>, "app": <app uuid>}` and returns
at once: `ThreadDispatcher` runs `Tasks.execute` on a daemon thread (chalice local, tests); the
Lambda dispatcher (storage/lambdas.py) sends the same event to an asynchronous invocation of the
worker function, which calls `Tasks.execute` there. The event stays tiny whatever the request
size (an async invocation carries at most 256 KB).

No task may stay RUNNING forever: a run that raises, a result that cannot be stored or is too big
to return, and a worker that never started or was killed by its timeout (no `except` runs then)
all end, or read, as ERROR.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .auth import Principal
from .errors import CoreError, NotFound, TooLarge
from .ids import is_uuid, uuid7
from .ports import TokenStore

TTL_S = 86_400  # status TTL; the bucket's lifecycle rule on PREFIX expires the objects after a day too
PREFIX = "_tasks/"  # never an app uuid, so no file API (keys `<app uuid>/...`) reaches it
START_WITHIN_S = 900  # a task its worker has not started by then is abandoned (async invocations queue)
RUN_LIMIT_S = 900  # the worker function's timeout (.chalice/config.json); past it the run was killed
GRACE_S = 60
MAX_RESULT_BYTES = 5_000_000  # a result is returned in one response: Lambda answers at most 6 MB
MAX_ERROR_BYTES = 32_000  # an error envelope lives inline in the status item (400 KB items)

Event = dict[str, str]


class TaskTimeout(CoreError):
    status = 504
    default_message = "the task did not finish in time"


class ResultTooLarge(TooLarge):
    default_message = "the task's result is too large to return"


class TaskFailed(CoreError):
    status = 500
    default_message = "the task failed"


@dataclass(frozen=True)
class Runner:
    """What executes one kind of task: `run(params)` returns the result document, `error(params, exc)`
    renders any failure as that dialect's error document (params may be {} if they were unreadable)."""

    run: Callable[[dict[str, Any]], dict[str, Any]]
    error: Callable[[dict[str, Any], Exception], dict[str, Any]]


# Filled at import by the dialects that submit tasks: a worker Lambda imports them as an API one does.
RUNNERS: dict[str, Runner] = {}


def register_runner(name: str, runner: Runner) -> None:
    RUNNERS[name] = runner


class Blobs(Protocol):
    """The part of the BlobStore port (core/ports.py) that tasks use."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> tuple[bytes, str] | None: ...


class Dispatcher(Protocol):
    def dispatch(self, event: Event) -> None:
        """Start `Tasks.execute(event)` somewhere and return at once; raise if it cannot be started."""


class ThreadDispatcher:
    """Runs the work on a daemon thread of this process (chalice local, tests); `join` lets them wait.

    Wrong inside AWS Lambda, which freezes the process once the response is sent.
    """

    def __init__(self, target: Callable[[Event], Any] | None = None) -> None:
        self.target = target
        self.threads: list[threading.Thread] = []

    def dispatch(self, event: Event) -> None:
        if self.target is None:
            raise RuntimeError("ThreadDispatcher has no target: give it Tasks.execute")
        t = threading.Thread(target=self.target, args=(event,), daemon=True, name="baas-task")
        self.threads = [x for x in self.threads if x.is_alive()] + [t]
        t.start()

    def join(self, timeout: float = 30.0) -> None:
        for t in list(self.threads):
            t.join(timeout)


def principal_doc(p: Principal) -> dict[str, Any]:
    """A Principal as JSON, so that a worker in another process acts as the caller did."""
    return {"kind": p.kind, "subject": p.subject, "app": p.app, "orgs": list(p.orgs), "via_key": p.via_key}


def caller_id(p: Principal) -> str:
    """Who created a task, as stored with it: the kind and subject of the principal."""
    return f"{p.kind}:{p.subject or ''}"


def principal_of(doc: dict[str, Any]) -> Principal:
    return Principal(str(doc["kind"]), doc.get("subject"), doc.get("app"), tuple(doc.get("orgs") or ()),
                     bool(doc.get("via_key")))


def request_key(app: str, handle: str) -> str:
    return f"{PREFIX}{app}/{handle}/request.json"


def result_key(app: str, handle: str) -> str:
    return f"{PREFIX}{app}/{handle}/result.json"


class Tasks:
    def __init__(self, store: TokenStore, blobs: Blobs, dispatcher: Dispatcher,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.blobs = blobs
        self.dispatcher = dispatcher
        self.clock = clock
        self.max_result_bytes = MAX_RESULT_BYTES

    # -- the API function -----------------------------------------------------------------------
    def submit(self, app: str, runner: str, params: dict[str, Any], owner: str | None = None) -> str:
        """Store the request and its RUNNING status, start the worker; returns the handle.

        A dispatch that fails (the invoke is refused) ends the task as ERROR at once rather than
        leaving a RUNNING task no worker will ever pick up.
        """
        if runner not in RUNNERS:
            raise ValueError(f"no task runner {runner!r} is registered")
        handle = uuid7()
        data = json.dumps({"runner": runner, "params": params}, separators=(",", ":")).encode()
        self.blobs.put(request_key(app, handle), data, "application/json")
        status = {"handle": handle, "kind": runner, "state": "RUNNING", "submitted": self._ms(),
                  **({"owner": owner} if owner else {})}
        self._put(app, handle, status)
        try:
            self.dispatcher.dispatch({"task": handle, "app": app})
        except Exception as e:  # noqa: BLE001 - any refusal to start is the task's failure
            traceback.print_exc(file=sys.stderr)
            failed = TaskFailed(f"the task could not be started: {type(e).__name__}", code="rest-crud:TaskNotStarted")
            self._finish(app, handle, status, "ERROR", self._error(runner, params, failed))
        return handle

    def get(self, app: str, handle: str, reader: str | None = None) -> dict[str, Any]:
        """{"state": RUNNING|COMPLETE|ERROR, "result": ...}; another app's handle is unknown here.

        `reader`: who asks (`caller_id`), None for a privileged caller. A task's result is the
        answer to its creator's request, so anyone else gets the same 404 as for no task at all."""
        doc = self.store.get(_key(app, handle)) if is_uuid(handle) else None
        if doc is not None and reader is not None and doc.get("owner") != reader:
            doc = None
        if doc is None:
            raise NotFound(f"unknown task {handle}", code="rest-crud:UnknownTask")
        state = doc.get("state")
        if state == "RUNNING":
            late = self._late(doc)
            if late is None:
                return {"state": "RUNNING"}
            return {"state": "ERROR", "result": self._error(str(doc.get("kind")), {}, late)}
        if state == "ERROR":
            return {"state": "ERROR", "result": doc.get("result")}
        got = self.blobs.get(result_key(app, handle))
        if got is None:
            raise NotFound(f"the result of task {handle} has expired", code="rest-crud:UnknownTask")
        return {"state": str(state), "result": json.loads(got[0])}

    # -- the worker -----------------------------------------------------------------------------
    def execute(self, event: Any) -> str:
        """Run the task an event names, once; returns the state it ended in (or why it did not run).

        Never raises: Lambda retries a failed async invocation, and a second run of a half-done
        insert is worse than an ERROR the caller can see. If even the final status write fails,
        the status read reports the task as timed out once RUN_LIMIT_S has passed.
        """
        try:
            return self._execute(event)
        except Exception:  # noqa: BLE001 - the status store itself failed; see _late
            traceback.print_exc(file=sys.stderr)
            return "LOST"

    def _execute(self, event: Any) -> str:
        if not isinstance(event, dict) or not is_uuid(str(event.get("task"))) or not isinstance(event.get("app"), str):
            return "INVALID"
        app, handle = event["app"], str(event["task"])
        status = self.store.get(_key(app, handle))
        if status is None:
            return "UNKNOWN"
        if status.get("state") != "RUNNING" or status.get("started"):
            return "DUPLICATE"  # a retried or repeated invocation: the first one owns the task
        kind, params = str(status.get("kind")), dict[str, Any]()
        if self._ms() > int(status.get("submitted", 0)) + START_WITHIN_S * 1000:
            late = TaskTimeout("the task was not started in time", code="rest-crud:TaskTimeout")
            return self._finish(app, handle, status, "ERROR", self._error(kind, params, late))
        # The claim: one conditional write that only the first invocation wins, so a task never runs
        # twice (Lambda retries async invocations; two may read RUNNING-not-started at once).
        if not self.store.put_new(_key(app, handle) + "#claim", {"exp": int(self.clock()) + TTL_S},
                                  int(self.clock()) + TTL_S):
            return "DUPLICATE"
        status = {**status, "started": self._ms()}
        try:
            self._put(app, handle, status)
            got = self.blobs.get(request_key(app, handle))
            if got is None:
                raise TaskFailed("the task's request has expired", code="rest-crud:UnknownTask")
            spec = json.loads(got[0])
            kind, params = str(spec["runner"]), dict(spec["params"])
            result = RUNNERS[kind].run(params)
        except Exception as e:  # noqa: BLE001 - a task's failure is its result
            if not isinstance(e, CoreError):
                traceback.print_exc(file=sys.stderr)
            return self._finish(app, handle, status, "ERROR", self._error(kind, params, e))
        try:
            data = json.dumps(result, separators=(",", ":"), default=str).encode()
            if len(data) > self.max_result_bytes:
                raise ResultTooLarge(f"the result is {len(data)} bytes, more than the {self.max_result_bytes} a "
                                     "response can carry: narrow the query, project fewer fields or use a range",
                                     code="rest-crud:ResultTooLarge")
            self.blobs.put(result_key(app, handle), data, "application/json")
        except Exception as e:  # noqa: BLE001 - an unstorable result must end the task, not strand it
            if not isinstance(e, CoreError):
                traceback.print_exc(file=sys.stderr)
            return self._finish(app, handle, status, "ERROR", self._error(kind, params, e))
        return self._finish(app, handle, status, "COMPLETE", None)

    # -- helpers --------------------------------------------------------------------------------
    def _finish(self, app: str, handle: str, status: dict[str, Any], state: str, error: dict[str, Any] | None) -> str:
        doc = {**status, "state": state, "finished": self._ms()}
        if error is not None:
            doc["result"] = error
        self._put(app, handle, doc)
        return state

    def _error(self, kind: str, params: dict[str, Any], e: Exception) -> dict[str, Any]:
        """The runner's error document, kept small enough for the status item."""
        runner = RUNNERS.get(kind)
        doc = runner.error(params, e) if runner else {"status": "ERROR", "error": str(e)[:1000]}
        if len(json.dumps(doc, default=str)) > MAX_ERROR_BYTES:
            short = TaskFailed("the task failed; its error report was too large to keep", code="rest-crud:TaskFailed")
            doc = runner.error({}, short) if runner else {"status": "ERROR", "error": short.message}
        return doc

    def _late(self, doc: dict[str, Any]) -> CoreError | None:
        """Why a RUNNING task can no longer finish, if it cannot: its worker never started, or ran
        past the worker function's timeout (Lambda kills it without running any `except`)."""
        now = self._ms()
        started = doc.get("started")
        if started is None and now > int(doc.get("submitted", 0)) + (START_WITHIN_S + GRACE_S) * 1000:
            return TaskTimeout("the task was never started", code="rest-crud:TaskTimeout")
        if started is not None and now > int(started) + (RUN_LIMIT_S + GRACE_S) * 1000:
            return TaskTimeout(f"the task ran longer than {RUN_LIMIT_S} s and was stopped", code="rest-crud:TaskTimeout")
        return None

    def _ms(self) -> int:
        return int(self.clock() * 1000)

    def _put(self, app: str, handle: str, doc: dict[str, Any]) -> None:
        exp = int(self.clock()) + TTL_S
        self.store.put(_key(app, handle), {**doc, "exp": exp}, exp)


def _key(app: str, handle: str) -> str:
    return f"task#{app}#{handle}"
