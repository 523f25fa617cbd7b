"""Objects and queries: `/classes/{Class}[/{objectId}]` and `/roles[/{id}]`.

A class is the core collection `collection_key(Class)` (the one BEA uses, so `GameScore` is
`gamescores` for every dialect); `_User` is `users`, `_Role` is `roles` (Usergrid's roles: creating
one names a role of the permission model, its `users` relation assigns it, and `role:Name` in an
ACL is that role). Relations (`AddRelation`/`RemoveRelation`, `$relatedTo`) are core connections
named by the key, the field itself holding `{"__type": "Relation", "className"}`; other atomic
operators share BEA's implementation (dialects/parselike/ops.py), applied in the core's
optimistic update loop. A read or write the ACL refuses is `101 Object not found.` as in Parse;
a find or create the class permissions refuse is `119`.
"""

from __future__ import annotations

import re
from typing import Any

from ...bootstrap import services
from ...core.entities import collection_key
from ...core.errors import EntityNotFound, Forbidden, InvalidInput, Unauthorized
from ...core.ids import is_uuid
from ...core.ports import Record
from ...core.secrets import hash_password
from ..parselike import errors as pe
from ..parselike.codec import iso, pointer, split_body, to_wire
from ..parselike.ops import initial, mutation, split_ops
from ..parselike.queries import Finder, project
from .common import Ctx, Out, Req, location, route
from .errors import ParseError

CLASS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
SYSTEM = {"_User": "users", "_Role": "roles", "_Installation": "installations", "_JobStatus": "parse-jobstatus"}
HIDDEN = ("password", "authData", "sessionToken", "_hashed_password")
MAX_RELATION = 1000  # members a $relatedTo reads


def collection(class_name: str) -> str:
    if class_name in SYSTEM:
        return SYSTEM[class_name]
    if not isinstance(class_name, str) or not CLASS_RE.match(class_name):
        raise ParseError(pe.INVALID_CLASS_NAME, f"Invalid classname: {class_name}, classnames can only have "
                         "alphanumeric characters and _, and must start with an alpha character ")
    try:
        coll = collection_key(class_name)
    except InvalidInput:
        raise ParseError(pe.INVALID_CLASS_NAME, f"Invalid classname: {class_name}") from None
    if coll in ("users", "roles", "groups", "installations", "sessions"):
        raise ParseError(pe.OPERATION_FORBIDDEN, f"{class_name} names a system collection: use _User or _Role")
    return coll


def class_of(coll: str, default: str) -> str:
    return next((c for c, x in SYSTEM.items() if x == coll), default)


def wire(rec: Record) -> dict[str, Any]:
    out = to_wire(rec)
    for k in HIDDEN:
        out.pop(k, None)
    return out


def finder(ctx: Ctx) -> Finder:
    return Finder(ctx.data, collection, wire, related=lambda obj, key: related_ids(ctx, obj, key))


def related_ids(ctx: Ctx, obj: Any, key: Any) -> list[str]:
    if not isinstance(obj, dict) or not isinstance(obj.get("className"), str) or not isinstance(key, str) \
            or not isinstance(obj.get("objectId"), str):
        raise ParseError(pe.INVALID_QUERY, "$relatedTo takes {\"object\": Pointer, \"key\": name}")
    if not is_uuid(obj["objectId"]):
        return []
    from ...core.query import Query

    page = ctx.data.connected(collection(obj["className"]), obj["objectId"], key, query=Query(limit=MAX_RELATION))
    return [r.uuid for r in page.records]


def record(ctx: Ctx, coll: str, oid: str, action: str = "read") -> Record:
    """The object, or 101 when it is missing or the caller may not see it (Parse does not tell)."""
    if not is_uuid(oid):
        raise EntityNotFound("Object not found.")
    try:
        return ctx.data.record(coll, oid)
    except (Forbidden, Unauthorized):
        raise EntityNotFound("Object not found.") from None


# -- routes -------------------------------------------------------------------------------
@route("classes")
def classes(ctx: Ctx, req: Req) -> Out:
    if not req.parts or len(req.parts) > 2:
        raise ParseError(pe.INVALID_CLASS_NAME, "expected /classes/{className}[/{objectId}]", 404)
    return class_route(ctx, req, req.parts[0], req.parts[1:])


@route("roles")
def roles(ctx: Ctx, req: Req) -> Out:
    if len(req.parts) > 1:
        raise ParseError(pe.OBJECT_NOT_FOUND, "expected /roles[/{objectId}]")
    return class_route(ctx, req, "_Role", req.parts)


def class_route(ctx: Ctx, req: Req, cls: str, rest: list[str]) -> Out:
    """The object routes of one class (also used by `/users`, `/roles`, `/installations`)."""
    if cls == "_Session":
        from .users import sessions

        return sessions(ctx, Req(req.method, "sessions", rest, req.params, req.body, req.raw, req.content_type,
                                 req.keys, req.headers))
    if cls == "_User" and req.method == "POST" and not rest:
        from .users import sign_up

        return sign_up(ctx, req)
    coll = collection(cls)
    if not rest:
        if req.method == "POST":
            return create(ctx, cls, coll, req.fields())
        if req.method == "GET":
            return Out(200, find(ctx, coll, req.params))
        raise ParseError(pe.MISSING_OBJECT_ID, f"{req.method} needs an objectId: /classes/{cls}/{{objectId}}")
    oid = rest[0]
    if req.method == "GET":
        obj = wire(record(ctx, coll, oid))
        f = finder(ctx)
        f.include([obj], req.params.get("include"))
        return Out(200, project(obj, req.params.get("keys"), req.params.get("excludeKeys")))
    if req.method == "PUT":
        return update(ctx, cls, coll, oid, req.fields())
    if req.method == "DELETE":
        rec = record(ctx, coll, oid)
        try:
            ctx.data.delete_record(coll, rec.uuid, current=rec)
        except (Forbidden, Unauthorized):
            raise EntityNotFound("Object not found.") from None
        if coll == "roles" and isinstance(rec.doc.get("name"), str):
            services().permissions.delete_role(ctx.app.uuid, rec.doc["name"])
        return Out(200, {})
    raise ParseError(pe.INVALID_JSON, f"{req.method} is not supported on an object; use PUT", 400)


def find(ctx: Ctx, coll: str, params: dict[str, Any]) -> dict[str, Any]:
    """Parse's find. objectIds are UUIDv7 (time-ordered), so `order=objectId` (what the SDK's
    `each`/`findAll` page with) reads the `created` index in order, O(k) per page, instead of
    sorting a window of the collection."""
    params = {k: v for k, v in params.items() if not k.startswith("_")}
    if params.get("order") is not None and not isinstance(params["order"], str):
        raise ParseError(pe.INVALID_QUERY, "order is a comma-separated list of keys")
    if isinstance(params.get("order"), str):
        params["order"] = ",".join(OBJECT_ID_ORDER.get(p.strip(), p.strip()) for p in params["order"].split(","))
    return finder(ctx).find(coll, params)


OBJECT_ID_ORDER = {"objectId": "createdAt", "-objectId": "-createdAt"}


# -- writes -------------------------------------------------------------------------------
def _relations(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[tuple[bool, dict[str, Any]]]]]:
    """Split `AddRelation` / `RemoveRelation` / `Batch` of them out of the fields: (rest, key -> [(add, pointer)])."""
    rest: dict[str, Any] = {}
    rels: dict[str, list[tuple[bool, dict[str, Any]]]] = {}
    for k, v in fields.items():
        ops = v.get("ops") if isinstance(v, dict) and v.get("__op") == "Batch" else [v]
        if not isinstance(ops, list):
            raise ParseError(pe.INVALID_JSON, "Batch takes a list in ops")
        if not all(isinstance(o, dict) and o.get("__op") in ("AddRelation", "RemoveRelation") for o in ops):
            rest[k] = v
            continue
        for o in ops:
            objs = o.get("objects")
            if not isinstance(objs, list) or not all(
                    isinstance(p, dict) and isinstance(p.get("className"), str) and isinstance(p.get("objectId"), str)
                    for p in objs):
                raise ParseError(pe.INVALID_POINTER, f"{o['__op']} takes a list of Pointers in objects")
            rels.setdefault(k, []).extend((o["__op"] == "AddRelation", pointer(p["className"], p["objectId"]))
                                          for p in objs)
    return rest, rels


def _relation_fields(rels: dict[str, list[tuple[bool, dict[str, Any]]]]) -> dict[str, Any]:
    out = {}
    for k, items in rels.items():
        classes = {p["className"] for _, p in items}
        if len(classes) != 1:
            raise ParseError(pe.INCORRECT_TYPE, f"a relation holds objects of one class: {k}")
        out[k] = {"__type": "Relation", "className": classes.pop()}
    return out


def _connect(ctx: Ctx, coll: str, rec: Record, rels: dict[str, list[tuple[bool, dict[str, Any]]]]) -> None:
    perms = services().permissions
    for key, items in rels.items():
        for add, p in items:
            target_coll = collection(p["className"])
            if not is_uuid(p["objectId"]):
                raise ParseError(pe.INVALID_POINTER, f"no {p['className']} {p['objectId']}")
            ctx.data.connect(coll, rec.uuid, key, p["objectId"], target_coll, remove=not add)
            if coll == "roles" and isinstance(rec.doc.get("name"), str):
                _role_member(ctx, perms, rec.doc["name"], key, p, add)


def _role_member(ctx: Ctx, perms: Any, role: str, key: str, p: dict[str, Any], add: bool) -> None:
    """A `_Role`'s relations feed the permission model: `users` members hold the role; a member of
    `roles` (a child role) inherits this one, so its users get what this role grants."""
    if key == "users" and p["className"] == "_User":
        perms.assign(ctx.app.uuid, p["objectId"].lower(), role, add)
    elif key == "roles" and p["className"] == "_Role":
        child = ctx.data.record("roles", p["objectId"]).doc.get("name")
        if isinstance(child, str):
            current = perms.rules(ctx.app.uuid)["roles"].get(child.lower(), {}).get("inherits", [])
            inherits = sorted(set(current) | {role.lower()}) if add else [r for r in current if r != role.lower()]
            perms.ensure_role(ctx.app.uuid, child, inherits)


def _secret(coll: str, fields: dict[str, Any]) -> str | None:
    if coll != "users" or "password" not in fields:
        return None
    pw = fields.pop("password")
    if not isinstance(pw, str) or not pw:
        raise ParseError(pe.PASSWORD_MISSING, "password is required.")
    return hash_password(pw)


def create(ctx: Ctx, cls: str, coll: str, body: dict[str, Any], extra: dict[str, Any] | None = None) -> Out:
    fields, acl = split_body(body)
    secret = _secret(coll, fields)
    fields, rels = _relations(fields)
    plain, ops = split_ops(fields)
    props = {**plain, **initial(ops), **_relation_fields(rels), **(extra or {})}
    if coll == "roles":
        name = props.get("name")
        if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9_\-]{1,64}$", name):
            raise ParseError(139, "A role's name can only contain alphanumeric characters, _ and - "
                             "(at most 64; the permission model's role names have no spaces).")
    from .names import check_types, remember  # part B: the class registry behind /schemas

    check_types(ctx.app.uuid, cls, coll, props)
    rec = ctx.data.create_record(coll, props, acl=acl, secret=secret, keep_nulls=True)  # null is a value (Mongo)
    remember(ctx.app.uuid, cls)
    if coll == "roles":
        services().permissions.ensure_role(ctx.app.uuid, rec.doc["name"])
    _connect(ctx, coll, rec, rels)
    return Out(201, {"objectId": rec.uuid, "createdAt": iso(rec.doc["created"])},
               {"Location": location(ctx, cls, rec.uuid)})


def update(ctx: Ctx, cls: str, coll: str, oid: str, body: dict[str, Any]) -> Out:
    fields, acl = split_body(body)
    secret = _secret(coll, fields)
    fields, rels = _relations(fields)
    plain, ops = split_ops(fields)
    plain.update(_relation_fields(rels))
    if coll == "roles" and "name" in plain:
        raise ParseError(136, "A role's name can only be set before it has been saved.")
    from .names import check_types

    check_types(ctx.app.uuid, cls, coll, plain)
    current = record(ctx, coll, oid)
    try:
        rec = ctx.data.update_record(coll, current.uuid, plain, mutate=mutation(ops) if ops else None, acl=acl,
                                     secret=secret, current=current, keep_nulls=True)
    except (Forbidden, Unauthorized):
        if coll == "users":
            raise ParseError(pe.SESSION_MISSING, f"Cannot modify user {oid}.") from None
        raise EntityNotFound("Object not found.") from None
    _connect(ctx, coll, rec, rels)
    out = {"updatedAt": iso(rec.doc["modified"])}
    out.update({k: rec.doc[k] for k in ops if k in rec.doc})  # as Parse: the new value of each operator's key
    return Out(200, out)
