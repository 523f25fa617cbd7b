"""Each dialect's handlers imported on its first request, not at cold start (issue 15).

Chalice needs every route in `app.routes` at import (API Gateway's template, the router, the
fallback routes and the OpenAPI documents all read that table), but a Lambda container that
answers Usergrid requests has no use for the other four dialects' modules: importing them all was
a third of `import app`. So `make package` writes the route table into the zip
(`routes.json`, next to this file: every route's path, method, name, content types and CORS, per
dialect), and when that file is there `mount` registers one light stub per route from it. A stub's
first call imports the dialect's modules, registers their blueprints on a private Chalice app
(the view functions Chalice would have registered), points the blueprints at the real app
(`current_request`, `current_app`) and hands the call over; later calls go straight through.

Without the file (tests, `chalice local`, `chalice package` itself) `mount` imports every dialect
as before, so the manifest is always built from the same sources it ships with and can never be
stale in a package. tests/test_lazy_routes.py builds one and checks that the lazy table equals the
eager one and that every dialect answers, documents itself and falls back through its stubs.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from chalice import Chalice, CORSConfig
from chalice.app import RouteEntry

MANIFEST = Path(__file__).with_name("routes.json")
# A dialect: its name and the (url prefix or None, module holding `bp`) pairs it is made of.
Dialects = Mapping[str, Sequence[tuple[str | None, str]]]
LAZY_LOAD = "__lazy_load__"  # on a stub: loads its dialect (openapi.py resolves specs through it)

_lock = threading.Lock()


def mount(app: Chalice, dialects: Dialects, manifest: Path | None = None) -> bool:
    """Register every dialect's routes on `app`: stubs from the manifest when the package carries
    one (True), else the dialects themselves, imported now and their routes noted for
    `write_manifest` (False)."""
    manifest = manifest or MANIFEST
    if not manifest.exists():
        for dialect, parts in dialects.items():
            before = {(p, m) for p, es in app.routes.items() for m in es}
            _register(app, parts)
            _EAGER.extend((dialect, p, m, e) for p, es in app.routes.items() for m, e in es.items()
                          if (p, m) not in before)
        return False
    table = json.loads(manifest.read_text())
    cors = [CORSConfig(**c) for c in table["cors"]]  # shared: a few distinct configs for ~500 routes
    loaders = {name: _Loader(app, parts) for name, parts in dialects.items()}
    for dialect, path, method, name, types, cors_i, api_key in table["routes"]:
        # what `app.route` would enter, without its decorator machinery (~10 µs a route, ~500 routes)
        stub = loaders[dialect].stub(path, method)
        app.routes[path][method] = RouteEntry(stub, name, path, method, api_key, table["types"][types],
                                              False if cors_i is None else cors[cors_i])
        app.handler_map[name] = stub
    return True


_EAGER: list[tuple[str, str, str, Any]] = []  # (dialect, path, method, route entry) an eager `mount` registered


def route_table() -> dict[str, Any]:
    """The manifest of this process's app, mounted eagerly (`import app` first): every dialect's
    routes in registration order, distinct CORS configurations and content types listed once."""
    if not _EAGER:
        raise RuntimeError("no dialect mounted eagerly in this process: import app first")
    cors: list[dict[str, Any]] = []
    types: list[list[str]] = []
    routes: list[list[Any]] = []
    for dialect, path, method, e in _EAGER:
        c = _cors_json(e.cors)
        if c is not None and c not in cors:
            cors.append(c)
        if list(e.content_types) not in types:
            types.append(list(e.content_types))
        if e.authorizer is not None:
            raise ValueError(f"{method} {path}: the manifest does not carry authorizers")
        routes.append([dialect, path, method, e.view_name, types.index(list(e.content_types)),
                       None if c is None else cors.index(c), e.api_key_required])
    return {"version": 1, "cors": cors, "types": types, "routes": routes}


def write_manifest(target: Path = MANIFEST) -> Path:
    target.write_text(json.dumps(route_table(), separators=(",", ":")))
    return target


def _register(app: Chalice, parts: Iterable[tuple[str | None, str]]) -> None:
    for prefix, module in parts:
        app.register_blueprint(importlib.import_module(module).bp, url_prefix=prefix)


class _Loader:
    """One dialect: its real views, imported and registered on the first call of any of its stubs."""

    def __init__(self, app: Chalice, parts: Sequence[tuple[str | None, str]]) -> None:
        self.app, self.parts = app, parts
        self.views: dict[tuple[str, str], Callable[..., Any]] | None = None
        self.stubs: dict[tuple[str, str], Callable[..., Any]] = {}

    def stub(self, path: str, method: str) -> Callable[..., Any]:
        key = (path, method)

        def stub(**segments: str) -> Any:
            return self.view(key)(**segments)

        setattr(stub, LAZY_LOAD, self.load)
        self.stubs[key] = stub
        return stub

    def view(self, key: tuple[str, str]) -> Callable[..., Any]:
        views = self.views if self.views is not None else self.load()
        return views[key]

    def load(self) -> dict[tuple[str, str], Callable[..., Any]]:
        with _lock:
            if self.views is None:
                private = Chalice(app_name=self.app.app_name)
                for prefix, module in self.parts:
                    bp = importlib.import_module(module).bp
                    if bp._current_app is not None:  # chalice pops a route's methods as it registers it
                        raise RuntimeError(f"{module}.bp is registered already: a lazy app needs a fresh process")
                    private.register_blueprint(bp, url_prefix=prefix)
                    bp._current_app = self.app  # the request, context and routes are the real app's
                views = {(p, m): e.view_function for p, es in private.routes.items() for m, e in es.items()}
                for key, stub in self.stubs.items():  # what openapi.py reads off the route table
                    for attr, value in vars(views[key]).items():
                        if attr.startswith("__openapi"):
                            setattr(stub, attr, value)
                self.views = views
        return self.views


def _cors_json(cors: CORSConfig | None) -> dict[str, Any] | None:
    if cors is None:
        return None
    return {"allow_origin": cors.allow_origin, "allow_headers": sorted(cors._allow_headers),
            "expose_headers": list(cors._expose_headers), "max_age": cors._max_age,
            "allow_credentials": cors._allow_credentials}


