"""The small Parse routes: serverInfo, health, analytics events, push, jobs and the Dashboard's probes.

- `GET /serverInfo` (master): the `features` Parse Dashboard builds its navigation from. We say
  what we serve: schemas and config in full, jobs; no hooks, logs or push (those pages stay hidden).
- `GET /health`: `{"status": "ok"}`, no keys needed (load balancers).
- `POST /events/{name}`: Parse's default analytics adapter accepts and drops events: `{}`.
- `POST /push` (master): no push adapter is configured: 400 `{"code": 115, "error": "Missing push configuration"}`.
- `POST /jobs/{name}` (master): runs the job as a task (core/tasks.py) and answers `{}` with the
  `X-Parse-Job-Status-Id` header, the `_JobStatus` object that tracks it (`running`, then
  `succeeded` with the job's message or `failed` with the error). Jobs are Python functions in
  `chalicelib/cloudcode/parse_jobs.py` registered with `@method`, as cloud functions are.
- `GET /cloud_code/jobs/data` and `/cloud_code/jobs` (master): the Dashboard's Jobs page.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

from ...bootstrap import services
from ...core.cloudcode import NAME_RE, Invocation, lookup, names
from ...core.errors import CoreError
from ...core.tasks import Runner, register_runner
from ..parselike.codec import iso
from .common import Ctx, Out, Req, require_master, route
from .errors import MISSING_PUSH_CONFIG, SCRIPT_FAILED, ParseError, Refused
from .names import class_collection
from .purge import as_app

VERSION = "9.10.0"  # the Parse Server release whose REST API this dialect follows
JOBS_SERVICE = "parse_jobs"
RUNNER = "parse-job"
FEATURES: dict[str, Any] = {
    "globalConfig": {"create": True, "read": True, "update": True, "delete": True},
    "hooks": {"create": False, "read": False, "update": False, "delete": False},
    "cloudCode": {"jobs": True},
    "logs": {"level": False, "size": False, "order": False, "until": False, "from": False},
    "push": {"immediatePush": False, "scheduledPush": False, "storedPushData": False, "pushAudiences": False,
             "localization": False},
    "schemas": {"addField": True, "removeField": True, "addClass": True, "removeClass": True,
                "clearAllDataFromClass": True, "exportClass": False, "editClassLevelPermissions": True,
                "editPointerPermissions": False},
    "settings": {"securityCheck": False},
}


def _unknown(req: Req) -> Refused:
    return Refused(f"unknown route: {req.method} /{'/'.join([req.route, *req.parts])}", 404)


@route("serverInfo")
def server_info(ctx: Ctx, req: Req) -> Out:
    require_master(ctx)
    if req.parts or req.method != "GET":
        raise _unknown(req)
    return Out(200, {"features": FEATURES, "parseServerVersion": VERSION})


@route("health", keys=False)
def health(ctx: None, req: Req) -> Out:
    if req.parts or req.method != "GET":
        raise _unknown(req)
    return Out(200, {"status": "ok"})


@route("events")
def events(ctx: Ctx, req: Req) -> Out:
    """Parse's default analytics adapter drops what it is given: so do we, after checking the keys."""
    if len(req.parts) != 1 or req.method != "POST":
        raise _unknown(req)
    return Out(200, {})


@route("push")
def push(ctx: Ctx, req: Req) -> Out:
    require_master(ctx)
    if req.parts or req.method != "POST":
        raise _unknown(req)
    raise ParseError(MISSING_PUSH_CONFIG, "Missing push configuration")


@route("push_audiences")
def push_audiences(ctx: Ctx, req: Req) -> Out:
    require_master(ctx)
    raise ParseError(MISSING_PUSH_CONFIG, "Missing push configuration")


@route("jobs")
def jobs(ctx: Ctx, req: Req) -> Out:
    require_master(ctx)
    if len(req.parts) != 1 or req.method != "POST":
        raise _unknown(req)
    return start_job(ctx, req.parts[0], req.fields())


@route("cloud_code")
def cloud_code(ctx: Ctx, req: Req) -> Out:
    """The Dashboard's Jobs page: the jobs there are, and scheduled runs (none: use EventBridge)."""
    require_master(ctx)
    if req.method == "GET" and req.parts == ["jobs", "data"]:
        return Out(200, {"in_use": [], "jobs": job_names()})
    if req.method == "GET" and req.parts == ["jobs"]:
        return Out(200, [])
    raise _unknown(req)


# -- jobs ---------------------------------------------------------------------------------------
def _job(name: str) -> Any:
    try:
        importlib.import_module(f"chalicelib.cloudcode.{JOBS_SERVICE}")
    except ModuleNotFoundError:
        return None
    return lookup(JOBS_SERVICE, name) if NAME_RE.match(name) else None


def job_names() -> list[str]:
    _job("_")  # imports the module, registering its jobs
    return names(JOBS_SERVICE)


def _status_coll() -> str:
    return class_collection("_JobStatus")


def start_job(ctx: Ctx, name: str, params: dict[str, Any]) -> Out:
    if _job(name) is None:
        raise ParseError(SCRIPT_FAILED, "Invalid job.")
    params = {k: v for k, v in params.items() if not k.startswith("_")}
    data = as_app(ctx.app.uuid)
    status = data.create_record(_status_coll(), {"jobName": name, "source": "api", "status": "running",
                                                 "params": params})
    services().tasks.submit(ctx.app.uuid, RUNNER, {"app": ctx.app.uuid, "job": name, "params": params,
                                                  "status": status.uuid})
    return Out(200, {}, {"X-Parse-Job-Status-Id": status.uuid})


def _finish(params: dict[str, Any], status: str, message: str) -> None:
    as_app(str(params["app"])).update_record(_status_coll(), str(params["status"]), {
        "status": status, "message": message[:10_000],
        "finishedAt": {"__type": "Date", "iso": iso(time.time() * 1000)}})


def _run(params: dict[str, Any]) -> dict[str, Any]:
    fn = _job(str(params["job"]))
    data = as_app(str(params["app"]))
    if fn is None:
        raise ParseError(SCRIPT_FAILED, "Invalid job.")
    result = fn(Invocation(app=data.app, user=None, args=params.get("params") or {}, data=data))
    message = result if isinstance(result, str) else "" if result is None else str(result)
    _finish(params, "succeeded", message)
    return {"result": message}


def _error(params: dict[str, Any], e: Exception) -> dict[str, Any]:
    message = e.message if isinstance(e, CoreError) else f"{type(e).__name__}: {e}"
    if params.get("status"):
        try:
            _finish(params, "failed", message)
        except Exception:  # noqa: BLE001 - the task's own error report must not fail too
            pass
    return {"code": SCRIPT_FAILED, "error": message}


register_runner(RUNNER, Runner(_run, _error))
