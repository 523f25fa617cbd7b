"""Unknown routes as Backendless errors.

Chalice has no greedy path parameter, so this registers `/{app_id}/{rest_key}/{c1}` ... up to
DEPTH segments; concrete routes sort first, so these only catch what nothing else serves. Deeper
unknown paths, and unknown paths under a route's own variable segment (say
`/data/{table}/{id}/x/y`), still get API Gateway's own 403 "Missing Authentication Token" when
deployed (and Chalice's error locally).
"""

from __future__ import annotations

from typing import Any

from ...core.errors import NotFound
from ..openapi import NOT_SERVED
from .common import METHODS, Ctx, request, route

DEPTH = 10


def unknown(ctx: Ctx, **_: str) -> Any:
    raise NotFound(f"Unknown route: {request().method} {request().path}")


for depth in range(0, DEPTH + 1):
    route("".join(f"/{{c{i}}}" for i in range(1, depth + 1)), NOT_SERVED, **dict.fromkeys(METHODS, unknown))
