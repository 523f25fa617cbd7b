"""`DELETE /purge/{Class}` (master key): delete every object of a class, keeping its schema.

Also the engine of removing a field from a schema (every object loses the field). Both touch
every object, so one request does at most `SYNC_LIMIT` of them (each delete or update is about
four DynamoDB calls); the rest goes to a task (core/tasks.py: a thread locally, the worker
Lambda in AWS) that works through the class page by page and hands itself on to a new task
before the worker's time runs out. The answer is Parse's `{}` either way: a client that counts
right after purging a big class may still see objects the task has not reached.
"""

from __future__ import annotations

import time
from typing import Any

from ...bootstrap import services
from ...core.auth import Principal
from ...core.data import AppData
from ...core.errors import CoreError, EntityNotFound
from ...core.query import Exists, Query
from ...core.tasks import Runner, register_runner
from .common import Ctx, Out, Req, require_master, route
from .errors import Refused
from .names import class_collection

RUNNER = "parse-bulk"
SYNC_LIMIT = 100  # objects one API request purges or updates before the rest goes to a task
PAGE = 100
TASK_BUDGET_S = 600.0  # a task hands on to a fresh one after this (the worker function stops at 900 s)


def as_app(app_uuid: str) -> AppData:
    app = services().tenancy.app_by_uuid(app_uuid)
    return services().data(app, Principal("app", app.uuid, app.uuid))


def _step(data: AppData, coll: str, op: str, field: str | None, budget: int) -> bool:
    """Purge (or unset `field` on) up to `budget` objects; True once none is left."""
    done = 0
    while done < budget:
        where = Exists(field) if op == "unset" and field else None
        page = data.query(coll, Query(where=where, limit=min(PAGE, budget - done)))
        if not page.records:
            return True
        for rec in page.records:
            try:
                if op == "purge":
                    data.delete_record(coll, rec.uuid, current=rec)
                else:
                    data.update_record(coll, rec.uuid, {}, current=rec,
                                       mutate=lambda d: {k: v for k, v in d.items() if k != field})
            except EntityNotFound:
                pass  # deleted meanwhile
            done += 1
    return False


def bulk(ctx: Ctx, coll: str, op: str, field: str | None = None) -> bool:
    """Run a purge or unset: here up to SYNC_LIMIT objects, then as a task. True when finished here."""
    if _step(as_app(ctx.app.uuid), coll, op, field, SYNC_LIMIT):
        return True
    services().tasks.submit(ctx.app.uuid, RUNNER, {"app": ctx.app.uuid, "collection": coll, "op": op, "field": field})
    return False


def _run(params: dict[str, Any]) -> dict[str, Any]:
    data = as_app(str(params["app"]))
    coll, op, field = str(params["collection"]), str(params["op"]), params.get("field")
    started = time.monotonic()
    while time.monotonic() - started < TASK_BUDGET_S:
        if _step(data, coll, op, field, PAGE * 10):
            return {"result": "done"}
    handle = services().tasks.submit(data.app.uuid, RUNNER, params)  # hand on before the worker times out
    return {"result": "continued", "next": handle}


def _error(params: dict[str, Any], e: Exception) -> dict[str, Any]:
    message = e.message if isinstance(e, CoreError) else "internal server error"
    return {"code": 1, "error": message}


register_runner(RUNNER, Runner(_run, _error))


@route("purge")
def purge_route(ctx: Ctx, req: Req) -> Out:
    if len(req.parts) != 1 or req.method != "DELETE":
        raise Refused(f"unknown route: {req.method} /purge/{'/'.join(req.parts)}", 404)
    require_master(ctx)
    bulk(ctx, class_collection(req.parts[0]), "purge")
    return Out(200, {})
