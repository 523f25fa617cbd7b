"""`/schemas` (master key only): each class with its fields as stored and its class-level permissions.

Fields come from the core's class registry (core/classes.py), which every write of every dialect
keeps, so a Usergrid collection shows up here with the fields its entities hold; no request
scans the data. Declared fields (`POST`/`PUT`) join the registry ahead of any data; a field
removed with `{"__op": "Delete"}` is also unset on every object of the class (as Parse does:
through `purge.bulk`, a task past `purge.SYNC_LIMIT` objects). Class-level permissions are the
core permission model's (core/permissions.py), so a CLP set here binds every dialect.

`_User` and `_Role` are always listed, even when empty, with Parse's default columns.
"""

from __future__ import annotations

from typing import Any

from ...bootstrap import services
from ...core.classes import check_field
from ...core.errors import InvalidInput
from ..parselike import errors
from .common import Ctx, Out, Req, require_master, route
from .errors import ParseError, Refused
from .names import class_collection, class_name_of
from .purge import bulk

DEFAULT_FIELDS: dict[str, dict[str, str]] = {
    "objectId": {"type": "String"}, "createdAt": {"type": "Date"}, "updatedAt": {"type": "Date"}, "ACL": {"type": "ACL"}}
CLASS_FIELDS: dict[str, dict[str, dict[str, str]]] = {
    "_User": {"username": {"type": "String"}, "password": {"type": "String"}, "email": {"type": "String"},
              "emailVerified": {"type": "Boolean"}, "authData": {"type": "Object"}},
    "_Role": {"name": {"type": "String"}, "users": {"type": "Relation", "targetClass": "_User"},
              "roles": {"type": "Relation", "targetClass": "_Role"}},
    "_Session": {"user": {"type": "Pointer", "targetClass": "_User"}, "installationId": {"type": "String"},
                 "sessionToken": {"type": "String"}, "expiresAt": {"type": "Date"}, "createdWith": {"type": "Object"}},
    "_Installation": {"installationId": {"type": "String"}, "deviceToken": {"type": "String"},
                      "channels": {"type": "Array"}, "deviceType": {"type": "String"}, "pushType": {"type": "String"},
                      "GCMSenderId": {"type": "String"}, "timeZone": {"type": "String"},
                      "localeIdentifier": {"type": "String"}, "badge": {"type": "Number"},
                      "appVersion": {"type": "String"}, "appName": {"type": "String"},
                      "appIdentifier": {"type": "String"}, "parseVersion": {"type": "String"}},
}
ALWAYS = ("_User", "_Role")
HIDDEN = frozenset(("password", "secret", "sessionToken", "_hashed_password", "authData"))  # never data fields
DEFAULT_CLP: dict[str, Any] = {op: {"*": True} for op in ("find", "count", "get", "create", "update", "delete",
                                                           "addField")} | {"protectedFields": {"*": []}}


def schema_of(ctx: Ctx, class_name: str, entry: dict[str, Any] | None) -> dict[str, Any]:
    """A class's schema as Parse answers it."""
    coll = class_collection(class_name)
    stored = {k: v for k, v in ((entry or {}).get("fields") or {}).items() if k not in HIDDEN}
    fields = {**DEFAULT_FIELDS, **stored, **CLASS_FIELDS.get(class_name, {})}
    clp = services().permissions.class_permissions(ctx.app.uuid, coll)
    out: dict[str, Any] = {"className": class_name, "fields": fields,
                           "classLevelPermissions": clp if clp is not None else DEFAULT_CLP}
    if entry and entry.get("indexes"):
        out["indexes"] = entry["indexes"]
    return out


def all_schemas(ctx: Ctx) -> list[dict[str, Any]]:
    classes = services().classes.classes(ctx.app.uuid, fresh=True)
    named = {class_name_of(coll, entry.get("className")): entry for coll, entry in classes.items()}
    for name in ALWAYS:
        named.setdefault(name, {})
    return [schema_of(ctx, name, entry) for name, entry in sorted(named.items())]


def _entry(ctx: Ctx, class_name: str) -> dict[str, Any] | None:
    return services().classes.get(ctx.app.uuid, class_collection(class_name))


def _fields(body: dict[str, Any], allow_delete: bool) -> tuple[dict[str, dict[str, str]], list[str]]:
    raw = body.get("fields") or {}
    if not isinstance(raw, dict):
        raise ParseError(errors.INVALID_JSON, "fields must be an object")
    add, remove = {}, []
    for name, spec in raw.items():
        if allow_delete and isinstance(spec, dict) and spec.get("__op") == "Delete":
            remove.append(name)
            continue
        if name in DEFAULT_FIELDS:
            raise ParseError(errors.INVALID_KEY_NAME, f"field {name} cannot be added")
        try:
            add[name] = check_field(name, spec)
        except InvalidInput as e:
            code = {"field": errors.INVALID_KEY_NAME, "class": 135, "type": errors.INCORRECT_TYPE}.get(
                e.details.get("code", ""), errors.INVALID_JSON)
            raise ParseError(code, e.message) from None
    return add, remove


def _clp(ctx: Ctx, class_name: str, body: dict[str, Any]) -> None:
    if "classLevelPermissions" not in body:
        return
    clp = body["classLevelPermissions"]
    try:
        services().permissions.set_class_permissions(ctx.app.uuid, class_collection(class_name), clp)
    except InvalidInput as e:
        raise ParseError(errors.INVALID_JSON, e.message) from None


def _class_name(req: Req, body: dict[str, Any]) -> str:
    in_path = req.parts[0] if req.parts else None
    in_body = body.get("className")
    if in_path and in_body and in_path != in_body:
        raise ParseError(errors.INVALID_CLASS_NAME, f"Class name mismatch between {in_body} and {in_path}.")
    name = in_path or in_body
    if not isinstance(name, str) or not name:
        raise ParseError(135, "POST /schemas needs a class name.")
    class_collection(name)  # raises 103 for an invalid name
    return name


def create(ctx: Ctx, req: Req, body: dict[str, Any]) -> Out:
    name = _class_name(req, body)
    add, _ = _fields(body, allow_delete=False)
    coll = class_collection(name)
    reg = services().classes
    if name in ALWAYS or reg.get(ctx.app.uuid, coll) is not None:
        raise ParseError(errors.INVALID_CLASS_NAME, f"Class {name} already exists.")
    _clp(ctx, name, body)
    entry = reg.define(ctx.app.uuid, coll, name, add, _indexes(body))
    return Out(200, schema_of(ctx, name, entry))


def update(ctx: Ctx, req: Req, body: dict[str, Any]) -> Out:
    name = _class_name(req, body)
    add, remove = _fields(body, allow_delete=True)
    coll = class_collection(name)
    if _entry(ctx, name) is None and name not in ALWAYS:
        raise ParseError(errors.INVALID_CLASS_NAME, f"Class {name} does not exist.")
    try:
        entry = services().classes.alter(ctx.app.uuid, coll, add, remove, _indexes(body), class_name=name)
    except InvalidInput as e:
        raise ParseError(255, e.message) from None
    _clp(ctx, name, body)
    for field in remove:
        bulk(ctx, coll, "unset", field)
    return Out(200, schema_of(ctx, name, entry))


def delete(ctx: Ctx, req: Req) -> Out:
    name = req.parts[0]
    coll = class_collection(name)
    count = ctx.data.count_all(coll)
    if count:
        raise ParseError(255, f"Class {name} is not empty, contains {count} objects, cannot drop schema.")
    services().classes.drop(ctx.app.uuid, coll)
    services().permissions.set_class_permissions(ctx.app.uuid, coll, None)
    return Out(200, {})


def _indexes(body: dict[str, Any]) -> dict[str, Any] | None:
    got = body.get("indexes")
    if got is None:
        return None
    if not isinstance(got, dict) or not all(isinstance(v, dict) for v in got.values()):
        raise ParseError(errors.INVALID_QUERY, "indexes must be an object of index definitions")
    return got


@route("schemas")
def schemas_route(ctx: Ctx, req: Req) -> Out:
    """`/schemas`, `/schemas/` (the Dashboard asks for both) and `/schemas/{Class}`."""
    require_master(ctx)
    if len(req.parts) > 1:
        raise Refused(f"unknown route: {req.method} /schemas/{'/'.join(req.parts)}", 404)
    body = req.fields() if req.method in ("POST", "PUT") else {}
    if req.method == "GET":
        if not req.parts:
            return Out(200, {"results": all_schemas(ctx)})
        name = req.parts[0]
        class_collection(name)
        entry = _entry(ctx, name)
        if entry is None and name not in ALWAYS:
            raise ParseError(errors.INVALID_CLASS_NAME, f"Class {name} does not exist.")
        return Out(200, schema_of(ctx, name, entry))
    if req.method == "POST":
        return create(ctx, req, body)
    if req.method == "PUT" and req.parts:
        return update(ctx, req, body)
    if req.method == "DELETE" and req.parts:
        return delete(ctx, req)
    raise Refused(f"unknown route: {req.method} /schemas", 404)
