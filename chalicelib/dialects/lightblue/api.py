"""The Lightblue dialect (seed 004): importing this registers every route on `bp`, and its OpenAPI document."""

from ..openapi import serve
from . import bulk, data, legacy, metadata, models  # noqa: F401  (route registration)
from .common import bp

serve(bp, models.DIALECT)

__all__ = ["bp"]
