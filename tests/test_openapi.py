"""The OpenAPI 3.1 document of each dialect (issue 12): valid, served without touching DynamoDB,
and complete: every route the app registers under a dialect's prefix is in its document (or is
explicitly marked as not API), so a new route cannot be forgotten."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openapi_spec_validator import validate

DIALECTS = ["usergrid", "backendless", "bea", "lightblue", "parse"]


def _dialect(name: str) -> Any:
    from importlib import import_module

    mod = "chalicelib.dialects.bea.models" if name == "bea" else f"chalicelib.dialects.{name}.models"
    return import_module(mod).DIALECT


@pytest.mark.parametrize("name", DIALECTS)
def test_served_valid_public_and_without_dynamodb(name: str) -> None:
    from chalice.test import Client

    from app import app
    from chalicelib import bootstrap

    bootstrap.reset()
    with Client(app) as c:  # no moto: a DynamoDB call would fail here
        r = c.http.get(f"/{name}/openapi.json")
        plain = c.http.get(f"/{name}/openapi.json", headers={"Content-Type": "text/plain"})  # as Parse's JS SDK sends
    assert plain.status_code == 200 and plain.body == r.body
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert "public" in r.headers["Cache-Control"]
    assert bootstrap._services is None  # the document never built the services, so no AWS client
    doc = json.loads(r.body)
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["schemas"]["Error"]["required"]


@pytest.mark.parametrize("name", DIALECTS)
def test_every_registered_route_is_documented(name: str) -> None:
    from app import app
    from chalicelib.dialects import openapi

    d = _dialect(name)
    assert openapi.missing(app.routes, d) == []
    doc = openapi.document(app.routes, d)
    for path, entries in app.routes.items():
        if not (path == d.prefix or path.startswith(d.prefix + "/")):
            continue
        for method, entry in entries.items():
            spec = getattr(entry.view_function, openapi.SPEC_ATTR)
            spec = spec.get(method, spec.get("*"))
            if isinstance(spec, openapi.Op):
                assert method.lower() in doc["paths"][path], (method, path)


def test_every_route_belongs_to_a_dialect() -> None:
    from app import app

    outside = [p for p in app.routes if p != "/status" and not any(p.startswith(f"/{n}/") for n in DIALECTS)]
    assert outside == []


def test_each_operation_has_parameters_for_its_path_and_an_error_response() -> None:
    from app import app
    from chalicelib.dialects import openapi

    for name in DIALECTS:
        doc = openapi.document(app.routes, _dialect(name))
        for path, ops in doc["paths"].items():
            for op in ops.values():
                names = {p["name"] for p in op["parameters"] if p["in"] == "path"}
                assert names == set(re.findall(r"\{(\w+)\}", path)), path
                assert op["responses"]["default"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}


def test_every_parse_route_of_the_registry_is_documented_and_back() -> None:
    """Parse dispatches on the first segment through its `@route` registry, behind four Chalice routes:
    each registered name has operations in the document, and each documented path names a registered one
    (tests/parse/test_openapi_routes.py then checks each operation reaches its handler)."""
    from app import app
    from chalicelib.dialects import openapi
    from chalicelib.dialects.parse.common import ROUTES

    doc = openapi.document(app.routes, _dialect("parse"))
    firsts = {p.split("/")[2] for p in doc["paths"]} - {"openapi.json"}
    assert firsts == set(ROUTES)
