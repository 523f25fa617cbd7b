"""The Backendless dialect (seed 002 and the official JS SDK 8.x): importing this registers every
route, and its OpenAPI document."""

from ..openapi import serve
from . import catchall, data, files, kv, models, relations, services, users  # noqa: F401  (route registration)
from .common import bp

serve(bp, models.DIALECT)

__all__ = ["bp"]
