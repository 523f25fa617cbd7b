"""Usergrid's application API: app tokens, and entities in collections (seeds 000 and 001)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from chalice import Response
from chalice.app import MultiDict

from ...bootstrap import services
from ...core import budget, validate
from ...core.entities import collection_uuid
from ...core.errors import EntityNotFound, InvalidInput
from ...core.files import serving_headers
from ...core.ids import is_uuid, now_ms
from ...core.plural import pluralize, singularize
from ...core.ports import Record
from ...core.secrets import hash_password
from ..http import form_or_json, json_body, raw_body
from ..openapi import NOT_SERVED
from . import models
from .common import (
    GROUP_PATH,
    MAX_LIMIT,
    app_context,
    bp,
    envelope,
    json_response,
    limit_param,
    ql_param,
    request,
    shown,
    view,
)
from .errors import ServiceResourceNotFound, UnsupportedOperation
from .ql import parse
from .relations import _require_privileged, resolve_me

# Seed 000's default entity types: their collections exist in every app.
DEFAULT_TYPES = ("user", "group", "role", "application", "activity", "device", "asset", "folder", "event",
                 "notifier", "notification", "receipt")


@view("/{org}/{app}", ["GET", "PUT", "POST", "DELETE"],
      spec={"GET": models.APPLICATION, "PUT": NOT_SERVED, "POST": NOT_SERVED, "DELETE": NOT_SERVED})
def application(org: str, app: str) -> Any:
    """The application entity, listing its default collections as Usergrid does."""
    started = time.perf_counter()
    a, principal = app_context(org, app)
    if request().method != "GET":
        raise UnsupportedOperation(f"{request().method} is not supported on the application")
    services().data(a, principal).policy.check(a, principal, "read", "applications")
    data = services().data(a, principal)
    names = sorted({pluralize(t) for t in DEFAULT_TYPES} | set(data.collections()))  # Usergrid's own and the app's
    colls = {n: {"title": n.capitalize(), "type": singularize(n), "name": n, "uuid": collection_uuid(a.uuid, n)}
             for n in names}
    entity = {"uuid": a.uuid, "type": "application", "name": f"{a.org_name}/{a.name}", "created": a.created,
              "modified": a.created, "applicationName": a.name, "organizationName": a.org_name,
              "metadata": {"collections": colls}}
    body = envelope("get", a, None, None, started)
    body["entities"] = [entity]
    return json_response(body)


@view("/{org}/{app}/token", ["POST", "GET"], spec=models.TOKEN_OP)
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
        token, expires, _ = svc.auth.login_client(str(body.get("client_id") or ""), str(body.get("client_secret") or ""),
                                               ttl_ms, app=a)
        return json_response({"access_token": token, "expires_in": expires,
                              "application": a.uuid})
    raise InvalidInput("grant_type must be password or client_credentials")


def _query_params() -> tuple[str | None, int, str | None]:
    qp: Mapping[str, str] = request().query_params or {}
    return ql_param(qp), limit_param(qp.get("limit")), qp.get("cursor") or None


def _prepare(collection: str, props: Any, creating: bool) -> tuple[dict[str, Any], str | None]:
    """Users: the password becomes a hash beside the document, never part of it."""
    if not isinstance(props, dict):
        raise InvalidInput("entity must be a JSON object")
    if collection == "groups" and (creating or "path" in props):
        path = props.get("path")
        if not isinstance(path, str) or not GROUP_PATH.fullmatch(path):
            raise InvalidInput("group path is required and may hold only letters, digits, '-', '.' and '/'")
    if collection != "users":
        return props, None
    props = dict(props)
    password = props.pop("password", None)
    if creating:
        if not isinstance(props.get("username"), str) or not props["username"]:
            raise InvalidInput("Property username is required for users")
        if props["username"].lower() == "me":
            raise InvalidInput("username 'me' is reserved: /users/me is the logged-in user")
        props["activated"] = props.get("activated", True) is not False
    if password is None or not creating:
        return props, None  # passwords change through /users/{user}/password, as in Usergrid
    if not isinstance(password, str) or not password:
        raise InvalidInput("password must be a non-empty string")
    return props, hash_password(password)


@view("/{org}/{app}/{collection}", ["GET", "POST", "PUT", "DELETE"], spec=models.COLLECTION)
def collection_view(org: str, app: str, collection: str) -> Any:
    started = time.perf_counter()
    a, principal = app_context(org, app)
    data = services().data(a, principal)
    coll = data.collection(collection)
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
    qp: Mapping[str, str] = request().query_params or {}
    if method == "DELETE" and not ql and not qp.get("limit"):
        raise UnsupportedOperation("DELETE of a collection needs ql or limit")
    query = parse(ql, limit, cursor)
    if method in ("PUT", "DELETE"):
        budget.check_bulk(limit)  # a bigger bulk write pages: `limit` at most the bulk limit, then `cursor`
    if method == "PUT":
        props, secret = _prepare(coll, json_body(request()), not ql)
        if not ql:  # PUT on a collection without ql behaves like POST (reference section 3)
            return json_response(envelope("put", a, coll, [data.create(coll, props, secret=secret)], started))
        return _put_matches(a, data, coll, query, props, started)
    result = data.query(coll, query)
    entities = [shown(r) for r in result.records]
    if method == "DELETE":
        data.check_all("delete", coll, result.records)  # every target checked before any changes
        entities = [data.delete(coll, e["uuid"]) for e in entities]
        return json_response(envelope("delete", a, coll, entities, started, cursor=result.cursor))
    body = envelope("get", a, coll, entities, started, count=len(entities), cursor=result.cursor)
    if query.select and query.select != ["*"]:  # a projection: uuid, type, metadata and what was selected
        body["entities"] = [{k: v for k, v in e.items() if k != "uri"}
                            for e in (project(e, query.select, query.aliases) | {"metadata": e["metadata"]}
                                      for e in body["entities"])]
    return json_response(body)


def _put_matches(a: Any, data: Any, coll: str, query: Any, props: dict[str, Any], started: float) -> Any:
    """PUT ?ql=: every match, up to 1,000 (Usergrid's AbstractCollectionService), not one page."""
    query.limit, query.cursor = MAX_LIMIT, None
    matched: list[Record] = []
    while len(matched) < MAX_LIMIT:
        page = data.query(coll, query)
        matched.extend(page.records)
        if not page.cursor:
            break
        query.cursor, query.limit = page.cursor, MAX_LIMIT - len(matched)
    if not matched:
        raise ServiceResourceNotFound("no entity matches the query")
    data.check_all("update", coll, matched, props)  # every target checked before any changes
    budget.check_answer([r.doc | props for r in matched])  # the answer carries them all: refuse before writing
    updated = [shown(data.update_record(coll, r.uuid, props, current=r)) for r in matched]
    return json_response(envelope("put", a, coll, updated, started))


def _counters(a: Any, principal: Any, started: float) -> Any:
    """GET /counters: the names; with ?counter=a&counter=b, their series (Usergrid's shape)."""
    services().data(a, principal).policy.check(a, principal, "query", "counters")
    qp = request().query_params or MultiDict(None)
    names = qp.getlist("counter") if "counter" in qp else []  # getlist raises KeyError for a missing name
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
    """The asset's bytes only for an Accept naming a binary type first and no HTML or JSON at all:
    a browser's `text/html,...,*/*` gets the JSON entity (BrowserCompatibilityTest)."""
    types = [t.split(";")[0].strip().lower() for t in (request().headers.get("accept") or "").split(",")]
    if not types or any(t in ("text/html", "application/json", "application/xhtml+xml") for t in types):
        return False
    return types[0] not in ("", "*/*") and _is_binary(types[0])


def _asset(a: Any, principal: Any, coll: str, entity: str) -> Any:
    got = services().assets().fetch(services().data(a, principal), coll, entity)
    if isinstance(got, str):
        return Response(body="", status_code=302, headers={"Location": got})
    body, ctype = got
    headers = serving_headers(ctype)
    binary = [t.lower() for t in bp.current_app.api.binary_types]
    if headers["Content-Type"].split(";")[0].strip().lower() not in binary:
        # API Gateway carries bytes only for its binary types; other types travel as text
        try:
            return Response(body=body.decode("utf-8"), status_code=200, headers=dict(headers))
        except UnicodeDecodeError:
            headers["Content-Type"] = "application/octet-stream"
    return Response(body=body, status_code=200, headers=dict(headers))  # chalice wants dict[str, str | list[str]]


def project(entity: dict[str, Any], fields: list[str], aliases: dict[str, str] | None = None) -> dict[str, Any]:
    """`select a, b.c`: uuid, type and the selected properties, nested ones keeping their nesting;
    `select {alias: field}`: the field's value under the alias. Names match case-insensitively and
    come out as stored (reference section 4.4)."""
    if fields == ["*"]:
        return entity
    out: dict[str, Any] = {"uuid": entity["uuid"], "type": entity.get("type")}
    if aliases:
        for alias, path in aliases.items():
            found = _pick(entity, path.split("."))
            if found is not None:
                out[alias] = _leaf(found)
        return out
    for path in fields:
        found = _pick(entity, path.split("."))
        if found is not None:
            _merge(out, found)
    return out


def _pick(doc: Any, parts: list[str]) -> dict[str, Any] | None:
    """The nested `{stored key: ... value}` a dotted path reaches, or None."""
    if not parts or not isinstance(doc, dict):
        return None
    key = parts[0] if parts[0] in doc else next((k for k in doc if k.lower() == parts[0].lower()), None)
    if key is None:
        return None
    if len(parts) == 1:
        return {key: doc[key]}
    inner = _pick(doc[key], parts[1:])
    return {key: inner} if inner is not None else None


def _leaf(picked: dict[str, Any]) -> Any:
    value: Any = picked
    while isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
        if not isinstance(value, dict):
            break
    return value


def _merge(out: dict[str, Any], picked: dict[str, Any]) -> None:
    for k, v in picked.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            _merge(out[k], v)
        else:
            out[k] = v


@view("/{org}/{app}/{collection}/{entity}", ["GET", "PUT", "DELETE"], spec=models.ENTITY_OPS)
def entity_view(org: str, app: str, collection: str, entity: str) -> Any:
    started = time.perf_counter()
    a, principal = app_context(org, app)
    data = services().data(a, principal)
    coll = data.collection(collection)
    entity = resolve_me(coll, entity, principal)
    method = request().method
    if method == "GET" and _wants_binary():
        return _asset(a, principal, coll, entity)
    if method == "PUT" and _is_binary(request().headers.get("content-type", "")):
        found = services().assets().attach(data, coll, entity, raw_body(request()),
                                           request().headers.get("content-type", "").split(";")[0])
        return json_response(envelope("put", a, coll, [found], started))
    if method == "GET":
        rec = data.find_record(coll, entity)
        if rec is None:
            raise _missing(coll, entity)
        found = shown(rec)
    elif method == "PUT":
        props, _ = _prepare(coll, json_body(request()), False)
        if coll == "users" and principal.kind not in ("app", "admin"):
            props = {k: v for k, v in props.items() if k not in ("activated", "disabled", "roles")}
        if coll == "users" and not is_uuid(entity) and "username" not in props:
            props = {**props, "username": entity}  # only used when the PUT creates the user
        found = shown(data.upsert_record(coll, entity, props))
    else:
        try:
            found = data.delete(coll, entity)
        except EntityNotFound:
            raise ServiceResourceNotFound(f"Service resource not found: /{coll}/{entity}") from None
        if coll == "roles":
            services().permissions.delete_role(a.uuid, found["name"])
    return json_response(envelope(method.lower(), a, coll, [found], started))


def _missing(coll: str, ident: str) -> Exception:
    """Usergrid's messages: a generic entity is `entity_not_found`, a user `service_resource_not_found`."""
    if coll == "users":
        return ServiceResourceNotFound(f"Service resource not found: /users/{ident}")
    if is_uuid(ident):
        return EntityNotFound(f"Cannot find entity associated with uuid: {ident}")
    return EntityNotFound(f"Cannot find entity with name: {ident}")
