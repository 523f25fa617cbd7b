"""The BEA Engine (Parse-style) dialect: importing this registers every route on `bp`.

Each module registers a router; the generic object router answers every class path, so it is
moved last (the others each answer only their own paths: batch, Users, built-in actions, media).
"""

from ..openapi import serve
from . import builtins, media, models, objects, users  # noqa: F401  (route registration)
from .common import _routes, bp

_routes.sort(key=lambda fn: fn.__name__ == "object_route")
serve(bp, models.DIALECT)

__all__ = ["bp"]
