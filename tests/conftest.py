"""Test fixtures: fake credentials, moto in-process, tables from the app's own models.

`BAAS_TEST_BACKEND=dynalite` puts DynamoDB on dynalite instead of moto (tests/dynalite.py);
S3 and the rest stay on moto. `@pytest.mark.moto_only(reason=...)` marks a known difference.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from tests.dynalite import backend, drop_tables, dynalite_endpoint  # noqa: F401  (fixture)

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "BAAS_TABLE_PREFIX": "test", "BAAS_BUCKET": "test-files",
    "BAAS_SCRYPT_N": "1024",  # fast hashing in tests; production keeps the default 2^14
    # moto is 10-100x slower than DynamoDB per call (it sorts the table for each Query) and CI shares
    # its cores: a wall-clock ceiling would fail requests DynamoDB serves in a second. Calls, items,
    # branches and bulk sizes keep their production defaults; tests/test_request_budget.py sets its own.
    "BAAS_BUDGET_SECONDS": "600",
})
for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
    os.environ.pop(var, None)

from scripts.moto_fast_query import apply as _fast_moto_query  # noqa: E402
from scripts.moto_s3_conditions import apply as _conditional_copies  # noqa: E402

_fast_moto_query()  # moto's Query reads its partition, not the whole table (tested in test_moto_fast_query.py)
_conditional_copies()  # moto's CopyObject honours If-None-Match / If-Match as S3 does


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a backend other than moto, tests marked `moto_only` are skipped with their reason, never silently."""
    if backend() == "moto":
        return
    for item in items:
        mark = item.get_closest_marker("moto_only")
        if mark is not None:
            item.add_marker(pytest.mark.skip(reason=f"moto_only: {mark.kwargs.get('reason', '')}"))


_tables = iter(range(1, 10**9))


@pytest.fixture
def aws(request: pytest.FixtureRequest) -> Iterator[None]:
    from moto import mock_aws

    from chalicelib import bootstrap

    if backend() == "dynalite":
        endpoint = request.getfixturevalue("dynalite_endpoint")
        prefix = f"test{next(_tables)}"
        patch = pytest.MonkeyPatch()
        patch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        patch.setenv("BAAS_TABLE_PREFIX", prefix)
    elif backend() != "moto":
        raise pytest.UsageError(f"BAAS_TEST_BACKEND={backend()!r}: use moto or dynalite")
    try:
        with mock_aws():
            bootstrap.reset()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # dynalite has no TTL API (bootstrap warns)
                bootstrap.create_resources()
            yield
            bootstrap.reset()
    finally:
        if backend() == "dynalite":
            drop_tables(endpoint, prefix)
            patch.undo()


@pytest.fixture
def svc(aws: None) -> Any:
    from chalicelib.bootstrap import services

    return services()


@pytest.fixture
def client(aws: None) -> Iterator[Any]:
    from chalice.test import Client

    from app import app

    with Client(app) as c:
        yield c


def with_json(resp: Any) -> Any:
    """The chalice test response with `.json` parsed (None for a body that is not JSON)."""
    resp.json = json.loads(resp.body) if resp.body and resp.body[:1] in (b"{", b"[") else None
    return resp


def send(client: Any, method: str, url: str, headers: dict[str, str], body: Any = None,
         raw: bytes | str | None = None, params: dict[str, Any] | None = None) -> Any:
    """One request through chalice.test.Client: the body as JSON unless `raw`, `params` as a query
    string (non-string values JSON-encoded, as the Parse-style dialects read them)."""
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()})
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    return with_json(getattr(client.http, method.lower())(url, headers=headers, body=data))


class Verbs:
    """get/post/put/delete over the client's own `call(method, path, body, **kw)`."""

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        raise NotImplementedError

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("DELETE", path, **kw)


class Api(Verbs):
    """A thin JSON helper over chalice.test.Client."""

    def __init__(self, client: Any, token: str | None = None) -> None:
        self.c = client
        self.token = token

    def call(self, method: str, path: str, body: Any = None, token: str | None = None,
             headers: dict[str, str] | None = None, raw: bytes | str | None = None) -> Any:
        h = {"Content-Type": "application/json", **(headers or {})}
        tok = token if token is not None else self.token
        if tok:
            h["Authorization"] = f"Bearer {tok}"
        return send(self.c, method, path, h, body, raw)


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


@pytest.fixture
def org(api: Api) -> dict[str, Any]:
    """A signed-up org ("acme") with its admin token, sandbox app and a private app ("prod")."""
    r = api.post("/usergrid/management/organizations", {
        "organization": "acme", "username": "boss", "name": "Boss", "email": "boss@acme.test", "password": "s3cret!"})
    assert r.status_code == 200, r.body
    token = api.post("/usergrid/management/token",
                     {"grant_type": "password", "username": "boss", "password": "s3cret!"}).json["access_token"]
    r = api.post("/usergrid/management/orgs/acme/apps", {"name": "prod"}, token=token)
    assert r.status_code == 200, r.body
    creds = api.get("/usergrid/management/orgs/acme/apps/prod/credentials", token=token).json
    return {"admin_token": token, "credentials": creds}


@pytest.fixture
def atomic_dynamodb(svc: Any) -> Iterator[None]:
    """Make each moto DynamoDB call atomic, as each real DynamoDB call is.

    moto's UpdateItem and conditional PutItem read, check and write without a lock, so threads
    racing inside moto lose updates DynamoDB would not. A lock held from `before-call` to
    `after-call` restores per-call atomicity while threads still interleave between calls: a
    read-modify-write in our code would still lose updates here, one conditional or ADD write does not.
    """
    import threading

    from chalicelib.storage.models import ALL_MODELS

    lock = threading.RLock()

    def acquire(**_: Any) -> None:  # a before-call handler returning non-None would replace the response
        lock.acquire()

    def release(**_: Any) -> None:
        lock.release()

    handlers = [("before-call.dynamodb", acquire), ("after-call.dynamodb", release),
                ("after-call-error.dynamodb", release)]
    clients = {id(c): c for c in (m._get_connection().connection.client for m in ALL_MODELS)}.values()
    for client in clients:
        for name, fn in handlers:
            client.meta.events.register(name, fn)
    yield
    for client in clients:
        for name, fn in handlers:
            client.meta.events.unregister(name, fn)
