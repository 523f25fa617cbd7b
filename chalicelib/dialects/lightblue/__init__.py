"""The Lightblue dialect (seed 004): importing this registers every route on `bp`."""

from . import bulk, data, legacy, metadata  # noqa: F401  (route registration)
from .common import bp

__all__ = ["bp"]
