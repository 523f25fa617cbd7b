"""Async tasks as AWS runs them: the API stores the task and dispatches an event, the worker Lambda runs it.

The dispatcher is injected (a queue that keeps the events, or the real LambdaDispatcher over a fake
boto3 client), and the worker handler is called with the event exactly as Lambda would call it.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.conftest import Api

from .conftest import D, find


class Queue:
    """A Dispatcher that only keeps the events: the worker runs when the test says so."""

    def __init__(self) -> None:
        self.events: list[dict[str, str]] = []

    def dispatch(self, event: dict[str, str]) -> None:
        self.events.append(event)


class FakeLambda:
    """The part of a boto3 lambda client the dispatcher uses; records each invoke."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail = fail

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if self.fail:
            raise RuntimeError("TooManyRequestsException")
        return {"StatusCode": 202}


@pytest.fixture
def tasks(customers: Api) -> Any:
    from chalicelib.bootstrap import services

    return services().tasks


@pytest.fixture
def queue(tasks: Any) -> Queue:
    q = Queue()
    tasks.dispatcher = q
    return q


def work(event: dict[str, str]) -> str:
    from chalicelib.dialects.lightblue.worker import task_worker

    return str(task_worker(event, None)["state"])


def submit(api: Api, op: str, body: dict[str, Any]) -> str:
    r = api.call("PUT" if op == "insert" else "POST", f"{D}/{op}/customer", {**body, "execution": {"async": True}})
    assert r.status_code == 200 and r.json["status"] == "ASYNC", r.body
    return str(r.json["taskHandle"])


def status(api: Api, handle: str) -> dict[str, Any]:
    r = api.get(f"{D}/task/{handle}")
    assert r.status_code == 200, r.body
    return dict(r.json)


def test_worker_runs_the_stored_task_and_the_status_returns_its_result(customers: Api, queue: Queue) -> None:
    handle = submit(customers, "insert", {"data": [{"login": "ann", "age": 30}, {"login": "bob"}]})
    (event,) = queue.events
    assert set(event) == {"task", "app"} and event["task"] == handle
    assert status(customers, handle) == {"status": "ASYNC", "modifiedCount": 0, "matchCount": 0, "taskHandle": handle}
    assert find(customers)["matchCount"] == 0  # nothing ran yet: the work waits for the worker
    assert work(event) == "COMPLETE"
    done = status(customers, handle)
    assert done["status"] == "COMPLETE" and done["modifiedCount"] == 2 and done["taskHandle"] == handle
    assert sorted(d["login"] for d in find(customers)["processed"]) == ["ann", "bob"]
    assert work(event) == "DUPLICATE"  # Lambda's retry of an invocation runs nothing twice
    assert find(customers)["matchCount"] == 2
    handle = submit(customers, "find", {"query": {"field": "age", "op": ">", "rvalue": 18},
                                        "projection": {"field": "login"}})
    assert work(queue.events[-1]) == "COMPLETE"
    got = status(customers, handle)
    assert got["matchCount"] == 1 and got["processed"] == [{"login": "ann"}]


def test_lambda_dispatcher_sends_an_event_invocation_without_the_body(customers: Api, tasks: Any) -> None:
    """A 256 KB+ request travels through S3; the async invocation (256 KB at most) carries ids only."""
    from chalicelib.storage.lambdas import LambdaDispatcher

    fake = FakeLambda()
    tasks.dispatcher = LambdaDispatcher("serverless-baas-dev-lightblue_task", "us-east-1", client=fake)
    docs = [{"login": f"u{i}", "address": {"city": "c" * 1300}} for i in range(210)]
    assert len(json.dumps({"data": docs})) > 256 * 1024
    r = customers.put(f"{D}/insert/customer", {"data": docs})  # more than SYNC_DOCS: async by itself
    assert r.json["status"] == "ASYNC", r.body
    (call,) = fake.calls
    assert call["FunctionName"] == "serverless-baas-dev-lightblue_task" and call["InvocationType"] == "Event"
    assert len(call["Payload"]) < 200 and b"c" * 100 not in call["Payload"]
    event = json.loads(call["Payload"])
    assert event["task"] == r.json["taskHandle"] and set(event) == {"task", "app"}
    assert work(event) == "COMPLETE"
    assert status(customers, event["task"])["modifiedCount"] == 210
    assert find(customers, {"field": "login", "op": "=", "rvalue": "u209"})["processed"][0]["address"]["city"] == "c" * 1300


def test_a_refused_invocation_ends_the_task_as_error(customers: Api, tasks: Any) -> None:
    from chalicelib.storage.lambdas import LambdaDispatcher

    tasks.dispatcher = LambdaDispatcher("fn", "us-east-1", client=FakeLambda(fail=True))
    handle = submit(customers, "insert", {"data": [{"login": "ann"}]})
    got = status(customers, handle)
    assert got["status"] == "ERROR" and got["errors"][0]["errorCode"] == "rest-crud:TaskNotStarted"


def test_a_failing_task_ends_as_error_in_the_lightblue_envelope(customers: Api, queue: Queue) -> None:
    """The query is compiled inside the task, so a bad operator fails in the worker, not at submit."""
    handle = submit(customers, "find", {"query": {"field": "login", "op": "~~", "rvalue": "x"}})
    assert work(queue.events[-1]) == "ERROR"
    got = status(customers, handle)
    (err,) = got["errors"]
    assert got["status"] == "ERROR" and got["taskHandle"] == handle
    assert err["objectType"] == "error" and err["context"] == "rest/find/customer"
    assert err["errorCode"].startswith("query:") and err["msg"]


def test_a_lost_request_ends_as_error(customers: Api, queue: Queue, tasks: Any) -> None:
    from chalicelib.core.tasks import request_key

    handle = submit(customers, "insert", {"data": [{"login": "ann"}]})
    event = queue.events[-1]
    tasks.blobs.delete([request_key(event["app"], handle)])
    assert work(event) == "ERROR"
    assert status(customers, handle)["errors"][0]["errorCode"] == "rest-crud:UnknownTask"


def test_a_result_too_big_to_return_ends_as_error(customers: Api, queue: Queue, tasks: Any) -> None:
    customers.put(f"{D}/insert/customer", {"data": [{"login": f"u{i}", "address": {"city": "c" * 500}}
                                                    for i in range(5)]})
    tasks.max_result_bytes = 1000
    handle = submit(customers, "find", {"projection": {"field": "*", "recursive": True}})
    assert work(queue.events[-1]) == "ERROR"
    got = status(customers, handle)
    assert got["status"] == "ERROR" and got["errors"][0]["errorCode"] == "rest-crud:ResultTooLarge"
    assert got["errors"][0]["context"] == "rest/find/customer"


def test_a_result_the_store_refuses_ends_as_error(customers: Api, queue: Queue, tasks: Any) -> None:
    class RefusingResults:
        """S3 failing on the result write (throttling, an outage): the request was stored fine."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def put(self, key: str, data: bytes, content_type: str) -> None:
            if key.endswith("/result.json"):
                raise OSError("SlowDown")
            self.inner.put(key, data, content_type)

        def get(self, key: str) -> Any:
            return self.inner.get(key)

    tasks.blobs = RefusingResults(tasks.blobs)
    handle = submit(customers, "insert", {"data": [{"login": "ann"}]})
    assert work(queue.events[-1]) == "ERROR"
    got = status(customers, handle)
    assert got["status"] == "ERROR" and got["errors"][0]["errorCode"] == "rest-crud:CrudException"


def test_a_task_no_worker_finishes_reads_as_timed_out(customers: Api, queue: Queue, tasks: Any) -> None:
    """A worker that never starts, or that Lambda kills at its timeout, leaves no RUNNING task behind."""
    from chalicelib.core.tasks import RUN_LIMIT_S, START_WITHIN_S

    never = submit(customers, "insert", {"data": [{"login": "ann"}]})
    killed = submit(customers, "insert", {"data": [{"login": "bob"}]})
    tasks.clock = lambda: time.time() + START_WITHIN_S + 120
    assert status(customers, never)["errors"][0]["errorCode"] == "rest-crud:TaskTimeout"
    assert work(queue.events[0]) == "ERROR"  # too late to start: it never runs
    assert find(customers)["matchCount"] == 0
    tasks.clock = time.time
    status_doc = tasks.store.get(f"task#{queue.events[1]['app']}#{killed}")
    tasks._put(queue.events[1]["app"], killed, {**status_doc, "started": int(time.time() * 1000)})  # then killed
    assert status(customers, killed)["status"] == "ASYNC"
    tasks.clock = lambda: time.time() + RUN_LIMIT_S + 120
    got = status(customers, killed)
    assert got["status"] == "ERROR" and got["errors"][0]["errorCode"] == "rest-crud:TaskTimeout"


def test_unknown_and_foreign_handles_are_404(api: Api, org: dict[str, Any], customers: Api, queue: Queue) -> None:
    handle = submit(customers, "insert", {"data": [{"login": "ann"}]})
    assert work(queue.events[-1]) == "COMPLETE"
    for h in ("01a20000-0000-7000-8000-000000000000", "not_a_uuid"):
        r = customers.get(f"{D}/task/{h}")
        assert r.status_code == 404 and r.json["status"] == "ERROR"
        assert r.json["errors"][0]["errorCode"] == "rest-crud:UnknownTask" and r.json["errors"][0]["objectType"] == "error"
    admin = org["admin_token"]
    other = api.post("/usergrid/management/orgs/acme/apps", {"name": "other"}, token=admin)
    assert other.status_code == 200, other.body
    creds = api.get("/usergrid/management/orgs/acme/apps/other/credentials", token=admin).json["credentials"]
    token = api.post("/usergrid/acme/other/token", {"grant_type": "client_credentials", **creds}).json["access_token"]
    r = Api(api.c, token).get(f"{D}/task/{handle}")
    assert r.status_code == 404 and r.json["errors"][0]["errorCode"] == "rest-crud:UnknownTask"
    other_uuid = api.get("/usergrid/management/orgs/acme/apps/other/credentials", token=admin).json["uuid"]
    r = Api(api.c, admin).get(f"{D}/task/{handle}", headers={"X-App-Id": other_uuid})
    assert r.status_code == 404
    assert status(customers, handle)["modifiedCount"] == 1  # its own app still reads it


def test_the_worker_acts_as_the_caller(api: Api, org: dict[str, Any], customers: Api, queue: Queue) -> None:
    """A user's task keeps the user's roles: a field its roles may not read stays hidden in the worker."""
    import copy

    from .conftest import USER_META, M

    meta = copy.deepcopy(USER_META)
    meta["schema"]["version"]["value"] = "1.1.0"
    meta["entityInfo"]["defaultVersion"] = "1.1.0"
    meta["schema"]["fields"]["age"]["access"] = {"find": ["clerk"]}
    assert customers.put(f"{M}/customer/1.1.0", meta).status_code == 200
    customers.put(f"{D}/insert/customer", {"data": [{"login": "zed", "age": 3}]})
    api.post("/usergrid/acme/prod/users", {"username": "ann", "password": "pw"}, token=org["admin_token"])
    ann = Api(api.c, api.post("/usergrid/acme/prod/token", {"grant_type": "password", "username": "ann",
                                                            "password": "pw"}).json["access_token"])
    handle = submit(ann, "find", {"projection": {"field": "*", "recursive": True}})
    assert work(queue.events[-1]) == "COMPLETE"
    (doc,) = status(ann, handle)["processed"]
    assert doc["login"] == "zed" and "age" not in doc
    handle = submit(customers, "find", {"projection": {"field": "*", "recursive": True}})
    assert work(queue.events[-1]) == "COMPLETE"
    assert status(customers, handle)["processed"][0]["age"] == 3


def test_bootstrap_picks_the_lambda_dispatcher_inside_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.bootstrap import task_dispatcher
    from chalicelib.config import settings
    from chalicelib.core.tasks import ThreadDispatcher
    from chalicelib.storage.lambdas import LambdaDispatcher

    for var in ("AWS_LAMBDA_FUNCTION_NAME", "AWS_CHALICE_CLI_MODE", "BAAS_TASK_DISPATCH"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("BAAS_TASK_FUNCTION", "serverless-baas-dev-lightblue_task")
    s = settings()
    assert isinstance(task_dispatcher(print, s), ThreadDispatcher)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "serverless-baas-dev")
    got = task_dispatcher(print, s)
    assert isinstance(got, LambdaDispatcher) and got.function_name == "serverless-baas-dev-lightblue_task"
    assert got._client is None  # no client until the first task
    monkeypatch.setenv("AWS_CHALICE_CLI_MODE", "true")  # chalice local is no Lambda
    assert isinstance(task_dispatcher(print, s), ThreadDispatcher)
    monkeypatch.setenv("BAAS_TASK_DISPATCH", "lambda")
    assert isinstance(task_dispatcher(print, s), LambdaDispatcher)
    monkeypatch.delenv("BAAS_TASK_FUNCTION")  # the worker's own environment: it builds services too
    got = task_dispatcher(print, s)
    with pytest.raises(RuntimeError, match="BAAS_TASK_FUNCTION"):
        got.dispatch({"task": "t", "app": "a"})  # only dispatching needs the name
