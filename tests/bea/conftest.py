"""BEA fixtures: a client that sends X-BEA-Application-Id / X-BEA-Authorization on every call."""

from __future__ import annotations

import json
from typing import Any

import pytest


class Bea:
    def __init__(self, client: Any, app_id: str, key: str, master_key: str = "") -> None:
        self.c, self.app_id, self.key, self.master_key = client, app_id, key, master_key
        self.session: str | None = None

    def call(self, method: str, path: str, body: Any = None, *, params: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None, raw: bytes | str | None = None, auth: bool = True,
             session: str | None = None) -> Any:
        from urllib.parse import urlencode

        h = {"Content-Type": "application/json"}
        if auth:
            h.update({"X-BEA-Application-Id": self.app_id, "X-BEA-Authorization": self.key})
        tok = session if session is not None else self.session
        if tok:
            h["X-BEA-Session-Token"] = tok
        h.update(headers or {})
        url = "/bea/1/" + path.lstrip("/")
        if params:
            url += "?" + urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()})
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        resp = getattr(self.c.http, method.lower())(url, headers=h, body=data)
        resp.json = json.loads(resp.body) if resp.body and resp.body[:1] in (b"{", b"[") else None
        return resp

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("DELETE", path, **kw)

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
