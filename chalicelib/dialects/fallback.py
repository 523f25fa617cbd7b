r"""Unknown routes and wrong methods, answered in the dialect's own error format (404 / 405).

Chalice has no catch-all route, `chalice local` and chalice.test.Client match a path only against
routes of the same number of segments, and API Gateway answers an unknown path with its own 403
`{"message": "Missing Authentication Token"}` and a missing method with Chalice's raw
`{"Code": "MethodNotAllowedError"}`. `install` completes a dialect's route table once every route
is registered (app.py calls it per prefix):

- every registered path gets the methods it lacks, each answering 405 (MethodNotAllowed);
- from the prefix down to `depth` segments, each level gets a variable segment where it has none
  (reusing the level's existing variable name, since API Gateway allows one per parent), answering
  404 (RouteNotFound): an unknown path of up to `depth` segments is a 404 locally and deployed;
- `<end of that chain>/{proxy+}` answers 404 for anything deeper: API Gateway treats it as a greedy
  path variable; it sits at the end of the chain because API Gateway allows one variable child per
  parent (`/usergrid/{proxy+}` would clash with `/usergrid/{org}`). Chalice registers it as an
  ordinary route key (its `{\w+}` pattern does not see `proxy+`), which is also the resource path
  API Gateway hands the Lambda, so the same view answers. Not verified on AWS here (no account):
  whether API Gateway falls back from a literal branch (`/usergrid/management/x/y`) to a variable
  sibling is its routing, not ours; such paths may still get its 403 when deployed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Chalice

from ..core.errors import MethodNotAllowed, RouteNotFound
from .http import ErrorRenderer, endpoint
from .openapi import NOT_SERVED, annotate

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
GREEDY = "{proxy+}"


def install(app: Chalice, prefix: str, render: ErrorRenderer, dialect: str, depth: int = 8) -> int:
    """Add the fallback routes of one dialect; returns how many (path, method) pairs were added."""
    request: Callable[[], Any] = lambda: app.current_request  # noqa: E731

    def not_found(**_: str) -> Any:
        r = app.current_request
        raise RouteNotFound(f"Unknown route: {r.method} {r.path}" if r is not None else None)

    def not_allowed(**_: str) -> Any:
        r = app.current_request
        entries = app.routes.get(r.context.get("resourcePath", ""), {}) if r is not None else {}
        allowed = ", ".join(sorted(m for m, e in entries.items() if not e.view_name.startswith(missing.__name__)))
        raise MethodNotAllowed(f"{r.method if r else 'this method'} is not allowed here; allowed: {allowed}")

    missing = _wrap(endpoint(request, render, dialect)(not_allowed), f"{dialect}_method_not_allowed")
    unknown = _wrap(endpoint(request, render, dialect)(not_found), f"{dialect}_unknown_route")
    annotate(missing, NOT_SERVED)  # answers only: not operations of the dialect's OpenAPI document
    annotate(unknown, NOT_SERVED)
    added = 0
    mine = [p for p in list(app.routes) if p == prefix or p.startswith(prefix + "/")]
    for path in mine:
        methods = [m for m in METHODS if m not in app.routes[path]]
        if methods:
            app.route(path, methods=methods, content_types=["*/*"], cors=_cors(app, path),
                      name=f"{missing.__name__}_{added}")(missing)
            added += len(methods)
    chain = _unknown_paths(set(mine), prefix, depth)
    dialect_cors = next((e.cors for p in mine for e in app.routes[p].values() if e.cors), True)
    for path in chain + [f"{chain[-1]}/{GREEDY}"]:
        if path not in app.routes:
            app.route(path, methods=list(METHODS), content_types=["*/*"], cors=dialect_cors,
                      name=f"{unknown.__name__}_{added}")(unknown)
            added += len(METHODS)
    return added


def _unknown_paths(existing: set[str], prefix: str, depth: int) -> list[str]:
    """One chain of variable segments under the prefix, reusing each level's variable name, at least
    `depth` long and as deep as the dialect's own variable chain (the greedy route goes below it)."""
    out: list[str] = []
    path, level = prefix, 0
    while True:
        level += 1
        base = len(path.split("/"))
        siblings = sorted({p.split("/")[base] for p in existing
                           if p.startswith(path + "/") and p.split("/")[base].startswith("{")})
        if level > depth and not siblings:
            return out
        path = f"{path}/{siblings[0] if siblings else f'{{c{level}}}'}"
        out.append(path)


def _cors(app: Chalice, path: str) -> Any:
    entries = list(app.routes[path].values())
    return entries[0].cors if entries else True


def _wrap(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    fn.__name__ = name
    return fn
