"""BEA fixtures: a client that sends X-BEA-Application-Id / X-BEA-Authorization on every call."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Verbs, send


class Bea(Verbs):
    def __init__(self, client: Any, app_id: str, key: str, master_key: str = "") -> None:
        self.c, self.app_id, self.key, self.master_key = client, app_id, key, master_key
        self.session: str | None = None

    def call(self, method: str, path: str, body: Any = None, *, params: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None, raw: bytes | str | None = None, auth: bool = True,
             session: str | None = None) -> Any:

        h = {"Content-Type": "application/json"}
        if auth:
            h.update({"X-BEA-Application-Id": self.app_id, "X-BEA-Authorization": self.key})
        tok = session if session is not None else self.session
        if tok:
            h["X-BEA-Session-Token"] = tok
        h.update(headers or {})
        return send(self.c, method, "/bea/1/" + path.lstrip("/"), h, body, raw, params)

    def query(self, cls: str, where: Any = None, **params: Any) -> list[dict[str, Any]]:
        if where is not None:
            params["where"] = where
        r = self.get(cls, params=params)
        assert r.status_code == 200, r.body
        return r.json["results"]


@pytest.fixture
def bea(client: Any, org: dict[str, Any]) -> Bea:
    creds = org["credentials"]
    return Bea(client, creds["uuid"], creds["rest_api_key"], creds.get("master_key", ""))


@pytest.fixture
def atomic_moto(bea: Bea, atomic_dynamodb: None) -> Any:
    """The BEA client with each moto DynamoDB call atomic (see tests/conftest.py `atomic_dynamodb`)."""
    return bea
