"""lightblue-rest's deprecated insert paths, `PUT /rest/data/{entity}[/{version}]`, still used by
older clients and by Lightblue's own user documentation; they answer exactly as `/insert/...`."""

from __future__ import annotations

from typing import Any

from . import models
from .common import view
from .data import _body, _run


@view("/rest/data/{entity}", ["PUT"], spec=models.LEGACY)
def insert_alt(entity: str) -> Any:
    return _run("insert", entity, None, _body())


@view("/rest/data/{entity}/{version}", ["PUT"], spec=models.LEGACY)
def insert_alt_v(entity: str, version: str) -> Any:
    return _run("insert", entity, version, _body())
