"""Core errors as Backendless reports them: `{"code": <int>, "message": "..."}` with its HTTP status.

Codes from Backendless' documentation where one exists (1000 object not found, 2002 bad app id
or API key, 3003 bad login, 3033 user exists, 3064 bad user token, 6000 file not found);
the others are ours and marked so.
"""

from __future__ import annotations

import json
from typing import Any

from chalice import Response

from ...core import errors as e
from ...core.cache import CacheKeyNotFound
from ...core.cloudcode import CloudCodeError
from ...core.files import FileExists, FileNotFound


class BackendlessError(e.CoreError):
    """An error with Backendless' own code, raised by this dialect where the code depends on the route."""

    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status


TABLE: dict[type[Exception], tuple[int, int]] = {  # core error -> (HTTP status, Backendless code)
    FileNotFound: (404, 6000),
    FileExists: (400, 6003),
    CacheKeyNotFound: (404, 7000),  # ours
    e.EntityNotFound: (404, 1000),
    e.TenantNotFound: (401, 2002),
    e.MethodNotAllowed: (405, 8001),  # ours
    e.RouteNotFound: (404, 8001),  # ours: "no such API"
    e.NotFound: (404, 1000),
    e.DuplicateUnique: (400, 1155),  # "duplicate entry" for unique columns
    e.ConcurrencyExhausted: (409, 1009),  # ours
    e.Conflict: (409, 1009),
    e.BadToken: (401, 3064),
    e.BadCredentials: (401, 3003),
    e.Unauthorized: (401, 3064),
    e.Forbidden: (403, 4000),  # ours: "no permission"
    e.TooManyRequests: (429, 5040),  # ours: a quota is used up
    e.InvalidQuery: (400, 1017),  # invalid where clause
    e.MalformedBody: (400, 8002),  # could not parse the request
    e.InvalidPropertyName: (400, 1007),  # ours
    e.TooLarge: (413, 8003),  # ours
    e.InvalidInput: (400, 8002),
    e.CoreError: (400, 8000),
}


def body(code: int, message: str) -> str:
    return json.dumps({"code": code, "message": message, "errorData": {}})


def render(err: e.CoreError | None, exc: Exception, started: float) -> Response:
    if err is None:
        status, code, message = 500, 0, "internal server error"
    elif isinstance(err, (BackendlessError, CloudCodeError)):
        status, code, message = err.status, err.code, err.message
    else:
        status, code = next(TABLE[k] for k in type(err).__mro__ if k in TABLE)
        message = err.message
    return Response(body=body(code, message), status_code=status, headers={"Content-Type": "application/json"})


def json_response(value: Any, status: int = 200) -> Response:
    return Response(body=json.dumps(value), status_code=status, headers={"Content-Type": "application/json"})
