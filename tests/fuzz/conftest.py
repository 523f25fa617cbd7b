"""One live server per fuzz module: moto in-process, an org with a private app, Chalice's dev server
in a thread (as tests/e2e does), and the credentials each dialect needs to get past its auth gate.

Module-scoped on purpose: a fresh moto per generated example would cost seconds each; the fuzzer's
requests share one app the way real clients share a deployment.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.lightblue.conftest import USER_META


@dataclass
class Target:
    base: str  # http://127.0.0.1:<port>
    admin_token: str  # acme's org admin
    app_token: str  # client_credentials of acme/prod
    app_uuid: str
    rest_key: str
    master_key: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(c: Any) -> dict[str, str]:
    def call(method: str, path: str, body: Any, token: str = "") -> Any:
        h = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        r = getattr(c.http, method)(path, headers=h, body=json.dumps(body))
        assert r.status_code == 200, (path, r.body)
        return json.loads(r.body)

    call("post", "/usergrid/management/organizations", {"organization": "acme", "username": "boss", "name": "Boss",
                                                        "email": "boss@acme.test", "password": "s3cret!"})
    admin = call("post", "/usergrid/management/token",
                 {"grant_type": "password", "username": "boss", "password": "s3cret!"})["access_token"]
    call("post", "/usergrid/management/orgs/acme/apps", {"name": "prod"}, admin)
    creds = call("get", "/usergrid/management/orgs/acme/apps/prod/credentials", None, admin)
    app_token = call("post", "/usergrid/acme/prod/token",
                     {"grant_type": "client_credentials", **creds["credentials"]})["access_token"]
    call("put", "/lightblue/rest/metadata/customer/1.0.0", USER_META, app_token)
    call("post", "/usergrid/acme/prod/items", {"name": "milk", "price": 3}, admin)
    return {"admin_token": admin, "app_token": app_token, "app_uuid": creds["uuid"], "rest_key": creds["rest_api_key"],
            "master_key": creds["master_key"]}


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    from chalice.config import Config
    from chalice.local import LocalDevServer
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from chalicelib import bootstrap

    with mock_aws():
        bootstrap.reset()
        bootstrap.create_resources()
        with Client(app) as c:
            ids = _seed(c)
        port = _free_port()
        srv = LocalDevServer(app, Config.create(chalice_stage="dev"), "127.0.0.1", port)
        thread = threading.Thread(target=srv.serve_forever, daemon=True)
        thread.start()
        yield Target(f"http://127.0.0.1:{port}", **ids)
        srv.shutdown()
        bootstrap.reset()
