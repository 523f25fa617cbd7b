"""The Parse dialect at `/parse`: Parse Server's REST protocol (both request styles) on the core.

Importing this registers every route on `bp` (see common.py for the registry and how a module
adds its routes). Modules and what they answer:

- common.py: request parsing (X-Parse-* headers or body keys with `_method`), the caller (app id =
  app uuid, client keys = the REST API key, master key, `r:` session tokens), CORS, `route()`;
- errors.py: `{code, error}` with Parse's status rule, the bare 403s;
- objects.py: `/classes`, `/roles`, `/installations` objects and queries; batch.py: `/batch`;
- users.py: `/users`, `/login`, `/logout`, `/requestPasswordReset`, `/verificationEmailRequest`,
  `/sessions`; files.py: `/files`; functions.py: `/functions` (chalicelib/cloudcode as Cloud functions).

Part B (schemas, config, serverInfo, aggregate, purge, health, events, installations, push, jobs)
plugs in the same way: a module with `@route("schemas")` handlers, imported below, and its
logical routes listed in models.py (the OpenAPI document, `GET /parse/openapi.json`).
"""

from ..openapi import serve
from . import (  # noqa: F401  (route registration)
    aggregate,
    batch,
    config,
    files,
    functions,
    installations,
    models,
    objects,
    purge,
    schemas,
    server,
    users,
)
from .common import ROUTES, bp, route

serve(bp, models.DIALECT)  # GET /parse/openapi.json

__all__ = ["bp", "route", "ROUTES"]
