"""Parse fixtures: a client speaking either request style (X-Parse-* headers, or the JS SDK's
text/plain POST with `_method`, `_ApplicationId`, `_JavaScriptKey`...)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Verbs, send, with_json


class Parse(Verbs):
    """`style="headers"` (REST guide, curl) or `style="body"` (the JS SDK's body keys)."""

    def __init__(self, client: Any, app_id: str, key: str, master: str, style: str = "headers") -> None:
        self.c, self.app_id, self.key, self.master_key, self.style = client, app_id, key, master, style
        self.session: str | None = None

    def call(self, method: str, path: str, body: Any = None, *, params: dict[str, Any] | None = None,
             master: bool = False, session: str | None = None, auth: bool = True,
             headers: dict[str, str] | None = None, raw: bytes | str | None = None) -> Any:
        tok = session if session is not None else self.session
        url = "/parse/" + path.lstrip("/")
        if self.style == "body" and raw is None:
            payload: dict[str, Any] = dict(body or {})
            payload.update(params or {})
            if method != "POST":
                payload["_method"] = method
            if auth:
                payload["_ApplicationId"] = self.app_id
                payload["_MasterKey" if master else "_JavaScriptKey"] = self.master_key if master else self.key
                payload["_ClientVersion"] = "js8.6.0"
                payload["_InstallationId"] = "0d6c7e5c-4a7e-4b0e-9d35-6f8e2f6b1c11"
            if tok:
                payload["_SessionToken"] = tok
            h = {"Content-Type": "text/plain", **(headers or {})}
            resp = self.c.http.post(url, headers=h, body=json.dumps(payload))
        else:
            h = {"Content-Type": "application/json"}
            if auth:
                h["X-Parse-Application-Id"] = self.app_id
                h["X-Parse-Master-Key" if master else "X-Parse-REST-API-Key"] = self.master_key if master else self.key
            if tok:
                h["X-Parse-Session-Token"] = tok
            h.update(headers or {})
            return send(self.c, method, url, h, body, raw, params)
        return with_json(resp)

    def find(self, cls: str, where: Any = None, **params: Any) -> list[dict[str, Any]]:
        if where is not None:
            params["where"] = where
        r = self.get(f"classes/{cls}", params=params)
        assert r.status_code == 200, r.body
        return r.json["results"]


@pytest.fixture(params=["headers", "body"])
def parse(request: Any, client: Any, org: dict[str, Any]) -> Parse:
    """Each test using it runs in both request styles."""
    creds = org["credentials"]
    return Parse(client, creds["uuid"], creds["rest_api_key"], creds["master_key"], request.param)


@pytest.fixture
def rest(client: Any, org: dict[str, Any]) -> Parse:
    """Header style only (for tests about one style or too slow to run twice)."""
    creds = org["credentials"]
    return Parse(client, creds["uuid"], creds["rest_api_key"], creds["master_key"])
