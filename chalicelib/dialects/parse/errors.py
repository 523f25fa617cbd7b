"""Core errors as Parse Server reports them, with its status rule.

Body `{"code": n, "error": "..."}`; HTTP 404 for code 101, 500 for code 1 (unexpected failures
only), 400 for every other code (Parse's `handleParseErrors`). Key failures are a bare
`403 {"error": "unauthorized"}` and master-only routes a bare `403 {"error": "Permission denied"}`
(no code, as Parse Server 9). Deliberate differences: contention the core could not resolve
(`ConcurrencyExhausted`) is 409 code 1, and a body over the size limit is 413 code 116, so the
SDK does not retry them as it retries every 5xx.
"""

from __future__ import annotations

import json

from chalice import Response

from ...core import errors as e
from ..parselike import errors as pe
from ..parselike.errors import ParseStyleError

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET,PUT,POST,DELETE,OPTIONS",
    "Access-Control-Allow-Headers": ("X-Parse-Master-Key, X-Parse-REST-API-Key, X-Parse-Javascript-Key, "
                                     "X-Parse-Application-Id, X-Parse-Client-Version, X-Parse-Session-Token, "
                                     "X-Requested-With, X-Parse-Revocable-Session, X-Parse-Request-Id, "
                                     "X-Parse-Client-Key, X-Parse-Installation-Id, X-Parse-Upload-Mode, "
                                     "X-Parse-Cloud-Context, Content-Type, Pragma, Cache-Control"),
    "Access-Control-Expose-Headers": "X-Parse-Job-Status-Id, X-Parse-Push-Status-Id, X-Request-Cost",
}
SCRIPT_FAILED, INVALID_FUNCTION = 141, 141
INVALID_ACL, INVALID_FILE_NAME, MISSING_PUSH_CONFIG, AGGREGATE = 123, 122, 115, 600


class ParseError(ParseStyleError):
    """A Parse error worded here: code, message and (by Parse's rule unless given) status."""

    def __init__(self, code: int, message: str, status: int | None = None) -> None:
        super().__init__(code, message, status if status is not None else status_of(code))


class Refused(e.CoreError):
    """Parse's code-less refusals: bad keys (403 unauthorized), master-only routes (403)."""

    def __init__(self, message: str = "unauthorized", status: int = 403) -> None:
        super().__init__(message)
        self.status = status


def unauthorized() -> Refused:
    return Refused("unauthorized")


def master_required() -> Refused:
    return Refused("Permission denied")


def status_of(code: int) -> int:
    return 404 if code == pe.OBJECT_NOT_FOUND else 500 if code == pe.INTERNAL else 400


def code_for(err: e.CoreError) -> tuple[int, dict[str, object]]:
    """(HTTP status, body) of a core error."""
    if isinstance(err, Refused):
        return err.status, {"error": err.message}
    if isinstance(err, ParseError):
        return err.status, {"code": err.code, "error": err.message}
    if isinstance(err, (e.RouteNotFound, e.MethodNotAllowed)):  # dialects/fallback.py: as the registry's 404
        return 404 if isinstance(err, e.RouteNotFound) else 405, {"error": err.message}
    if isinstance(err, e.ConcurrencyExhausted):
        return 409, {"code": pe.INTERNAL, "error": err.message}
    if isinstance(err, e.TooLarge):
        return 413, {"code": pe.OBJECT_TOO_LARGE, "error": err.message}
    if isinstance(err, (e.Forbidden, e.Unauthorized)) and not isinstance(err, e.BadToken | e.BadCredentials):
        return 400, {"code": pe.OPERATION_FORBIDDEN, "error": "Permission denied"}
    _, code, message = pe.code_for(err)
    return status_of(code), {"code": code, "error": message}


def body(err: e.CoreError) -> dict[str, object]:
    return code_for(err)[1]


def render(err: e.CoreError | None, exc: Exception, started: float) -> Response:
    if err is None:
        status, payload = 500, {"code": pe.INTERNAL, "error": "internal server error"}
    else:
        status, payload = code_for(err)
    return Response(body=json.dumps(payload), status_code=status,
                    headers={"Content-Type": "application/json", **CORS_HEADERS})
