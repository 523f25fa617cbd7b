"""OpenAPI 3.1 per dialect, built from the app's own route table and the models declared next to
each view: one source, so a route cannot exist without appearing in its dialect's document.

Each dialect's view helper takes `spec=` (an `Op`, or a dict method -> `Op`) and stores it on the
registered view function. `document()` walks Chalice's `app.routes` under the dialect's prefix and
turns every (path, method) into an operation; a route registered without a spec is listed in
`missing()` (tests/test_openapi.py fails on it). Two markers cover routes that are not API:
`NOT_SERVED` for a method a path registers only to answer the dialect's own 404/405, and `EXPAND`
for BEA's segment dispatchers, whose logical routes the dialect declares itself (`Dialect.expand`).

Built lazily on the first `GET /<dialect>/openapi.json` and cached (cold start stays small, no
DynamoDB call); responses name their error envelope so a fuzzer can check every 4xx body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint, Response

from .lazy import LAZY_LOAD

JSON = dict[str, Any]
SPEC_ATTR = "__openapi__"
ANY: JSON = {}
STR: JSON = {"type": "string"}
INT: JSON = {"type": "integer"}
NUM: JSON = {"type": "number"}
BOOL: JSON = {"type": "boolean"}
OBJ: JSON = {"type": "object"}
JSON_TYPES = ["application/json"]


def obj(required: tuple[str, ...] = (), /, **props: JSON) -> JSON:
    """An object with these (documented) properties; others are allowed, as schemaless data needs.
    `required` is positional-only, so a property may be named `required` (or anything else)."""
    out: JSON = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    return out


def arr(items: JSON = ANY) -> JSON:
    return {"type": "array", "items": items}


def one_of(*schemas: JSON) -> JSON:
    return {"anyOf": list(schemas)}


@dataclass(frozen=True)
class Op:
    """One operation: what it takes and what it answers. `responses` maps a status ("200", "2XX",
    "302") to the JSON schema of its body, or None for a body that is not JSON (redirects, bytes)."""

    summary: str
    query: Mapping[str, JSON] = field(default_factory=dict)
    body: JSON | None = None
    body_types: tuple[str, ...] = ("application/json",)
    responses: Mapping[str, JSON | None] = field(default_factory=lambda: {"200": ANY})
    headers: Mapping[str, JSON] = field(default_factory=dict)
    description: str = ""


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


NOT_SERVED = _Marker("NOT_SERVED")  # registered only to answer the dialect's 404/405 (not part of the API)
EXPAND = _Marker("EXPAND")  # a dispatcher: the dialect lists the logical routes behind it
Spec = Op | _Marker
Logical = tuple[str, str, Op]  # (method, full path, Op)


def annotate(fn: Any, spec: Spec | Mapping[str, Spec] | None) -> None:
    """Attach a view's spec; a bare Op or marker applies to every method of the route."""
    if spec is None:
        return
    setattr(fn, SPEC_ATTR, dict(spec) if isinstance(spec, Mapping) else {"*": spec})


@dataclass(frozen=True)
class Dialect:
    name: str
    prefix: str
    title: str
    description: str
    error: JSON  # the dialect's error envelope
    headers: Mapping[str, JSON] = field(default_factory=dict)  # request headers every operation reads
    expand: Callable[[], list[Logical]] | None = None


def _spec_of(entry: Any, method: str) -> Spec | None:
    load = getattr(entry.view_function, LAZY_LOAD, None)
    if load is not None:  # a stub of a dialect not imported yet: its spec arrives with the dialect
        load()
    specs = getattr(entry.view_function, SPEC_ATTR, None) or {}
    return specs.get(method, specs.get("*"))


def missing(routes: Mapping[str, Mapping[str, Any]], d: Dialect) -> list[tuple[str, str]]:
    """Registered (method, path) pairs of the dialect that carry no spec."""
    return [(m, p) for p, entries in routes.items() if _mine(p, d) for m, e in entries.items()
            if m != "OPTIONS" and _spec_of(e, m) is None]


def _mine(path: str, d: Dialect) -> bool:
    return path == d.prefix or path.startswith(d.prefix + "/")


def operations(routes: Mapping[str, Mapping[str, Any]], d: Dialect) -> list[Logical]:
    """Every documented (method, path, Op) of the dialect, in route-table order."""
    out: list[Logical] = []
    expanded = False
    for path, entries in routes.items():
        if not _mine(path, d):
            continue
        for method, entry in entries.items():
            spec = _spec_of(entry, method) if method != "OPTIONS" else NOT_SERVED
            if isinstance(spec, Op):
                out.append((method, path, spec))
            elif spec is EXPAND and not expanded and d.expand is not None:
                out.extend(d.expand())
                expanded = True
    return out


def _operation(method: str, path: str, op: Op, d: Dialect) -> JSON:
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
              for n in re.findall(r"\{(\w+)\}", path)]
    params += [{"name": n, "in": "query", "required": False, "schema": s} for n, s in op.query.items()]
    params += [{"name": n, "in": "header", "required": False, "schema": s}
               for n, s in {**d.headers, **op.headers}.items()]
    responses: JSON = {}
    for status, schema in op.responses.items():
        r: JSON = {"description": "success" if status.startswith("2") else "see summary"}
        if schema is not None:
            r["content"] = {"application/json": {"schema": schema}}
        responses[status] = r
    responses["default"] = {"description": f"an error in {d.title}'s envelope",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    out: JSON = {"operationId": _op_id(method, path), "summary": op.summary, "parameters": params,
                 "responses": responses}
    if op.description:
        out["description"] = op.description
    if op.body is not None and method in ("POST", "PUT", "PATCH", "DELETE"):
        out["requestBody"] = {"required": False, "content": {t: {"schema": op.body} for t in op.body_types}}
    return out


def _op_id(method: str, path: str) -> str:
    return method.lower() + "_" + re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")


def document(routes: Mapping[str, Mapping[str, Any]], d: Dialect) -> JSON:
    paths: JSON = {}
    for method, path, op in operations(routes, d):
        paths.setdefault(path, {})[method.lower()] = _operation(method, path, op, d)
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{d.title} dialect", "version": "1", "description": d.description},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": {"Error": d.error}},
    }


_cache: dict[str, str] = {}


def serve(bp: Blueprint, d: Dialect) -> None:
    """Register `GET <prefix>/openapi.json`: public, cacheable, built once per process."""

    def openapi_json() -> Response:
        if d.name not in _cache:
            _cache[d.name] = json.dumps(document(bp.current_app.routes, d), separators=(",", ":"))
        return Response(body=_cache[d.name], status_code=200,
                         headers={"Content-Type": "application/json", "Cache-Control": "public, max-age=3600"})

    openapi_json.__name__ = f"{d.name}_openapi"
    annotate(openapi_json, Op("This document: the dialect's OpenAPI 3.1 description", responses={"200": OBJ}))
    # any Content-Type: a GET carries no body, and Chalice would answer its own raw 415 to `text/plain`
    bp.route("/openapi.json", methods=["GET"], cors=True, content_types=["*/*"], name=openapi_json.__name__)(
        openapi_json)
