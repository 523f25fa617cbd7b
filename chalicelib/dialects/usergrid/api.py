"""The Usergrid dialect: importing this registers every route on `bp`."""

from . import data, management, relations  # noqa: F401  (route registration)
from .common import bp

__all__ = ["bp"]
