"""Parse Cloud functions (`POST /parse/functions/<name>`), also the Backendless service `functions`.

Each `@method` is one function: it receives an `Invocation` (`args`: the params, `user`: the
caller as a Parse `_User` or None, `data`: the app's data as the caller may see it) and returns
any JSON value, which Parse clients get as the function's result. See the README's Parse tour.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.cloudcode import CloudCodeError, Invocation, method


@method
def hello(call: Invocation) -> Any:
    """`Parse.Cloud.run("hello", {name})` -> "Hello, <name>!" (or the caller's username)."""
    args = call.args if isinstance(call.args, dict) else {}
    name = args.get("name") or (call.user or {}).get("username") or "world"
    if not isinstance(name, str) or len(name) > 100:
        raise CloudCodeError(141, "name must be a string of at most 100 characters")
    return f"Hello, {name}!"


@method
def whoami(call: Invocation) -> Any:
    """Who the server thinks is calling: the user (from the session token), or the key's role."""
    user = call.user or {}
    kind = getattr(getattr(call.data, "principal", None), "kind", None)
    return {"app": call.app.uuid, "user": user.get("objectId"), "username": user.get("username"),
            "master": kind == "app"}
