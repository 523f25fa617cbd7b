"""One error hierarchy for the core; each dialect maps these to its own wire format.

Dialects look handlers up along ``type(exc).__mro__`` so a new subclass falls back
to its parent's mapping instead of becoming a 500.
"""

from __future__ import annotations

from typing import Any


class CoreError(Exception):
    """Base of every error the core raises on purpose."""

    status = 400
    default_message = "bad request"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.details = details


class InvalidInput(CoreError):
    default_message = "invalid input"


class TooManyVerbs(InvalidInput):
    """An entity already has the most connection verbs one way (core/connections.py MAX_VERBS)."""

    default_message = "too many connection verbs"


class InvalidPropertyName(InvalidInput):
    default_message = "invalid property name"


class InvalidQuery(InvalidInput):
    default_message = "invalid query"


class TooLarge(InvalidInput):
    status = 413
    default_message = "request entity too large"


class NotFound(CoreError):
    status = 404
    default_message = "not found"


class RouteNotFound(NotFound):
    """No route of the dialect has this path (dialects/fallback.py)."""

    default_message = "unknown route"


class MethodNotAllowed(CoreError):
    """The path exists but does not take this method, or not without the parameters it needs
    (dialects/fallback.py; Usergrid's DELETE of a collection without ql)."""

    status = 405
    default_message = "method not allowed"


class EntityNotFound(NotFound):
    default_message = "entity not found"


class TenantNotFound(NotFound):
    """The organization or application named in the path does not exist."""

    default_message = "organization or application not found"


class Conflict(CoreError):
    default_message = "conflict"


class DuplicateUnique(Conflict):
    """A unique property (name, username, email) is already taken."""

    default_message = "duplicate unique property"


class Unauthorized(CoreError):
    status = 401
    default_message = "unauthorized"


class BadCredentials(Unauthorized):
    default_message = "invalid username or password"


class BadToken(Unauthorized):
    default_message = "invalid or expired access token"


class Forbidden(CoreError):
    status = 403
    default_message = "forbidden"


class VersionConflict(Conflict):
    """A conditional write lost: the item changed (or exists, or vanished) since it was read.

    Raised by storage, caught by `core.retry.retry_optimistic`; it reaches a dialect only if some
    code forgot to retry, and then still maps (as a Conflict) instead of becoming a 500."""

    default_message = "the resource changed meanwhile, try again"


class ConcurrencyExhausted(Conflict):
    """Optimistic retries ran out: another writer kept winning. Dialects answer 409; the edge adds
    `Retry-After: 1` (dialects/http.py)."""

    status = 409
    retry_after_s = 1
    default_message = "too many concurrent writers, try again"


class MalformedBody(InvalidInput):
    """The request body is not the JSON (or form) it claims to be."""

    default_message = "malformed request body"


class TooManyRequests(CoreError):
    """A quota is used up (email per app and day); retry later."""

    status = 429
