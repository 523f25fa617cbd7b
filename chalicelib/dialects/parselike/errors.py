"""Core errors as Parse reports them: `{"code": n, "error": "..."}` with Parse's codes.

Parse Server answers 404 for code 101 and 400 for nearly everything else; we keep its codes
and use 401/403/413/409 where the failure is about credentials, size or contention.
"""

from __future__ import annotations

import json

from chalice import Response

from ...core import errors as e

# Parse error codes used by this dialect
INTERNAL, OBJECT_NOT_FOUND, INVALID_QUERY, INVALID_CLASS_NAME = 1, 101, 102, 103
MISSING_OBJECT_ID, INVALID_KEY_NAME, INVALID_POINTER, INVALID_JSON = 104, 105, 106, 107
INCORRECT_TYPE, OPERATION_FORBIDDEN, OBJECT_TOO_LARGE, DUPLICATE_VALUE = 111, 119, 116, 137
USERNAME_MISSING, PASSWORD_MISSING, USERNAME_TAKEN, EMAIL_TAKEN = 200, 201, 202, 203
EMAIL_MISSING, EMAIL_NOT_FOUND, SESSION_MISSING, INVALID_SESSION_TOKEN = 204, 205, 206, 209
FILE_SAVE_ERROR, INVALID_EMAIL, OTHER_CAUSE = 130, 125, -1


class ParseStyleError(e.CoreError):
    """An error this dialect words itself, with its Parse code and HTTP status."""

    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


# core error -> (HTTP status, Parse code)
TABLE: dict[type[Exception], tuple[int, int]] = {
    e.EntityNotFound: (404, OBJECT_NOT_FOUND),
    e.TenantNotFound: (403, OPERATION_FORBIDDEN),
    e.MethodNotAllowed: (405, OPERATION_FORBIDDEN),
    e.RouteNotFound: (404, INVALID_CLASS_NAME),
    e.NotFound: (404, OBJECT_NOT_FOUND),
    e.DuplicateUnique: (400, DUPLICATE_VALUE),
    e.ConcurrencyExhausted: (409, INTERNAL),
    e.Conflict: (409, DUPLICATE_VALUE),
    e.BadToken: (400, INVALID_SESSION_TOKEN),
    e.BadCredentials: (404, OBJECT_NOT_FOUND),
    e.Unauthorized: (401, OPERATION_FORBIDDEN),
    e.Forbidden: (403, OPERATION_FORBIDDEN),
    e.TooManyRequests: (429, 155),  # Parse's RequestLimitExceeded
    e.InvalidQuery: (400, INVALID_QUERY),
    e.MalformedBody: (400, INVALID_JSON),
    e.InvalidPropertyName: (400, INVALID_KEY_NAME),
    e.TooLarge: (413, OBJECT_TOO_LARGE),
    e.InvalidInput: (400, INCORRECT_TYPE),
    e.CoreError: (400, INTERNAL),
}


def code_for(err: e.CoreError) -> tuple[int, int, str]:
    """(status, code, message) of a core error."""
    if isinstance(err, ParseStyleError):
        return err.status, err.code, err.message
    if isinstance(err, e.DuplicateUnique) and err.details.get("prop") in ("username", "email"):
        prop = err.details["prop"]
        return (400, USERNAME_TAKEN, "Account already exists for this username.") if prop == "username" else \
            (400, EMAIL_TAKEN, "Account already exists for this email address.")
    if isinstance(err, e.BadCredentials):
        return 404, OBJECT_NOT_FOUND, "Invalid username/password."
    if isinstance(err, e.EntityNotFound):
        return 404, OBJECT_NOT_FOUND, "Object not found."
    if isinstance(err, e.BadToken):
        return 400, INVALID_SESSION_TOKEN, "Invalid session token"
    status, code = next(TABLE[k] for k in type(err).__mro__ if k in TABLE)
    return status, code, err.message


def body(err: e.CoreError) -> dict[str, object]:
    _, code, message = code_for(err)
    return {"code": code, "error": message}


def render(err: e.CoreError | None, exc: Exception, started: float) -> Response:
    if err is None:
        status, payload = 500, {"code": INTERNAL, "error": "internal server error"}
    else:
        status, code, message = code_for(err)
        payload = {"code": code, "error": message}
    return Response(body=json.dumps(payload), status_code=status, headers={"Content-Type": "application/json"})
