"""No route reaches data without passing the permission check (issue 3), including routes added later.

Two guards: (1) every dialect reaches entities only through AppData (`services().data(...)`),
never the entity service, planner or storage directly; (2) every route of the app, called by an
anonymous caller on a private app, answers 4xx unless it is one of the few public entry points.
A new route that skips the check fails here without anyone updating this file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BYPASS = re.compile(r"(services\(\)|\bsvc|\bs)\.(entities|executor|connections|policy)\b|from \.+storage|import storage")

# (method, route) pairs any anonymous caller may use: health, signup, logins, registration.
PUBLIC = {
    ("GET", "/status"), ("GET", "/usergrid/status"),
    ("GET", "/usergrid/openapi.json"), ("GET", "/backendless/openapi.json"), ("GET", "/bea/openapi.json"),
    ("GET", "/lightblue/openapi.json"), ("GET", "/parse/openapi.json"),
    ("POST", "/usergrid/management/organizations"),
    ("POST", "/usergrid/management/token"), ("GET", "/usergrid/management/token"),
    ("POST", "/usergrid/{org}/{app}/token"), ("GET", "/usergrid/{org}/{app}/token"),
}


def test_dialects_reach_data_only_through_appdata() -> None:
    offenders = []
    for path in (ROOT / "chalicelib" / "dialects").rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if BYPASS.search(code):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def _fill(route: str, ids: dict[str, str]) -> str:
    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        return ids.get(name, "x")

    return re.sub(r"\{(\w+)\}", value, route)


def test_every_route_denies_an_anonymous_caller(api: Any, org: dict[str, Any]) -> None:
    from app import app

    admin = org["admin_token"]
    item = api.post("/usergrid/acme/prod/items", {"name": "thing"}, token=admin).json["entities"][0]
    ids = {"org": "acme", "app": "prod", "collection": "items", "entity": item["uuid"], "app_id": org["credentials"]["uuid"],
           "rest_key": "not-the-key", "className": "items", "objectId": item["uuid"], "table": "items"}
    leaks = []
    for route, entries in app.routes.items():
        for method in entries:
            if method == "OPTIONS" or (method, route) in PUBLIC:
                continue
            path = _fill(route, ids)
            r = api.call(method, path, {}, token="")
            if r.status_code < 400 and r.status_code != 302:
                leaks.append((method, route, r.status_code, r.body[:120]))
            assert r.status_code < 500, (method, route, r.body[:300])
    assert leaks == []
