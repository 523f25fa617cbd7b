"""An example Cloud Code service (also used by the tests)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.cloudcode import CloudCodeError, Invocation, method


@method
def hello(call: Invocation) -> Any:
    name = (call.args or {}).get("name") if isinstance(call.args, dict) else None
    who = name or (call.user or {}).get("name") or (call.user or {}).get("email") or "stranger"
    return {"greeting": f"Hello, {who}!", "user": (call.user or {}).get("objectId")}


@method
def fail(call: Invocation) -> Any:
    raise CloudCodeError(14001, "greeter refuses")


@method
def crash(call: Invocation) -> Any:
    raise ValueError("boom")
