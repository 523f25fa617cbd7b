"""`/parse` serverInfo, health, events, push, jobs, the Dashboard's job probes, and purge."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.dialects.parse import purge

from .conftest import Parse


def _join(svc: Any) -> None:
    svc.tasks.dispatcher.join(30)


def test_server_info_tells_the_dashboard_what_we_serve(parse: Parse) -> None:
    r = parse.get("serverInfo")
    assert r.status_code == 403 and r.json == {"error": "Permission denied"}
    r = parse.get("serverInfo", master=True)
    assert r.status_code == 200, r.body
    f = r.json["features"]
    assert r.json["parseServerVersion"].startswith("9.")
    assert all(f["schemas"][k] for k in ("addField", "removeField", "addClass", "removeClass", "clearAllDataFromClass"))
    assert all(f["globalConfig"][k] for k in ("create", "read", "update", "delete"))
    assert f["cloudCode"]["jobs"] is True and not f["push"]["immediatePush"]


def test_health_needs_no_keys(rest: Parse) -> None:
    r = rest.get("health", auth=False)
    assert r.status_code == 200 and r.json == {"status": "ok"}
    assert r.headers.get("Access-Control-Allow-Origin") == "*"


def test_events_are_accepted_and_dropped(parse: Parse) -> None:
    r = parse.post("events/AppOpened", {"at": {"__type": "Date", "iso": "2024-01-01T00:00:00.000Z"}})
    assert r.status_code == 200 and r.json == {}, r.body
    assert parse.post("events/search", {"dimensions": {"q": "x"}}).json == {}
    assert parse.post("events/x", {}, auth=False).status_code == 403


def test_push_answers_missing_configuration(rest: Parse) -> None:
    assert rest.post("push", {"channels": ["a"], "data": {"alert": "hi"}}).status_code == 403
    r = rest.post("push", {"channels": ["a"], "data": {"alert": "hi"}}, master=True)
    assert r.status_code == 400 and r.json == {"code": 115, "error": "Missing push configuration"}, r.body


def test_jobs_run_as_tasks_and_report_in_job_status(rest: Parse, svc: Any) -> None:
    assert rest.post("jobs/hello", {"name": "x"}).status_code == 403
    r = rest.post("jobs/nope", {}, master=True)
    assert r.status_code == 400 and r.json == {"code": 141, "error": "Invalid job."}, r.body
    r = rest.post("jobs/hello", {"name": "Ann"}, master=True)
    assert r.status_code == 200 and r.json == {}, r.body
    status_id = r.headers["X-Parse-Job-Status-Id"]
    _join(svc)
    got = rest.get(f"classes/_JobStatus/{status_id}", master=True).json
    assert got["status"] == "succeeded" and got["message"] == "Hello, Ann!" and got["jobName"] == "hello", got
    assert got["finishedAt"]["__type"] == "Date"
    r = rest.post("jobs/count_objects", {}, master=True)  # raises: no collection given
    _join(svc)
    got = rest.get(f"classes/_JobStatus/{r.headers['X-Parse-Job-Status-Id']}", master=True).json
    assert got["status"] == "failed" and "collection" in got["message"], got
    data = rest.get("cloud_code/jobs/data", master=True).json
    assert data == {"in_use": [], "jobs": ["count_objects", "hello"]}
    assert rest.get("cloud_code/jobs", master=True).json == []


def test_purge_deletes_every_object_and_keeps_the_class(rest: Parse, svc: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(purge, "SYNC_LIMIT", 2)  # past it the rest goes to a task
    reqs = [{"method": "POST", "path": "/parse/classes/Crumb", "body": {"n": i}} for i in range(5)]
    assert rest.post("batch", {"requests": reqs}).status_code == 200
    assert rest.delete("purge/Crumb").status_code == 403
    r = rest.delete("purge/Crumb", master=True)
    assert r.status_code == 200 and r.json == {}, r.body
    _join(svc)
    r = rest.get("classes/Crumb", params={"count": 1, "limit": 0}, master=True)
    assert r.json["count"] == 0, r.body
    assert "n" in rest.get("schemas/Crumb", master=True).json["fields"]  # the schema stays
    assert rest.delete("purge/Nothing", master=True).json == {}  # an empty class: {}


def test_installations_register_once_per_device(rest: Parse) -> None:
    r = rest.post("installations", {"deviceType": "ios"})
    assert r.status_code == 400 and r.json["code"] == 135, r.body
    r = rest.post("installations", {"installationId": "i-1"})
    assert r.status_code == 400 and r.json["code"] == 135 and "deviceType" in r.json["error"], r.body
    r = rest.post("installations", {"installationId": "i-1", "deviceType": "android", "channels": ["news"]})
    assert r.status_code == 201, r.body
    oid = r.json["objectId"]
    r = rest.post("installations", {"installationId": "i-1", "deviceType": "android", "badge": 3})
    assert r.status_code == 200 and "updatedAt" in r.body.decode(), r.body  # the same device: updated
    got = rest.get(f"installations/{oid}", master=True).json
    assert got["badge"] == 3 and got["channels"] == ["news"], got
    found = rest.get("installations", params={"where": {"deviceType": "android"}}, master=True).json["results"]
    assert [o["objectId"] for o in found] == [oid]
    assert rest.delete(f"installations/{oid}", master=True).status_code == 200
