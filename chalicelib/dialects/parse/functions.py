"""`POST /functions/{name}`: our Python Cloud Code as Parse Cloud functions.

A Parse function `name` is the method `name` of the cloud code service `functions`
(`chalicelib/cloudcode/functions.py`, `@method` functions; see `hello` and `whoami`), so the same
function is `/backendless/.../services/functions/<name>` too. The params are the body minus the
underscore keys; the answer is `{"result": <return value>}`. An unknown function is `141 Invalid
function: "x"`; a `CloudCodeError(code, message)` raised by the function reaches the client as
`{code, error}`; any other exception is `141` with its message, never a 500.
"""

from __future__ import annotations

import importlib
import json

from ...core.cloudcode import NAME_RE, CloudCodeError, Invocation, lookup
from ...core.errors import CoreError
from .common import Ctx, Out, Req, route
from .errors import SCRIPT_FAILED, ParseError
from .objects import wire

SERVICE = "functions"


@route("functions")
def functions(ctx: Ctx, req: Req) -> Out:
    if len(req.parts) != 1 or req.method not in ("POST", "GET"):
        raise ParseError(SCRIPT_FAILED, "call a function with POST /functions/{name}")
    name = req.parts[0]
    fn = lookup(SERVICE, name) if NAME_RE.match(name) else None
    if fn is None and NAME_RE.match(name):
        importlib.import_module(f"chalicelib.cloudcode.{SERVICE}")
        fn = lookup(SERVICE, name)
    if fn is None:
        raise ParseError(SCRIPT_FAILED, f'Invalid function: "{name}"')
    params = req.fields() if req.method == "POST" else dict(req.params)
    user = None
    if ctx.user_id:
        found = ctx.data.find_record("users", ctx.user_id)
        user = wire(found) if found else None
    try:
        result = fn(Invocation(ctx.app, user, params, ctx.data))
    except CloudCodeError as e:
        raise ParseError(e.code, e.message) from None
    except CoreError:
        raise
    except Exception as e:  # noqa: BLE001 - a bug in cloud code is the function's error, not a 500
        raise ParseError(SCRIPT_FAILED, f"{type(e).__name__}: {e}") from None
    try:
        json.dumps(result)
    except (TypeError, ValueError):
        raise ParseError(SCRIPT_FAILED, "the function returned a value that is not JSON") from None
    return Out(200, {"result": result})


