"""Usergrid's application API: app tokens, and entities in collections (seeds 000 and 001)."""

from __future__ import annotations

import time
from typing import Any

from chalice import Response

from ...bootstrap import collections, services
from ...core import budget, validate
from ...core.entities import collection_key
from ...core.errors import InvalidInput, InvalidQuery
from ...core.ids import now_ms
from ...core.plural import pluralize, singularize
from ...core.secrets import hash_password
from ..http import form_or_json, json_body, raw_body
from .common import app_context, envelope, json_response, request, view
from .ql import parse
from .relations import _require_privileged, resolve_me

DEFAULT_LIMIT, MAX_LIMIT = 10, 1000


# Seed 000's default entity types: their collections exist in every app.
DEFAULT_TYPES = ("user", "group", "role", "application", "activity", "device", "asset", "folder", "event",
                 "notifier", "notification", "receipt")


@view("/{org}/{app}", ["GET"])
def application(org: str, app: str) -> Any:
    """The application entity, listing its default collections as Usergrid does."""
    started = time.perf_counter()
    a, principal = app_context(org, app)
    services().data(a, principal).policy.check(a, principal, "read", "applications")
    names = [pluralize(t) for t in DEFAULT_TYPES] + collections(a.uuid)  # as Usergrid: its own and the app's
    colls = {n: {"title": n.capitalize(), "type": singularize(n), "name": n} for n in names}
    entity = {"uuid": a.uuid, "type": "application", "name": f"{a.org_name}/{a.name}", "created": a.created,
              "modified": a.created, "applicationName": a.name, "organizationName": a.org_name,
              "metadata": {"collections": colls}}
    body = envelope("get", a, None, None, started)
    body["entities"] = [entity]
    return json_response(body)


@view("/{org}/{app}/token", ["POST", "GET"])
def app_token(org: str, app: str) -> Any:
    svc = services()
    a = svc.tenancy.app(org, app)
    body = form_or_json(request())
    grant = body.get("grant_type")
    ttl = body.get("ttl")
    ttl_ms = validate.integer(ttl, "ttl (milliseconds)", 0, 0, validate.MAX_EPOCH_MS) or None
    if grant == "password":
        token, expires, user = svc.auth.login_user(a, str(body.get("username") or ""), str(body.get("password") or ""), ttl_ms)
        user.pop("password", None)
        return json_response({"access_token": token, "expires_in": expires, "user": user})
    if grant == "client_credentials":
        token, expires, _ = svc.auth.login_client(str(body.get("client_id") or ""), str(body.get("client_secret") or ""), ttl_ms)
        return json_response({"access_token": token, "expires_in": expires,
                              "application": a.uuid})
    raise InvalidInput("grant_type must be password or client_credentials")


def _query_params() -> tuple[str | None, int, str | None]:
    qp = request().query_params or {}
    raw = qp.get("limit")
    try:
        limit = int(raw) if raw not in (None, "") else DEFAULT_LIMIT
    except ValueError:
        raise InvalidQuery("limit must be a number") from None
    if not 0 < limit <= MAX_LIMIT:
        raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}")
    return qp.get("ql"), limit, qp.get("cursor") or None


def _prepare(collection: str, props: Any, creating: bool) -> tuple[dict[str, Any], str | None]:
    """Users: the password becomes a hash beside the document, never part of it."""
    if not isinstance(props, dict):
        raise InvalidInput("entity must be a JSON object")
    if collection != "users":
        return props, None
    props = dict(props)
    password = props.pop("password", None)
    if creating:
        if not isinstance(props.get("username"), str) or not props["username"]:
            raise InvalidInput("Property username is required for users")
        props["activated"] = props.get("activated", True) is not False
    if password is None or not creating:
        return props, None  # passwords change through /users/{user}/password, as in Usergrid
    if not isinstance(password, str) or not password:
        raise InvalidInput("password must be a non-empty string")
    return props, hash_password(password)


@view("/{org}/{app}/{collection}", ["GET", "POST", "PUT", "DELETE"])
def collection_view(org: str, app: str, collection: str) -> Any:
    started = time.perf_counter()
    a, principal = app_context(org, app)
    coll = collection_key(collection)
    data = services().data(a, principal)
    method = request().method
    if method == "POST":
        body = json_body(request())
        items = body if isinstance(body, list) else [body]
        if not items or len(items) > 100:
            raise InvalidInput("post one entity or an array of 1 to 100 entities")
        prepared = [_prepare(coll, item, True) for item in items]
        if coll == "roles":
            _require_privileged(principal, a)
            for props, _ in prepared:
                services().permissions.ensure_role(a.uuid, str(props.get("name") or props.get("roleName") or ""))
        if coll == "events":  # an event is an entity and feeds the app's counters; check them first
            for props, _ in prepared:
                if "counters" in props:
                    services().series().validate(props["counters"])
        created = [data.create(coll, props, secret=secret) for props, secret in prepared]
        if coll == "events":
            for props, _ in prepared:
                ts = props.get("timestamp")
                when = validate.epoch_ms(ts, "timestamp") if ts not in (None, 0, "") else now_ms()
                if props.get("counters"):
                    services().series().record(a.uuid, props["counters"], when)
        return json_response(envelope("post", a, coll, created, started))
    if coll == "counters" and method == "GET":
        return _counters(a, principal, started)
    ql, limit, cursor = _query_params()
    query = parse(ql, limit, cursor)
    if method in ("PUT", "DELETE"):
        budget.check_bulk(limit)  # a bigger bulk write pages: `limit` at most the bulk limit, then `cursor`
    if method == "PUT":
        props, _ = _prepare(coll, json_body(request()), False)
    result = data.query(coll, query)
    entities = result.entities
    if method == "PUT":
        entities = [data.update(coll, e["uuid"], props) for e in entities]
    elif method == "DELETE":
        entities = [data.delete(coll, e["uuid"]) for e in entities]
    if query.select and method == "GET":
        entities = [_project(e, query.select) for e in entities]
    return json_response(envelope(method.lower(), a, coll, entities, started,
                                  count=len(entities), cursor=result.cursor))


def _counters(a: Any, principal: Any, started: float) -> Any:
    """GET /counters: the names; with ?counter=a&counter=b, their series (Usergrid's shape)."""
    services().data(a, principal).policy.check(a, principal, "query", "counters")
    qp = request().query_params
    names = qp.getlist("counter") if qp and hasattr(qp, "getlist") else ([qp["counter"]] if qp and "counter" in qp else [])
    series = services().series()
    if not names:
        return json_response(envelope("get", a, "counters", None, started, data=series.names(a.uuid)))
    end = validate.integer(qp.get("end_time"), "end_time (milliseconds since the epoch)", now_ms(), 0,
                           validate.MAX_EPOCH_MS)
    start = validate.integer(qp.get("start_time"), "start_time (milliseconds since the epoch)",
                             max(0, end - 86_400_000), 0, validate.MAX_EPOCH_MS)
    resolution = qp.get("resolution") or "all"
    return json_response(envelope("get", a, "counters", None, started,
                                  counters=series.read(a.uuid, names, resolution, start, end)))


def _is_binary(content_type: str) -> bool:
    ct = content_type.split(";")[0].strip().lower()
    return bool(ct) and ct not in ("application/json", "application/x-www-form-urlencoded", "text/plain")


def _wants_binary() -> bool:
    accept = (request().headers.get("accept") or "").split(",")[0].split(";")[0].strip().lower()
    return bool(accept) and accept not in ("*/*", "application/json") and _is_binary(accept)


def _asset(a: Any, principal: Any, coll: str, entity: str) -> Any:
    got = services().assets().fetch(services().data(a, principal), coll, entity)
    if isinstance(got, str):
        return Response(body="", status_code=302, headers={"Location": got})
    body, ctype = got
    return Response(body=body, status_code=200, headers={"Content-Type": ctype})


def _project(entity: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    if fields == ["*"]:
        return entity
    keep = {"uuid", "type", *fields}
    return {k: v for k, v in entity.items() if k in keep}


@view("/{org}/{app}/{collection}/{entity}", ["GET", "PUT", "DELETE"])
def entity_view(org: str, app: str, collection: str, entity: str) -> Any:
    started = time.perf_counter()
    a, principal = app_context(org, app)
    coll = collection_key(collection)
    entity = resolve_me(coll, entity, principal)
    data = services().data(a, principal)
    method = request().method
    if method == "GET" and _wants_binary():
        return _asset(a, principal, coll, entity)
    if method == "PUT" and _is_binary(request().headers.get("content-type", "")):
        found = services().assets().attach(data, coll, entity, raw_body(request()),
                                           request().headers.get("content-type", "").split(";")[0])
        return json_response(envelope("put", a, coll, [found], started))
    if method == "GET":
        found = data.get(coll, entity)
    elif method == "PUT":
        props, _ = _prepare(coll, json_body(request()), False)
        if coll == "users" and principal.kind not in ("app", "admin"):
            props = {k: v for k, v in props.items() if k not in ("activated", "disabled", "roles")}
        found = data.update(coll, entity, props)
    else:
        found = data.delete(coll, entity)
        if coll == "roles":
            services().permissions.delete_role(a.uuid, found["name"])
    return json_response(envelope(method.lower(), a, coll, [found], started))
