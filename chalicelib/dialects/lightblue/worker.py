"""Lightblue's asynchronous requests as tasks: what a task stores, how it runs, and the worker Lambda.

A task must run in another process (the worker Lambda; a thread only locally), so it carries no
closure: `task_params` captures the operation, entity, version, body and the caller (app uuid,
principal, Lightblue roles as resolved at submit) as JSON, and `_run_task` rebuilds the caller and
the resolved operation from them. Failures become Lightblue's error envelope.

The worker is a pure Lambda function registered on a blueprint of this module (Chalice points a
blueprint's handler at the module the blueprint was made in, so it cannot live on the routes'
blueprint in common.py). `chalice deploy` names it `<app>-<stage>-lightblue_task`; the SAM
template's logical id is `LightblueTask`.
"""

from __future__ import annotations

import json
import time
from typing import Any

from chalice import Blueprint

from ...bootstrap import services, start_meter
from ...core.errors import CoreError
from ...core.tasks import Runner, principal_doc, principal_of, register_runner
from . import crud
from .common import Caller, envelope
from .errors import code_of, error_object

RUNNER = "lightblue"
WORKER_NAME = "lightblue_task"

bp = Blueprint(__name__)


def task_params(c: Caller, operation: str, entity: str, version: str | None, body: dict[str, Any]) -> dict[str, Any]:
    """Everything a worker needs to act as this caller did, as plain JSON."""
    return {"operation": operation, "entity": entity, "version": version, "body": body, "app": c.app.uuid,
            "principal": principal_doc(c.principal), "roles": None if c.roles is None else sorted(c.roles)}


def task_error(context: str) -> Any:
    """Render an exception as a Lightblue error envelope (a core error keeps its code, anything else is a 500's)."""

    def render(e: Exception) -> dict[str, Any]:
        if isinstance(e, CoreError):
            return envelope("ERROR", errs=[error_object(code_of(e)[1], e.message, context)])
        return envelope("ERROR", errs=[error_object("rest-crud:CrudException", "internal server error", context)])

    return render


def _run_task(params: dict[str, Any]) -> dict[str, Any]:
    svc = services()
    app = svc.tenancy.app_by_uuid(str(params["app"]))
    principal = principal_of(params["principal"])
    svc.auth.check_app_access(principal, app)
    roles = None if params.get("roles") is None else set(params["roles"])
    operation = str(params["operation"])
    op = crud.resolve(Caller(app, principal, roles), crud.ACCESS[operation], str(params["entity"]),
                      params.get("version"), params["body"])
    op.sync_writes = None  # the worker is where big updates and deletes are meant to run
    result: dict[str, Any] = crud.OPERATIONS[operation](op)
    return result


def _render_error(params: dict[str, Any], e: Exception) -> dict[str, Any]:
    context = f"rest/{params.get('operation', 'task')}/{params.get('entity', '')}".rstrip("/")
    result: dict[str, Any] = task_error(context)(e)
    return result


register_runner(RUNNER, Runner(_run_task, _render_error))


@bp.lambda_function(name=WORKER_NAME)
def task_worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The worker Lambda: `{"task": <handle>, "app": <app uuid>}` from an async invocation.

    Returns normally whatever happens (Tasks.execute never raises), so Lambda does not retry a
    task that already ran; one JSON log line per task, like the API's per request.
    """
    started, m = time.perf_counter(), start_meter()
    state = services().tasks.execute(event)
    print(json.dumps({"task": event.get("task") if isinstance(event, dict) else None,
                      "app": event.get("app") if isinstance(event, dict) else None, "state": state,
                      "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                      "dynamodb_calls": m.total_calls, "rcu": m.rcu, "wcu": m.wcu}, separators=(",", ":")), flush=True)
    return {"state": state}
