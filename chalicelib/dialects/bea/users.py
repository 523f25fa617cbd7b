"""`/1/Users`: sign up, log in (GET with query parameters, as the seed), log out, me, get, update and
delete (by the user itself), query, and password reset by email (SES).

Users are entities of the core collection `users`; the password is a scrypt hash beside the
document (never part of it, never returned). Sessions are the core's tokens: sign-up and login
return `sessionToken`, later requests send it as `X-BEA-Session-Token`.
"""

from __future__ import annotations

import re
from typing import Any

from ...bootstrap import services
from ...core.auth import Principal
from ...core.errors import EntityNotFound
from ...core.ids import is_uuid
from ...core.query import Compare, Query
from ...core.secrets import hash_password
from ..parselike import errors
from ..parselike.codec import to_wire, wire_public
from ..parselike.errors import ParseStyleError
from ..parselike.queries import project
from .common import Ctx, Out, Req, router
from .objects import create, find, include, update

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESET_TTL_MS = 3_600_000


def _session(ctx: Ctx) -> str:
    if ctx.principal.kind != "user" or not ctx.token:
        raise ParseStyleError(errors.INVALID_SESSION_TOKEN, "Invalid session token")
    return str(ctx.principal.subject)


def _self_only(ctx: Ctx, oid: str) -> None:
    if ctx.principal.kind in ("app", "admin"):
        return  # the master key acts as the app
    if ctx.principal.kind != "user" or (ctx.principal.subject or "").lower() != oid.lower():
        raise ParseStyleError(errors.SESSION_MISSING, f"Cannot modify user {oid}.")


def _password(body: dict[str, Any], required: bool) -> str | None:
    pw = body.pop("password", None)
    if pw is None:
        if required:
            raise ParseStyleError(errors.PASSWORD_MISSING, "password is required")
        return None
    if not isinstance(pw, str) or not pw:
        raise ParseStyleError(errors.PASSWORD_MISSING, "password is required")
    return hash_password(pw)


def _check_identity(body: dict[str, Any], creating: bool) -> None:
    if creating or "username" in body:
        if not isinstance(body.get("username"), str) or not body["username"]:
            raise ParseStyleError(errors.USERNAME_MISSING, "bad or missing username")
    if body.get("email") is not None and (not isinstance(body["email"], str) or not EMAIL_RE.match(body["email"])):
        raise ParseStyleError(errors.INVALID_EMAIL, "invalid email address")
    body.pop("sessionToken", None)


# The seed's `/1/Users`, Parse's `/1/users` and the class `_User` are one users API.
USER_CLASSES = ("Users", "users", "_User")
# Parse's own top-level paths, the same as `/1/Users/<name>`; nothing else happens on them.
PARSE_PATHS = {"login": ("GET", "POST"), "logout": ("POST",), "requestPasswordReset": ("POST",)}


@router
def users_route(ctx: Ctx, req: Req) -> Out | None:
    if len(req.parts) == 1 and req.parts[0] in PARSE_PATHS:
        if req.method not in PARSE_PATHS[req.parts[0]]:
            raise ParseStyleError(errors.OBJECT_NOT_FOUND, f"{req.method} is not supported on /1/{req.parts[0]}", 405)
        rest = req.parts
    elif req.parts and req.parts[0] in USER_CLASSES:
        rest = req.parts[1:]
    else:
        return None
    m = req.method
    body = dict(req.body) if isinstance(req.body, dict) else {} if req.body is None else req.body
    if not rest:
        if m == "POST":
            if not isinstance(body, dict):
                raise ParseStyleError(errors.INVALID_JSON, "the body must be a JSON object")
            _check_identity(body, True)
            secret = _password(body, True)
            out = create(ctx, "Users", "users", body, secret=secret)
            uid = out.body["objectId"]
            token, _ = services().auth.issue(Principal("user", uid, ctx.app.uuid))
            out.body["sessionToken"] = token
            return out
        if m == "GET":  # users are public profiles, as in Parse (core/data.py `profiles`)
            return Out(200, find(ctx, "users", req.params, reader=ctx.data.profiles))
        return None
    name = rest[0]
    if len(rest) != 1:
        return None
    if name == "login":
        return login(ctx, req)
    if name == "logout" and m == "POST":
        _session(ctx)
        services().auth.revoke(ctx.token or "")
        return Out(200, {})
    if name == "me" and m == "GET":
        uid = _session(ctx)
        obj = to_wire(ctx.data.record("users", uid))
        obj["sessionToken"] = ctx.token
        return Out(200, obj)
    if name == "requestPasswordReset" and m == "POST":
        return password_reset(ctx, body)
    if m == "GET":
        if not is_uuid(name):
            raise EntityNotFound("Object not found.")
        obj = to_wire(ctx.data.profile(name))
        include(ctx, [obj], req.params.get("include"))
        return Out(200, project(obj, req.params.get("keys")))
    if m == "PUT":
        _self_only(ctx, name)
        if not isinstance(body, dict):
            raise ParseStyleError(errors.INVALID_JSON, "the body must be a JSON object")
        _check_identity(body, False)
        return update(ctx, "users", name, body, secret=_password(body, False))
    if m == "DELETE":
        _self_only(ctx, name)
        ctx.data.delete_record("users", name)
        services().auth.revoke(ctx.token or "")
        return Out(200, {})
    return None


def login(ctx: Ctx, req: Req) -> Out:
    src = {**req.params, **(req.body if isinstance(req.body, dict) else {})}
    username, password = src.get("username"), src.get("password")
    if not isinstance(username, str) or not username:
        raise ParseStyleError(errors.USERNAME_MISSING, "username is required.")
    if not isinstance(password, str) or not password:
        raise ParseStyleError(errors.PASSWORD_MISSING, "password is required.")
    token, _, user = services().auth.login_user(ctx.app, username, password)
    obj = wire_public(user)
    obj["sessionToken"] = token
    return Out(200, obj)


def password_reset(ctx: Ctx, body: Any) -> Out:
    email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str) or not email:
        raise ParseStyleError(errors.EMAIL_MISSING, "you must provide an email")
    found = ctx.server.query("users", Query(where=Compare("email", "eq", email), limit=1)).records
    if not found:
        raise ParseStyleError(errors.EMAIL_NOT_FOUND, f"No user found with email {email}.")
    user = found[0]
    token, _ = services().auth.issue(Principal("reset", user.uuid, ctx.app.uuid), RESET_TTL_MS)
    text = (f"Hello {user.doc.get('username', '')},\n\nsomeone asked to reset your password. "
            f"Your reset code (valid one hour): {token}\n\nIf it was not you, ignore this email.")
    services().send_email(ctx.app, ctx.principal, [email], "Password reset", text, to_own_user=True)
    return Out(200, {})
