"""Issue 12: unknown routes and wrong methods answer 404 / 405 in each dialect's own error format."""

from __future__ import annotations

import json
from typing import Any

import pytest


def _shape(dialect: str, body: dict[str, Any]) -> bool:
    return {
        "usergrid": lambda b: {"error", "error_description", "exception"} <= set(b),
        "bea": lambda b: set(b) == {"code", "error"},
        "backendless": lambda b: {"code", "message"} <= set(b),
        "lightblue": lambda b: b.get("status") == "ERROR" and b["errors"][0]["objectType"] == "error",
        "parse": lambda b: set(b) == {"code", "error"} or set(b) == {"error"},  # the bare 403 has no code
    }[dialect](body)


# Locally (chalice.test.Client, `chalice local`) a route matches only paths of its own length, so these
# stop at the fallback chain plus its `{proxy+}` segment; API Gateway's greedy variable takes the rest.
UNKNOWN = {
    "usergrid": ["/usergrid/x", "/usergrid/management/nope/deeper/still", "/usergrid/" + "/".join("abcdefghi")],
    "bea": ["/bea/2", "/bea/1/a/b/c/d/e/f/g"],
    "backendless": ["/backendless/x", "/backendless/a/b/c/d/e/f/g/h/i/j/k/l/m"],
    "lightblue": ["/lightblue/x", "/lightblue/rest/nothing", "/lightblue/rest/data/a/b/c/d/e/f"],
    "parse": ["/parse/x", "/parse/classes/A/b/c/d", "/parse/classes/A/b/c/d/e/f/g/h"],
}


@pytest.mark.parametrize("dialect", sorted(UNKNOWN))
def test_unknown_paths_are_404_in_the_dialects_format(client: Any, dialect: str) -> None:
    for path in UNKNOWN[dialect]:
        for method in ("get", "post", "delete"):
            r = getattr(client.http, method)(path, headers={"Content-Type": "application/json"})
            # 405 where the path has the shape of a real route that lacks this method
            assert r.status_code in (401, 403, 404, 405), (path, method, r.status_code, r.body)
            assert b"Missing Authentication Token" not in r.body, path
            assert _shape(dialect, json.loads(r.body)), (path, r.body)


WRONG_METHOD = {
    "usergrid": ("patch", "/usergrid/management/token"),
    "bea": ("patch", "/bea/1/login"),
    "backendless": ("patch", "/backendless/{app}/{key}/users/login"),
    "lightblue": ("delete", "/lightblue/rest/data/find/customer"),
    "parse": ("post", "/parse/openapi.json"),
}


@pytest.mark.parametrize("dialect", sorted(WRONG_METHOD))
def test_wrong_methods_are_405_in_the_dialects_format(client: Any, dialect: str, request: Any) -> None:
    method, path = WRONG_METHOD[dialect]
    if dialect == "backendless":  # Backendless checks the app's keys before anything else
        creds = request.getfixturevalue("org")["credentials"]
        path = path.format(app=creds["uuid"], key=creds["rest_api_key"])
    r = getattr(client.http, method)(path, headers={"Content-Type": "application/json"})
    assert r.status_code == 405, r.body
    assert _shape(dialect, json.loads(r.body)), r.body
    assert b"MethodNotAllowedError" not in r.body


def test_every_route_has_every_method_and_the_greedy_routes_sit_below_variable_chains() -> None:
    from app import app
    from chalicelib.dialects.fallback import METHODS

    for path, entries in app.routes.items():
        if path.startswith(("/usergrid/", "/bea/", "/backendless/", "/lightblue/")):
            assert set(METHODS) <= set(entries), path
    # API Gateway allows one variable child per parent: no two variable siblings anywhere
    children: dict[str, set[str]] = {}
    for path in app.routes:
        parts = path.split("/")
        for i in range(1, len(parts)):
            if parts[i].startswith("{"):
                children.setdefault("/".join(parts[:i]), set()).add(parts[i])
    clashes = {parent: names for parent, names in children.items() if len(names) > 1}
    assert not clashes
