"""The Usergrid dialect: importing this registers every route on `bp`, and its OpenAPI document."""

from ..openapi import serve
from . import data, management, models, relations  # noqa: F401  (route registration)
from .common import bp, view


@view("/status", ["GET"], spec=models.STATUS)
def usergrid_status() -> dict[str, str]:
    return {"status": "ok"}


serve(bp, models.DIALECT)

__all__ = ["bp"]
