"""What every dialect shares at the HTTP edge: body parsing, metering, logging, error mapping.

Chalice middleware cannot see exceptions raised in REST views, so each view is wrapped by
`endpoint(...)`, which times and meters the request, turns core errors into the dialect's
envelope through its error table (looked up along the exception's MRO), adds the
`X-Request-Cost` header and prints one JSON log line.
"""

from __future__ import annotations

import functools
import json
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from chalice import CORSConfig, Response
from chalice.app import Request

from ..bootstrap import caller_is_privileged, request_app, request_limits, services, start_meter
from ..core import budget, validate
from ..core.errors import CoreError, MalformedBody, TooLarge


def cors(*headers: str) -> CORSConfig:
    """A dialect's CORS answer: any origin, and every request header its SDKs send (a browser refuses
    the call when a preflight does not list one, e.g. Backendless's `user-token`)."""
    return CORSConfig(allow_origin="*", allow_headers=["Content-Type", "Accept", "X-Requested-With", *headers],
                      expose_headers=["Location", "X-Request-Cost"], max_age=86400)


ErrorRenderer = Callable[[CoreError | None, Exception, float], Response]


def endpoint(get_request: Callable[[], Request], render_error: ErrorRenderer,
             dialect: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator factory: wraps a view with metering, logging and the dialect's error mapping."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            m = start_meter()
            budget.start(request_limits())
            extra: dict[str, str] = {}
            try:
                check_request(get_request(), kwargs)
                response = view(*args, **kwargs)
            except CoreError as e:
                response = render_error(e, e, started)
                retry_after = getattr(e, "retry_after_s", None)  # core/errors.py: ConcurrencyExhausted
                if retry_after:
                    extra["Retry-After"] = str(retry_after)
            except Exception as e:  # noqa: BLE001 - the one place an unexpected error becomes a 500
                traceback.print_exc(file=sys.stderr)
                response = render_error(None, e, started)
            finally:
                budget.stop()
            if not isinstance(response, Response):
                response = Response(body=response, status_code=200)
            headers = {**(response.headers or {}), **extra, "X-Content-Type-Options": "nosniff"}
            if caller_is_privileged():
                headers["X-Request-Cost"] = m.header()  # to others it would tell what they cannot read
            response.headers = headers
            _log(get_request(), dialect, response.status_code, started, m)
            return response

        return inner

    return wrap


def install_edge(app: Any) -> None:
    """Headers on every HTTP response of the app, also those no `endpoint` wraps (Chalice's own
    405s and 415s, CORS preflights, /status): browsers must never sniff a type into HTML."""

    @app.middleware("http")  # type: ignore[untyped-decorator]  # chalice types what it returns as Any
    def _nosniff(event: Any, get_response: Callable[[Any], Response]) -> Response:
        response = get_response(event)
        response.headers = {**(response.headers or {}), "X-Content-Type-Options": "nosniff"}
        return response


def _log(request: Request | None, dialect: str, status: int, started: float, m: Any) -> None:
    ctx = (request.context or {}) if request is not None else {}
    line = {
        "request_id": ctx.get("requestId"), "dialect": dialect, "app": request_app.get(),
        "method": request.method if request is not None else None,
        "route": ctx.get("resourcePath"), "status": status,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        "dynamodb_calls": m.total_calls, "rcu": m.rcu, "wcu": m.wcu,
    }
    print(json.dumps(line, separators=(",", ":")), flush=True)


def raw_body(request: Request) -> bytes:
    raw = request.raw_body or b""
    body = raw.encode() if isinstance(raw, str) else raw
    if len(body) > services().settings.max_body_bytes:
        raise TooLarge(f"request body is larger than {services().settings.max_body_bytes} bytes")
    return body


def json_body(request: Request, default: Any = None) -> Any:
    """The body as JSON whatever the content type (curl -d sends form-encoded headers), checked by
    core/validate.py: finite, storable numbers, well-formed strings, bounded nesting."""
    body = raw_body(request)
    if not body.strip():
        return default
    return validate.loads(body)


def form_or_json(request: Request) -> dict[str, Any]:
    """OAuth-style parameters: JSON body, form body or query string, in that order."""
    body = raw_body(request)
    params: dict[str, Any] = dict(request.query_params or {})
    if body.strip():
        try:
            parsed = validate.loads(body)
        except validate.TooDeep:
            raise
        except MalformedBody:
            try:
                parsed = dict(parse_qsl(body.decode(), keep_blank_values=True))
            except UnicodeDecodeError:
                raise MalformedBody() from None
            validate.check(parsed, "form body")
        if not isinstance(parsed, dict):
            raise MalformedBody("expected a JSON object")
        params.update(parsed)
    return params


def master_key(request: Request, header: str = "x-master-key") -> str | None:
    """The app's master key from a header (never the URL: URLs end up in logs and answers)."""
    headers: Mapping[str, str] = request.headers or {}
    return headers.get(header) or None


def check_request(request: Request | None, path_params: dict[str, Any]) -> None:
    """What every request carries besides its body: path and query parameters are well-formed text
    (a lone surrogate can reach us percent-encoded) and of bounded size."""
    validate.check(path_params, "a path parameter")
    if request is not None:
        validate.check(dict(request.query_params or {}), "a query parameter")


def bearer_token(request: Request) -> str | None:
    headers: Mapping[str, str] = request.headers or {}
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    qp: Mapping[str, str] = request.query_params or {}
    return qp.get("access_token") or None


BODY_CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain"]


def base_url(request: Request, prefix: str) -> str:
    """The dialect's public root for URLs the server builds (Location, fileURL, uri).

    From BAAS_PUBLIC_URL when set (a custom domain, the local server), else from API Gateway's
    request context (`domainName`, `stage`), which the client cannot forge; never from the `Host`
    or `X-Forwarded-Proto` headers, which it can (`javascript:` URLs, phishing hosts)."""
    public = services().settings.public_url
    if public:
        return f"{public}{prefix}"
    ctx = request.context or {}
    domain = ctx.get("domainName")
    if isinstance(domain, str) and domain and "/" not in domain and ":" not in domain.split("]")[-1]:
        stage = ctx.get("stage")
        staged = f"/{stage}" if stage and stage != "$default" and domain.endswith(".amazonaws.com") else ""
        return f"https://{domain}{staged}{prefix}"
    return f"http://localhost{prefix}"
