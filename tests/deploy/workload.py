"""A representative workload, run on moto while every botocore operation the code asks for is recorded.

Recording: a `before-parameter-build` handler is added to botocore's BUILTIN_HANDLERS (moto
installs its own stubber the same way), so every botocore session made afterwards carries it:
pynamodb's connections (rebuilt by `bootstrap.reset()`) and boto3's default session alike.
`before-parameter-build` rather than `before-call` because presigned URLs never call AWS, yet the
browser that uses one acts with the Lambda role's permissions.

The workload is the Usergrid HTTP API through `chalice.test.Client(app)`, one Lightblue async
request the way AWS runs it (the API's Lambda dispatcher invokes the worker: moto cannot run Lambda
code without docker, so a botocore Stubber answers the Invoke after the recorder has seen it, and
the worker handler is then called with the event that was sent), plus direct calls on
the storage adapters that no mounted route reaches in a few requests (counters, cache,
messaging, files, mail, token revocation, unique-claim takeover). A profiler notes which
storage methods ran, so a new adapter method the workload never reaches fails the tests
instead of slipping past the policy check.
"""

from __future__ import annotations

import inspect
import os
import pkgutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from types import CodeType, FrameType
from typing import Any

from tests.conftest import Api
from tests.deploy.iam import Call, function_arn, required

BASE = "/usergrid/acme/sandbox"


@dataclass
class Recording:
    table_prefix: str
    bucket: str
    task_function: str
    calls: list[Call] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)  # "module.Class.method" of storage adapters that ran
    on: bool = False

    def __call__(self, params: dict[str, Any] | None = None, model: Any = None, **_: Any) -> None:
        if self.on and model is not None:
            self.calls.append(Call(model.service_model.service_name, model.name, dict(params or {})))

    def needed(self, table_prefix: str, bucket: str, task_function: str) -> set[tuple[str, str]]:
        """(action, ARN) pairs as a stage with these names would need them (the workload ran once,
        under its own names: bootstrap derives every name from the prefix, the bucket and
        BAAS_TASK_FUNCTION alone)."""
        tables, objects = f":table/{self.table_prefix}-", f"arn:aws:s3:::{self.bucket}"
        worker = function_arn(self.task_function)
        out = set()
        for action, arn in (pair for call in self.calls for pair in required(call)):
            if arn == worker:
                arn = function_arn(task_function)
            elif tables in arn:
                arn = arn.replace(tables, f":table/{table_prefix}-")
            elif arn == objects or arn.startswith(objects + "/"):
                arn = f"arn:aws:s3:::{bucket}" + arn[len(objects):]
            out.add((action, arn))
        return out


def storage_methods() -> dict[CodeType, str]:
    """Public methods of the classes in chalicelib/storage (the pynamodb models excepted)."""
    from pynamodb.models import Model

    import chalicelib.storage as pkg

    out: dict[CodeType, str] = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        mod = import_module(f"{pkg.__name__}.{info.name}")
        for cname, cls in vars(mod).items():
            if not inspect.isclass(cls) or cls.__module__ != mod.__name__ or issubclass(cls, Model):
                continue
            for mname, fn in vars(cls).items():
                if not mname.startswith("_") and inspect.isfunction(fn):
                    out[fn.__code__] = f"{info.name}.{cname}.{mname}"
    return out


@contextmanager
def _env(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def record(table_prefix: str = "wl", bucket: str = "wl-files", task_function: str = "wl-task-worker") -> Recording:
    """Run the workload under these names and return what it asked AWS for."""
    import boto3
    from botocore.handlers import BUILTIN_HANDLERS
    from moto import mock_aws

    from chalicelib import bootstrap

    rec = Recording(table_prefix, bucket, task_function)
    spec = ("before-parameter-build", rec)
    targets = storage_methods()

    def profile(frame: FrameType, event: str, _arg: Any) -> None:
        if event == "call" and frame.f_code in targets:
            rec.reached.add(targets[frame.f_code])

    BUILTIN_HANDLERS.append(spec)
    boto3.DEFAULT_SESSION = None  # the next boto3.client() builds a session that has the handler
    previous = sys.getprofile()
    try:
        # Signup opens the workload, so it is on whatever a stage says (prod turns it off).
        # Tasks go to the worker Lambda, as in AWS (bootstrap.task_dispatcher).
        with _env(BAAS_TABLE_PREFIX=table_prefix, BAAS_BUCKET=bucket, BAAS_OPEN_SIGNUP="true",
                  BAAS_TASK_DISPATCH="lambda", BAAS_TASK_FUNCTION=task_function), mock_aws():
            bootstrap.reset()
            bootstrap.create_resources()  # provisioning is the template's job, not the role's
            rec.on = True
            sys.setprofile(profile)
            try:
                _http_workload()
                _adapter_workload()
            finally:
                sys.setprofile(previous)
                rec.on = False
    finally:
        BUILTIN_HANDLERS.remove(spec)
        boto3.DEFAULT_SESSION = None
        bootstrap.reset()
    return rec


def _ok(r: Any) -> Any:
    assert 200 <= r.status_code < 300, (r.status_code, r.body)
    return r.json


def _http_workload() -> None:
    from chalice.test import Client

    from app import app

    with Client(app) as c:
        api = Api(c)
        _ok(api.post("/usergrid/management/organizations", {
            "organization": "acme", "username": "boss", "name": "Boss", "email": "boss@acme.test",
            "password": "s3cret!"}))
        api.token = _ok(api.post("/usergrid/management/token",
                                 {"grant_type": "password", "username": "boss", "password": "s3cret!"}))["access_token"]
        _ok(api.post("/usergrid/management/orgs/acme/apps", {"name": "prod"}))
        creds = _ok(api.get("/usergrid/management/orgs/acme/apps/prod/credentials"))["credentials"]
        milk = _ok(api.post(f"{BASE}/items", {"name": "milk", "price": "3.25", "qty": 3}))["entities"][0]
        _ok(api.post(f"{BASE}/items", [{"name": "bread", "price": "2.50", "qty": 1}, {"name": "eggs", "qty": 12}]))
        _ok(api.get(f"{BASE}/items/{milk['uuid']}"))
        _ok(api.get(f"{BASE}/items/milk"))
        _ok(api.put(f"{BASE}/items/milk", {"price": "4.00", "qty": 2}))
        _ok(api.get(f"{BASE}/items?ql=select * where qty > 1 order by qty desc&limit=1"))
        _ok(api.get(f"{BASE}/items?ql=select * where name = 'bread'"))
        _ok(api.get(f"{BASE}/items"))
        _ok(api.post(f"{BASE}/items/milk/likes/items/bread"))
        _ok(api.get(f"{BASE}/items/milk/likes"))
        _ok(api.delete(f"{BASE}/items/milk/likes/items/bread"))
        _ok(api.put(f"{BASE}/items/bread", {"name": "rye"}))
        _ok(api.delete(f"{BASE}/items/eggs"))
        _ok(api.post(f"{BASE}/users", {"username": "ada", "password": "pw-ada-1"}))
        user = _ok(api.post(f"{BASE}/token", {"grant_type": "password", "username": "ada", "password": "pw-ada-1"}))
        _ok(api.get(f"{BASE}/users/me", token=user["access_token"]))
        keys = _ok(api.get("/usergrid/management/orgs/acme/apps/prod/credentials"))
        bea = {"X-BEA-Application-Id": keys["uuid"], "X-BEA-Authorization": keys["rest_api_key"]}
        _ok(api.post("/bea/1/batch", {"requests": [{"method": "POST", "path": "/1/GameScore", "body": {"score": i}}
                                                   for i in range(3)]}, headers=bea, token=""))  # create_many
        _lightblue_async(api, creds)


def _lightblue_async(api: Api, creds: dict[str, str]) -> None:
    """An async Lambda invocation of the worker, answered by a Stubber, then the worker run on its event."""
    import json

    from botocore.stub import ANY, Stubber

    from chalicelib.bootstrap import services
    from chalicelib.dialects.lightblue.worker import task_worker
    from chalicelib.storage.lambdas import LambdaDispatcher
    from tests.lightblue.conftest import USER_META, D, M

    token = _ok(api.post("/usergrid/acme/prod/token", {"grant_type": "client_credentials", **creds},
                         token=""))["access_token"]
    lb = Api(api.c, token)
    _ok(lb.put(f"{M}/customer/1.0.0", USER_META))
    dispatcher = services().tasks.dispatcher
    assert isinstance(dispatcher, LambdaDispatcher), dispatcher
    sent: list[dict[str, Any]] = []
    dispatcher.client.meta.events.register("before-parameter-build.lambda.Invoke",
                                           lambda params, **_: sent.append(dict(params)))
    stub = Stubber(dispatcher.client)
    stub.add_response("invoke", {"StatusCode": 202}, {
        "FunctionName": dispatcher.function_name, "InvocationType": "Event", "Payload": ANY})
    with stub:
        handle = _ok(lb.put(f"{D}/insert/customer", {"execution": {"async": True},
                                                     "data": [{"login": "ann"}]}))["taskHandle"]
    stub.assert_no_pending_responses()
    assert _ok(lb.get(f"{D}/task/{handle}"))["status"] == "ASYNC"
    assert task_worker(json.loads(sent[-1]["Payload"]), None) == {"state": "COMPLETE"}
    assert _ok(lb.get(f"{D}/task/{handle}"))["modifiedCount"] == 1


def _adapter_workload() -> None:
    """The adapters' remaining methods, called the way the core calls them."""
    from chalicelib.bootstrap import mail_sender, services
    from chalicelib.storage.blobs import S3BlobStore
    from chalicelib.storage.cache import DynamoCacheStore
    from chalicelib.storage.counters import DynamoCounterStore
    from chalicelib.storage.entities import DynamoUniqueStore
    from chalicelib.storage.mail import SesMailer
    from chalicelib.storage.messages import DynamoMessageStore
    from chalicelib.storage.series import DynamoSeriesStore
    from chalicelib.storage.tenants import DynamoTokenStore

    s, app, now = services().settings, "app1", int(time.time())
    services().executor.count(app, "items")  # a Lightblue page of a big collection counts its `created` index
    counters = DynamoCounterStore()
    counters.add(app, "hits", 2)
    counters.get(app, "hits")
    counters.set(app, "hits", 5)
    counters.compare_and_set(app, "hits", 5, 6)
    counters.names(app)
    series = DynamoSeriesStore()
    series.add(app, "visits", [("h", now // 3600 * 3600_000)], 1)
    series.range(app, "visits", "h", 0, now * 1000)
    series.names(app)
    cache = DynamoCacheStore()
    cache.put(app, "k", '{"a":1}', now + 60)
    cache.get(app, "k")
    cache.set_expiry(app, "k", now + 120, now)
    cache.delete(app, "k")
    msgs = DynamoMessageStore()
    sk = msgs.publish(app, "news", "m1", now * 1000, {"data": "hi"}, now + 3600)
    msgs.status(app, "m1")
    msgs.put_subscription(app, "s1", {"after": ""}, now + 3600)
    msgs.subscription(app, "s1")
    msgs.read(app, "news", "", sk, 10)
    msgs.advance(app, "s1", "", sk, now + 3600)
    blobs = S3BlobStore(s.bucket, s.region, s.s3_endpoint)
    blobs.put(f"{app}/a.txt", b"hello", "text/plain", owner="u1")  # the owner is object metadata
    blobs.exists(f"{app}/a.txt")
    blobs.head(f"{app}/a.txt")
    blobs.get(f"{app}/a.txt")
    blobs.copy(f"{app}/a.txt", f"{app}/b.txt", owner="u2")
    blobs.list(f"{app}/", False, 10)
    blobs.list_page(f"{app}/", "", 10)  # the files export (core/file_transfer.py)
    blobs.read(f"{app}/a.txt")
    blobs.download_url(f"{app}/a.txt", 60)  # the browser's GET and PUT use the role's rights
    blobs.download_url(f"{app}/a.txt", 60, "application/octet-stream", "attachment")
    blobs.upload_url(f"{app}/c.txt", 60, "text/plain", owner="u1")
    blobs.delete([f"{app}/a.txt", f"{app}/b.txt"])
    SesMailer(mail_sender(), s.region).send(["ada@acme.test"], "hi", "text", "<p>html</p>")
    unique = DynamoUniqueStore()  # replace(): taking over a stale claim, which HTTP reaches only after a crash
    unique.claim("k#takeover", "old")
    unique.replace("k#takeover", "old", "new")
    unique.release("k#takeover", "new")
    entities = services().entities.store  # replace_secret(): a bcrypt hash rehashed at first login
    entities.replace_secret(app, "no-such-user", "old-hash", "new-hash")
    tokens = DynamoTokenStore()  # delete(): Auth.revoke, which no mounted route calls yet
    tokens.put("digest1", {"exp": now + 60}, now + 60)
    tokens.delete("digest1")
