"""The Dispatcher port (core/tasks.py) on AWS Lambda: one asynchronous invocation of the worker per task.

Inside Lambda a background thread dies with the response (the sandbox is frozen), so the work is
handed to the stage's worker function (`InvocationType="Event"`: Lambda queues it and answers 202
at once). The payload is only `{"task", "app"}`: an async invocation carries at most 256 KB, so
the request itself waits in S3 (core/tasks.py). The client is built on first dispatch, so an API
request that submits no task never pays for it.
"""

from __future__ import annotations

import json
import threading
from typing import Any

MAX_EVENT_BYTES = 256 * 1024

_lock = threading.Lock()


class LambdaDispatcher:
    def __init__(self, function_name: str, region: str, client: Any = None) -> None:
        # An empty name is checked on dispatch, not here: the worker function runs in Lambda too
        # and builds the same services, but never dispatches, so it needs no BAAS_TASK_FUNCTION.
        self.function_name, self.region = function_name, region
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            with _lock:
                if self._client is None:
                    from .clients import client

                    self._client = client("lambda", self.region)
        return self._client

    def dispatch(self, event: dict[str, str]) -> None:
        """Queue the worker; raises if Lambda refuses (throttled, no permission, no such function)."""
        if not self.function_name:
            raise RuntimeError("no task worker to invoke: set BAAS_TASK_FUNCTION (docs/DEPLOY.md)")
        payload = json.dumps(event, separators=(",", ":")).encode()
        if len(payload) > MAX_EVENT_BYTES:  # the core sends ids only; a bigger event is a bug
            raise ValueError(f"task event of {len(payload)} bytes exceeds the async invocation limit")
        resp = self.client.invoke(FunctionName=self.function_name, InvocationType="Event", Payload=payload)
        status = int(resp.get("StatusCode") or 0)
        if status != 202:
            raise RuntimeError(f"Lambda answered {status} to the async invocation of {self.function_name}")
