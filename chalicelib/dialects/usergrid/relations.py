"""Paths below an entity: roles and permissions, groups, user roles, passwords, connections.

Chalice routes one variable per segment, so each depth has one route and this module
dispatches on the (collection, verb) pair, as Usergrid's own service tree does.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ...bootstrap import services
from ...core.entities import collection_key
from ...core.errors import BadCredentials, Forbidden, InvalidInput, NotFound
from ...core.permissions import BUILTIN_ROLES
from ...core.secrets import hash_password, verify_password
from ..http import json_body
from . import models
from .common import (
    COLLECTION_TARGETS,
    COLLECTION_VERBS,
    app_context,
    envelope,
    json_response,
    limit_param,
    ql_param,
    request,
    shown,
    view,
)
from .errors import ServiceResourceNotFound
from .ql import parse

MANAGED = {("roles", "permissions"), ("users", "roles"), ("groups", "users"), ("groups", "roles"), ("users", "password")}


def _is_privileged(principal: Any) -> bool:
    return principal.kind in ("app", "admin")


def _require_privileged(principal: Any, app: Any) -> None:
    """Roles, groups and memberships change only by the app or an admin (anyone, in the sandbox)."""
    if not _is_privileged(principal) and not app.is_sandbox:
        raise Forbidden("only the application or an organization admin may change roles and groups")


def resolve_me(coll: str, ident: str, principal: Any) -> str:
    if coll == "users" and ident.lower() == "me":
        if principal.kind != "user" or not principal.subject:
            raise NotFound("no user is logged in")
        return str(principal.subject)
    return ident


def _context(org: str, app: str, collection: str, entity: str, verb: str) -> tuple[Any, ...]:
    """App, caller, canonical collection and verb, the entity with `me` resolved, its data door."""
    a, principal = app_context(org, app)
    data = services().data(a, principal)
    coll = data.collection(collection)
    entity = resolve_me(coll, entity, principal)
    return a, principal, coll, verb.lower(), entity, data


@view("/{org}/{app}/{collection}/{entity}/{verb}", ["GET", "POST", "PUT", "DELETE"], spec=models.VERB)
def below_entity(org: str, app: str, collection: str, entity: str, verb: str) -> Any:
    started = time.perf_counter()
    a, principal, coll, verb_l, entity, data = _context(org, app, collection, entity, verb)
    svc = services()
    perms = svc.permissions
    method = request().method
    if (coll, verb_l) == ("roles", "permissions"):
        if entity.lower() in BUILTIN_ROLES:  # guest, default, admin, apikey: no role entity needed
            _require_privileged(principal, a)
            role = entity.lower()
        else:
            role = data.get("roles", entity)["name"]
        if method == "GET":
            return json_response(envelope("get", a, f"roles/{role}/permissions", None, started,
                                          data=perms.permissions(a.uuid, role)))
        _require_privileged(principal, a)
        if method in ("POST", "PUT"):
            body = json_body(request(), {})
            permission = body.get("permission") if isinstance(body, dict) else None
            if not isinstance(permission, str):
                raise InvalidInput('send {"permission": "get,put,post,delete:/path"}')
            return json_response(envelope("post", a, f"roles/{role}/permissions", None, started,
                                          data=perms.grant(a.uuid, role, permission)))
        qp: Mapping[str, str] = request().query_params or {}
        permission = qp.get("permission", "")
        return json_response(envelope("delete", a, f"roles/{role}/permissions", None, started,
                                      data=perms.revoke(a.uuid, role, permission)))
    if (coll, verb_l) == ("users", "roles") and method == "GET":
        user = data.get("users", entity)
        names = perms.user_roles(a.uuid, user["uuid"])
        roles = [r for n in names if (r := data.find("roles", n))]
        return json_response(envelope("get", a, "roles", roles, started, count=len(roles)))
    if (coll, verb_l) == ("groups", "roles") and method == "GET":
        group = data.get("groups", entity)
        roles = [r for n in perms.group_roles(a.uuid, group["uuid"]) if (r := data.find("roles", n))]
        return json_response(envelope("get", a, "roles", roles, started, count=len(roles)))
    if (coll, verb_l) == ("users", "password") and method in ("PUT", "POST"):
        return _change_password(a, principal, entity, started)
    if verb_l == "asset" and method == "POST":  # a presigned PUT for assets too big for a Lambda request
        body = json_body(request(), {})
        ctype = body.get("content-type") if isinstance(body, dict) else None
        if not isinstance(ctype, str) or "/" not in ctype:
            raise InvalidInput('send {"content-type": "image/png"}')
        return json_response(envelope("post", a, coll, None, started,
                                      data=svc.assets().upload_url(data, coll, entity, ctype)))
    if coll in ("users", "groups") and verb_l == "activities" and method == "POST":
        body = json_body(request(), {})
        if not isinstance(body, dict):
            raise InvalidInput("an activity is a JSON object")
        return json_response(envelope("post", a, "activities", [data.post_activity(coll, entity, body)], started))
    if verb_l in ("connections", "connecting") and method == "GET":  # every verb, out or in
        page = _all_verbs(data, coll, entity, reverse=verb_l == "connecting")
        return json_response(envelope("get", a, f"{coll}/{entity}/{verb_l}", [shown(r) for r in page.records],
                                      started, count=len(page.entities), cursor=page.cursor))
    if (coll, verb_l, method) == ("users", "followers", "GET"):  # UsersService: connecting/following
        page = data.connected(coll, entity, "following", reverse=True, query=_query())
        return json_response(envelope("get", a, f"{coll}/{entity}/{verb_l}", [shown(r) for r in page.records],
                                      started, count=len(page.entities), cursor=page.cursor))
    # otherwise: the entities this one is connected to by `verb`
    if method != "GET":
        raise InvalidInput(f"{method} is not supported on /{collection}/{{entity}}/{verb}")
    query = _query()
    page = data.connected(coll, entity, verb_l, query=query)
    return json_response(envelope("get", a, f"{coll}/{entity}/{verb_l}", [shown(r) for r in page.records], started,
                                  count=len(page.entities), cursor=page.cursor))


def _all_verbs(data: Any, coll: str, entity: str, *, reverse: bool) -> Any:
    """`/connections` (every outbound verb) or `/connecting` (every inbound one), newest connection
    first. Usergrid 1.x read every type of the entity's connection-types dictionary, the generic
    `connection` too (only the links leave it out); the links Usergrid keeps as collections (a
    group's users, a user's feed) are not connections there, so not here either."""
    skip = (COLLECTION_TARGETS if reverse else COLLECTION_VERBS).get(coll, ())
    return data.connected_all(coll, entity, reverse=reverse, query=_query(), skip=skip)


def _query() -> Any:
    qp: Mapping[str, str] = request().query_params or {}
    return parse(ql_param(qp), limit_param(qp.get("limit")), qp.get("cursor") or None)


def _change_password(a: Any, principal: Any, ident: str, started: float) -> Any:
    svc = services()
    data = svc.data(a, principal)
    user = data.record("users", ident)
    body = json_body(request(), {})
    if not isinstance(body, dict) or not isinstance(body.get("newpassword"), str) or not body["newpassword"]:
        raise InvalidInput('send {"oldpassword": "...", "newpassword": "..."}')
    if not _is_privileged(principal):
        if principal.subject != user.uuid:
            raise Forbidden("a user may change only its own password")
        if not verify_password(str(body.get("oldpassword") or ""), user.secret):
            raise BadCredentials("old password is wrong")
    data.update_record("users", user.uuid, {}, secret=hash_password(body["newpassword"]))
    return json_response(envelope("set user password", a, "users", None, started))


# `{collection2}`, not `{target}`: API Gateway allows one variable name per level, and the typed
# route below shares this level.
@view("/{org}/{app}/{collection}/{entity}/{verb}/{collection2}", ["GET", "POST", "DELETE"], spec=models.TARGET)
def to_target(org: str, app: str, collection: str, entity: str, verb: str, collection2: str) -> Any:
    started = time.perf_counter()
    target = collection2
    a, principal, coll, verb_l, entity, data = _context(org, app, collection, entity, verb)
    perms = services().permissions
    method = request().method
    add = method == "POST"
    if coll == "roles" and collection_key(verb_l) in ("users", "groups") and method != "GET":
        # the SDKs' form: /roles/{role}/{users|user|groups|group}/{member}
        coll, verb_l, entity, target = collection_key(verb_l), "roles", target, entity
    if (coll, verb_l) in (("users", "roles"), ("groups", "users"), ("groups", "roles")) and method != "GET":
        _require_privileged(principal, a)
        if (coll, verb_l) == ("users", "roles"):
            user = data.get("users", entity)
            role = data.get("roles", target)
            perms.assign(a.uuid, user["uuid"], role["name"], add)
            # the role -> user link lists GET /roles/{role}/users (membership itself is in perms)
            data.connect("roles", role["uuid"], "users", user["uuid"], "users", remove=not add)
            return json_response(envelope(method.lower(), a, "roles", [role], started))
        group = data.get("groups", entity)
        if verb_l == "users":
            user = data.get("users", target)
            perms.join(a.uuid, user["uuid"], group["uuid"], add)
            data.connect("groups", group["uuid"], "users", user["uuid"], "users", remove=not add)
            return json_response(envelope(method.lower(), a, "users", [user], started))
        role = data.get("roles", target)
        perms.assign_group(a.uuid, group["uuid"], role["name"], add)
        return json_response(envelope(method.lower(), a, "roles", [role], started))
    if verb_l in ("connecting", "connections") and method == "GET":
        # `connections/<verb>` is `<verb>` (Usergrid's ServiceContext drops the word before a name)
        page = data.connected(coll, entity, target.lower(), reverse=verb_l == "connecting", query=_query())
        return json_response(envelope("get", a, f"{coll}/{entity}/{verb_l}/{target}", [shown(r) for r in page.records],
                                      started,
                                      count=len(page.entities), cursor=page.cursor))
    if method == "GET":
        dest = _one_connection(data, coll, entity, verb_l, target, None)
        return json_response(envelope("get", a, f"{coll}/{entity}/{verb_l}", [_public(dest)], started))
    _not_a_listing(verb_l)
    dest = data.connect(coll, entity, verb_l, target, None, remove=not add)
    return json_response(envelope(method.lower(), a, f"{coll}/{entity}/{verb_l}", [_public(dest)], started))


def _one_connection(data: Any, coll: str, entity: str, verb: str, target: str, target_coll: str | None) -> Any:
    """GET of one connection: the target, or Usergrid's 404 when the two are not connected."""
    try:
        return data.connection(coll, entity, verb, target, target_coll)
    except NotFound as exc:
        raise ServiceResourceNotFound(exc.message) from None


@view("/{org}/{app}/{collection}/{entity}/{verb}/{collection2}/{entity2}", ["GET", "POST", "DELETE"],
      spec=models.TYPED_TARGET)
def to_typed_target(org: str, app: str, collection: str, entity: str, verb: str, collection2: str, entity2: str) -> Any:
    started = time.perf_counter()
    a, principal, coll, verb_l, entity, data = _context(org, app, collection, entity, verb)
    if verb_l == "connections":  # `connections/<verb>/<uuid>` is `<verb>/<uuid>` (ServiceContext)
        verb_l, target = collection2.lower(), entity2
        if request().method == "GET":
            dest = _one_connection(data, coll, entity, verb_l, target, None)
        else:
            dest = data.connect(coll, entity, verb_l, target, None, remove=request().method == "DELETE")
        return json_response(envelope(request().method.lower(), a, f"{coll}/{entity}/{verb_l}", [_public(dest)],
                                      started))
    if request().method == "GET":
        dest = _one_connection(data, coll, entity, verb_l, entity2, data.collection(collection2))
        return json_response(envelope("get", a, f"{coll}/{entity}/{verb_l}", [_public(dest)], started))
    _not_a_listing(verb_l)
    dest = data.connect(coll, entity, verb_l, entity2, collection_key(collection2),
                        remove=request().method == "DELETE")
    return json_response(envelope(request().method.lower(), a, f"{coll}/{entity}/{verb_l}",
                                  [_public(dest)], started))


def _not_a_listing(verb: str) -> None:
    """`connections` and `connecting` name Usergrid's listings (every verb out, every verb in), never a
    verb: a connection made with one could not be listed."""
    if verb in ("connections", "connecting"):
        raise InvalidInput(f"'{verb}' is not a connection verb: connect with /{{collection}}/{{entity}}/<verb>/...")


def _public(rec: Any) -> dict[str, Any]:
    return shown(rec)
