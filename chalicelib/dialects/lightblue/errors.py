"""Core errors as Lightblue reports them: `{status: ERROR, errors: [{objectType, context, errorCode, msg}]}`.

A core error may carry its own Lightblue code (`details["code"]`, e.g. `crud:UnknownEntity` or
`mongo-metadata:UnknownVersion`); otherwise the table below names one along the exception's MRO.
"""

from __future__ import annotations

import json
from typing import Any

from chalice import Response

from ...core import errors as e

# core error -> (HTTP status, Lightblue error code)
TABLE: dict[type[Exception], tuple[int, str]] = {
    e.EntityNotFound: (404, "crud:NotFound"),
    e.TenantNotFound: (404, "rest-crud:UnknownApplication"),
    e.MethodNotAllowed: (405, "rest:MethodNotAllowed"),
    e.RouteNotFound: (404, "rest:NotFound"),
    e.NotFound: (404, "crud:NotFound"),
    e.DuplicateUnique: (409, "mongo-crud:Duplicate"),
    e.ConcurrencyExhausted: (409, "crud:ConcurrentUpdate"),
    e.Conflict: (409, "crud:Conflict"),
    e.BadToken: (401, "rest:Unauthorized"),
    e.BadCredentials: (401, "rest:Unauthorized"),
    e.Unauthorized: (401, "rest:Unauthorized"),
    e.Forbidden: (403, "crud:NoAccess"),
    e.InvalidQuery: (400, "query:InvalidQuery"),
    e.MalformedBody: (400, "rest-crud:IllFormedRequest"),
    e.TooLarge: (413, "rest-crud:RequestTooLarge"),
    e.InvalidPropertyName: (400, "crud:InvalidField"),
    e.InvalidInput: (400, "crud:InvalidInput"),
    e.CoreError: (400, "crud"),
}


def error_object(code: str, msg: str, context: str) -> dict[str, Any]:
    return {"objectType": "error", "context": context, "errorCode": code, "msg": msg}


def code_of(err: e.CoreError) -> tuple[int, str]:
    status, code = next(TABLE[k] for k in type(err).__mro__ if k in TABLE)
    return status, str(err.details.get("code") or code)


def request_context(req: Any) -> str:
    """The `context` of an error object: the REST call it answers."""
    return f"rest/{req.method} {req.path}" if req is not None else "rest"


def render(err: e.CoreError | None, context: str) -> Response:
    if err is None:
        status, code, msg = 500, "rest-crud:CrudException", "internal server error"
    else:
        (status, code), msg = code_of(err), err.message
    body = {"status": "ERROR", "modifiedCount": 0, "matchCount": 0, "errors": [error_object(code, msg, context)]}
    return Response(body=json.dumps(body), status_code=status, headers={"Content-Type": "application/json"})
