"""The Backendless dialect (seed 002 and the official JS SDK 8.x): importing this registers every route."""

from . import catchall, data, files, kv, services, users  # noqa: F401  (route registration)
from .common import bp

__all__ = ["bp"]
