"""Core errors as Apache Usergrid 2.x reports them: `error`, `error_description`, `exception`."""

from __future__ import annotations

import json
import time

from chalice import Response

from ...core import errors as e

_PKG = "org.apache.usergrid"


class ServiceResourceNotFound(e.NotFound):
    """Usergrid's name for a miss outside a plain GET of a generic entity (reference section 5)."""


class UnsupportedOperation(e.MethodNotAllowed):
    """DELETE of a collection without ql or limit, DELETE of the application."""


# core error -> (HTTP status, Usergrid error name, Java exception Usergrid names)
TABLE: dict[type[Exception], tuple[int, str, str]] = {
    e.EntityNotFound: (404, "entity_not_found", f"{_PKG}.persistence.exceptions.EntityNotFoundException"),
    e.TenantNotFound: (404, "organization_application_not_found",
                       f"{_PKG}.rest.exceptions.OrganizationApplicationNotFoundException"),
    e.RouteNotFound: (404, "not_found", "javax.ws.rs.NotFoundException"),
    e.NotFound: (404, "service_resource_not_found", f"{_PKG}.services.exceptions.ServiceResourceNotFoundException"),
    UnsupportedOperation: (405, "unsupported_service_operation",
                           f"{_PKG}.services.exceptions.UnsupportedServiceOperationException"),
    e.MethodNotAllowed: (405, "not_allowed", "javax.ws.rs.NotAllowedException"),
    e.DuplicateUnique: (400, "duplicate_unique_property_exists",
                        f"{_PKG}.persistence.exceptions.DuplicateUniquePropertyExistsException"),
    e.ConcurrencyExhausted: (409, "concurrent_modification", f"{_PKG}.persistence.exceptions.EntityVersionException"),
    e.Conflict: (409, "conflict", f"{_PKG}.persistence.exceptions.EntityVersionException"),
    e.BadToken: (401, "auth_bad_access_token", f"{_PKG}.management.exceptions.BadAccessTokenException"),
    e.BadCredentials: (400, "invalid_grant", "org.apache.amber.oauth2.common.exception.OAuthProblemException"),
    e.Unauthorized: (401, "unauthorized", "org.apache.shiro.authz.UnauthorizedException"),
    e.Forbidden: (403, "forbidden", "org.apache.shiro.authz.UnauthorizedException"),
    e.InvalidQuery: (400, "query_parse", f"{_PKG}.persistence.index.exceptions.QueryParseException"),
    e.MalformedBody: (400, "json_parse", "com.fasterxml.jackson.core.JsonParseException"),
    e.InvalidPropertyName: (400, "illegal_argument", "java.lang.IllegalArgumentException"),
    e.TooLarge: (413, "request_entity_too_large", f"{_PKG}.rest.exceptions.RequestEntityTooLargeException"),
    e.InvalidInput: (400, "illegal_argument", "java.lang.IllegalArgumentException"),
    e.CoreError: (400, "bad_request", "java.lang.IllegalArgumentException"),
}


def render(err: e.CoreError | None, exc: Exception, started: float) -> Response:
    if err is None:
        status, name, java = 500, "internal_server_error", "java.lang.RuntimeException"
        message = "internal server error"
    else:
        status, name, java = next(TABLE[k] for k in type(err).__mro__ if k in TABLE)
        message = err.message
    body = {
        "error": name,
        "timestamp": int(time.time() * 1000),
        "duration": int((time.perf_counter() - started) * 1000),
        "exception": java,
        "error_description": message,
    }
    return Response(body=json.dumps(body), status_code=status, headers={"Content-Type": "application/json"})
