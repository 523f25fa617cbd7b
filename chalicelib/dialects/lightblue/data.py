"""Routes of the Lightblue data API (`/rest/data/...`), and the status of asynchronous requests.

`execution: {"async": true}` (or `asynchronous`), more than SYNC_DOCS documents in one request, or
an update or delete matching more than crud.SYNC_WRITES documents answers ASYNC with a
`taskHandle` and runs the operation in the background;
`GET /rest/data/task/{handle}` answers ASYNC while it runs, then the operation's own response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...bootstrap import services
from ...core.errors import InvalidInput
from ...core.tasks import caller_id
from ..http import json_body
from . import crud, models, worker
from .common import Caller, caller, envelope, json_response, request, view
from .expressions import simple_projection, simple_query, simple_sort

SYNC_DOCS = 200


def _run(operation: str, entity: str, version: str | None, body: Any) -> Any:
    c = caller()
    op = crud.resolve(c, crud.ACCESS[operation], entity, version, body)
    execution = op.body.get("execution") or {}
    if not isinstance(execution, dict):
        raise InvalidInput("execution must be an object", code="rest-crud:IllFormedRequest")
    data = op.body.get("data")
    if execution.get("async") is True or execution.get("asynchronous") or (
            isinstance(data, list) and len(data) > SYNC_DOCS):
        return _submit(c, operation, entity, op)
    try:
        return json_response(crud.OPERATIONS[operation](op))
    except crud.GoAsync:  # an update or delete matched more than one API call should write
        return _submit(c, operation, entity, op)


def _submit(c: Caller, operation: str, entity: str, op: crud.Op) -> Any:
    """Checked now (entity, version, access: a 4xx at once), run later, maybe in the worker Lambda."""
    params = worker.task_params(c, operation, entity, op.version, op.body)
    handle = services().tasks.submit(c.app.uuid, worker.RUNNER, params, caller_id(c.principal))
    return json_response(envelope("ASYNC", taskHandle=handle))


def _body() -> Any:
    return json_body(request(), default={})


@view("/rest/data/insert/{entity}", ["PUT", "POST"], spec=models.INSERT_OP)
def insert(entity: str) -> Any:
    return _run("insert", entity, None, _body())


@view("/rest/data/insert/{entity}/{version}", ["PUT", "POST"], spec=models.INSERT_OP)
def insert_v(entity: str, version: str) -> Any:
    return _run("insert", entity, version, _body())


@view("/rest/data/save/{entity}", ["POST"], spec=models.SAVE_OP)
def save(entity: str) -> Any:
    return _run("save", entity, None, _body())


@view("/rest/data/save/{entity}/{version}", ["POST"], spec=models.SAVE_OP)
def save_v(entity: str, version: str) -> Any:
    return _run("save", entity, version, _body())


@view("/rest/data/update/{entity}", ["POST"], spec=models.UPDATE_OP)
def update(entity: str) -> Any:
    return _run("update", entity, None, _body())


@view("/rest/data/update/{entity}/{version}", ["POST"], spec=models.UPDATE_OP)
def update_v(entity: str, version: str) -> Any:
    return _run("update", entity, version, _body())


@view("/rest/data/delete/{entity}", ["POST"], spec=models.DELETE_OP)
def delete(entity: str) -> Any:
    return _run("delete", entity, None, _body())


@view("/rest/data/delete/{entity}/{version}", ["POST"], spec=models.DELETE_OP)
def delete_v(entity: str, version: str) -> Any:
    return _run("delete", entity, version, _body())


@view("/rest/data/find/{entity}", ["GET", "POST"], spec=models.FIND_OPS)
def find(entity: str) -> Any:
    return _find(entity, None)


@view("/rest/data/find/{entity}/{version}", ["GET", "POST"], spec=models.FIND_OPS)
def find_v(entity: str, version: str) -> Any:
    return _find(entity, version)


def _find(entity: str, version: str | None) -> Any:
    if request().method == "POST":
        return _run("find", entity, version, _body())
    qp: Mapping[str, str] = request().query_params or {}
    body: dict[str, Any] = {"query": simple_query(qp.get("Q") or qp.get("q")),
                            "projection": simple_projection(qp.get("P") or qp.get("p")),
                            "sort": simple_sort(qp.get("S") or qp.get("s"))}
    for name in ("from", "to", "maxResults"):
        raw = qp.get(name)
        if raw is not None:
            if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
                raise InvalidInput(f"{name} must be a non-negative integer", code="query:InvalidRange")
            body[name] = int(raw)
    if body["query"] is None:
        del body["query"]
    return _run("find", entity, version, body)


@view("/rest/data/task/{handle}", ["GET"], spec=models.TASK)
def task(handle: str) -> Any:
    """ASYNC while the task runs, then the operation's own response (or its ERROR envelope).

    The handle is looked up under the caller's app: another app's handle is unknown (404), and so
    is another caller's (only its creator and privileged callers read a task: the core decides).
    """
    c = caller()
    doc = services().read_task(c.app, c.principal, handle)
    if doc["state"] == "RUNNING":
        return json_response(envelope("ASYNC", taskHandle=handle))
    return json_response({**doc["result"], "taskHandle": handle})
