"""CORS preflights allow every header each dialect's SDKs send (issue 14): a browser refuses the
real request when one is missing (Backendless's `user-token` was)."""

from __future__ import annotations

from typing import Any

import pytest

CASES = [
    ("usergrid", "/usergrid/local/sandbox/items", ["Authorization", "Content-Type"]),
    ("backendless", "/backendless/app/key/data/items", ["user-token", "Content-Type", "application-type"]),
    ("bea", "/bea/1/GameScore", ["X-BEA-Application-Id", "X-BEA-Authorization", "X-BEA-Session-Token", "Content-Type"]),
    ("lightblue", "/lightblue/rest/data/find/customer", ["Authorization", "X-App-Id", "Content-Type"]),
]


@pytest.mark.parametrize(("dialect", "path", "headers"), CASES, ids=[c[0] for c in CASES])
def test_preflight_allows_the_sdk_headers(gateway: Any, dialect: str, path: str, headers: list[str]) -> None:
    r = gateway.handle_request("OPTIONS", path, {
        "origin": "http://localhost:3000", "access-control-request-method": "POST",
        "access-control-request-headers": ",".join(h.lower() for h in headers)}, b"")
    assert r["statusCode"] == 200, r
    got = {k.lower(): v for k, v in r["headers"].items()}
    allowed = {h.strip().lower() for h in got["access-control-allow-headers"].split(",")}
    assert {h.lower() for h in headers} <= allowed, (dialect, allowed)
    assert got["access-control-allow-origin"] == "*"
    assert "POST" in got["access-control-allow-methods"]


@pytest.fixture
def gateway() -> Any:
    """The preflight as chalice local answers it; API Gateway's comes from the same CORSConfig."""
    from chalice.config import Config
    from chalice.local import LocalGateway

    from app import app

    return LocalGateway(app, Config.create(chalice_stage="dev"))
