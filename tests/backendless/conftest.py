"""Backendless fixtures: the private app "prod" of the `org` fixture, addressed by uuid and REST key."""

from __future__ import annotations

import json
from typing import Any

import pytest


class Bl:
    def __init__(self, api: Any, base: str) -> None:
        self.api, self.base = api, base

    def __call__(self, method: str, path: str, body: Any = None, token: str | None = None,
                 raw: bytes | str | None = None, headers: dict[str, str] | None = None) -> Any:
        h = dict(headers or {})
        if token:
            h["user-token"] = token
        r = self.api.call(method, self.base + path, body, headers=h, raw=raw)
        r.val = json.loads(r.body) if r.body else None
        return r


@pytest.fixture
def bl(api: Any, org: dict[str, Any]) -> Bl:
    creds = org["credentials"]
    return Bl(api, f"/backendless/{creds['uuid']}/{creds['rest_api_key']}")


@pytest.fixture
def user(bl: Bl) -> dict[str, Any]:
    """A registered and logged-in user: its object with `user-token`."""
    r = bl("POST", "/users/register", {"email": "ann@acme.test", "password": "pw-ann", "name": "Ann"})
    assert r.status_code == 200, r.body
    r = bl("POST", "/users/login", {"login": "ann@acme.test", "password": "pw-ann"})
    assert r.status_code == 200, r.body
    return r.json
