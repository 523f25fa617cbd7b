"""The `baas` CLI against a live server (chalice's dev server in a thread, moto in-process)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from tests.e2e.conftest import live_server  # noqa: F401  (the fixture, shared)


@pytest.fixture
def baas(live_server: str, org: dict[str, Any]) -> Any:  # noqa: F811
    """Run `baas ARGS...` as org acme's admin (boss); returns click's Result (exit code checked by callers)."""
    runner = CliRunner()

    def run(*args: str, user: str = "boss", password: str = "s3cret!") -> Any:
        return runner.invoke(__import__("baas_tools.cli", fromlist=["main"]).main,
                             ["--url", live_server, "--org", "acme", "--user", user, "--password", password, *args],
                             env={"BAAS_ADMIN_TOKEN": "", "ADMIN_TOKEN": ""}, catch_exceptions=False)

    run.url = live_server  # type: ignore[attr-defined]
    return run


def last_json(output: str) -> Any:
    return json.loads([line for line in output.splitlines() if line.startswith("{")][-1])
