"""The BEA Engine (Parse-style) dialect: importing this registers every route on `bp`.

Dispatch order: batch, users, built-in actions, media, then the generic object routes.
"""

from . import objects  # noqa: F401  (batch and objects register first)
from . import builtins, media, users  # noqa: F401
from .common import _routes, bp

# the generic object router answers every class path: keep it last
_routes.sort(key=lambda fn: fn.__name__ == "object_route")

__all__ = ["bp"]
