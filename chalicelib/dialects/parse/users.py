"""Users and sessions: `/users`, `/login`, `/logout`, `/users/me`, `/requestPasswordReset`,
`/verificationEmailRequest`, `/sessions[/me|/{id}]`.

Users are the core's `users` (the password a scrypt hash beside the document, never returned),
so a Parse user logs in through Usergrid or BEA too. A session token is a core token with
Parse's `r:` prefix; each login or sign-up also writes a `_Session` object (collection
`sessions`, ACL: its user only) holding the token's digest, never the token, so `GET /sessions`
lists a user's sessions and deleting one revokes its token.
"""

from __future__ import annotations

import dataclasses
import re
import time
from typing import Any

from ...bootstrap import services
from ...core.auth import Principal
from ...core.errors import EntityNotFound
from ...core.ids import is_uuid
from ...core.query import Compare, Query
from ...core.secrets import token_digest
from ..parselike import errors as pe
from ..parselike.codec import iso, pointer, wire_public
from ..parselike.where import parse_where
from .common import Ctx, Out, Req, core_token, route, session_token
from .errors import ParseError
from .objects import class_route, create, finder, wire

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESET_TTL_MS = 3_600_000
SESSIONS = "sessions"


def _user(ctx: Ctx) -> str:
    if ctx.user_id is None or not ctx.token:
        raise ParseError(pe.INVALID_SESSION_TOKEN, "Invalid session token")
    return str(ctx.user_id)


# -- sign up, log in, log out -------------------------------------------------------------
def sign_up(ctx: Ctx, req: Req) -> Out:
    body = req.fields()
    for k in ("sessionToken", "emailVerified", "authData"):
        body.pop(k, None)
    if not isinstance(body.get("username"), str) or not body["username"]:
        raise ParseError(pe.USERNAME_MISSING, "bad or missing username")
    if not isinstance(body.get("password"), str) or not body["password"]:
        raise ParseError(pe.PASSWORD_MISSING, "password is required")
    if body.get("email") is not None and (not isinstance(body["email"], str) or not EMAIL_RE.match(body["email"])):
        raise ParseError(pe.INVALID_EMAIL, "Email address format is invalid.")
    out = create(ctx, "_User", "users", body)
    uid = out.body["objectId"]
    out.body["sessionToken"] = start_session(ctx, uid, "signup")
    out.headers["Location"] = f"{ctx.base}/users/{uid}"
    return out


def start_session(ctx: Ctx, uid: str, action: str, token: str | None = None) -> str:
    """Issue a token (or record the one `login_user` issued) and its `_Session` object."""
    if token is None:
        token, _ = services().auth.issue(Principal("user", uid, ctx.app.uuid))
    expires = int(time.time() * 1000) + services().auth.ttl_s * 1000
    doc = {"user": pointer("_User", uid), "tokenDigest": token_digest(token),
           "createdWith": {"action": action, "authProvider": "password"}, "restricted": False,
           "expiresAt": {"__type": "Date", "iso": iso(expires)}}
    if ctx.installation_id:
        doc["installationId"] = ctx.installation_id
    ctx.server.create_record(SESSIONS, doc, acl={uid: {"read": True, "write": True}})
    return session_token(token)


@route("login", session=False)
def login(ctx: Ctx, req: Req) -> Out:
    if req.method not in ("GET", "POST") or req.parts:
        raise ParseError(pe.INVALID_JSON, "log in with GET or POST /login")
    src = {**req.params, **(req.body if isinstance(req.body, dict) else {})}
    username, email, password = src.get("username"), src.get("email"), src.get("password")
    ident = username if isinstance(username, str) and username else email
    if not isinstance(ident, str) or not ident:
        raise ParseError(pe.USERNAME_MISSING, "username/email is required.")
    if not isinstance(password, str) or not password:
        raise ParseError(pe.PASSWORD_MISSING, "password is required.")
    token, _, user = services().auth.login_user(ctx.app, ident, password)
    obj = {k: v for k, v in wire_public(user).items() if k not in ("authData", "sessionToken")}
    obj["sessionToken"] = start_session(ctx, user["uuid"], "login", token)
    return Out(200, obj)


@route("logout")
def logout(ctx: Ctx, req: Req) -> Out:
    if req.method != "POST" or req.parts:
        raise ParseError(pe.INVALID_JSON, "log out with POST /logout")
    _user(ctx)
    raw = core_token(ctx.token or "")
    for rec in _sessions_by_digest(ctx, token_digest(raw)):
        ctx.server.delete_record(SESSIONS, rec.uuid, current=rec)
    services().auth.revoke(raw)
    return Out(200, {})


# -- /users -------------------------------------------------------------------------------
@route("users")
def users(ctx: Ctx, req: Req) -> Out:
    if req.parts == ["me"] and req.method == "GET":
        uid = _user(ctx)
        obj = wire(ctx.data.record("users", uid))
        obj["sessionToken"] = ctx.token
        return Out(200, obj)
    if req.parts == ["me"]:
        raise ParseError(pe.INVALID_JSON, "GET /users/me")
    if len(req.parts) > 1:
        raise ParseError(pe.OBJECT_NOT_FOUND, "unknown route", 404)
    return class_route(ctx, req, "_User", req.parts)


@route("requestPasswordReset")
def password_reset(ctx: Ctx, req: Req) -> Out:
    user, email = _by_email(ctx, req)
    token, _ = services().auth.issue(Principal("reset", user.uuid, ctx.app.uuid), RESET_TTL_MS)
    text = (f"Hello {user.doc.get('username', '')},\n\nsomeone asked to reset your password. "
            f"Your reset code (valid one hour): {token}\n\nIf it was not you, ignore this email.")
    services().messaging().send_email([email], "Password reset", text)
    return Out(200, {})


@route("verificationEmailRequest")
def verification_email(ctx: Ctx, req: Req) -> Out:
    user, email = _by_email(ctx, req)
    if user.doc.get("emailVerified") is True:
        raise ParseError(pe.OTHER_CAUSE, f"Email {email} is already verified.")
    token, _ = services().auth.issue(Principal("verify", user.uuid, ctx.app.uuid), 24 * RESET_TTL_MS)
    text = (f"Hello {user.doc.get('username', '')},\n\nplease confirm your email address with this code "
            f"(valid one day): {token}")
    services().messaging().send_email([email], "Please verify your email", text)
    return Out(200, {})


def _by_email(ctx: Ctx, req: Req) -> tuple[Any, str]:
    if req.method != "POST":
        raise ParseError(pe.INVALID_JSON, "POST with {\"email\"}")
    email = req.fields().get("email")
    if not isinstance(email, str) or not email:
        raise ParseError(pe.EMAIL_MISSING, "you must provide an email")
    found = ctx.server.query("users", Query(where=Compare("email", "eq", email), limit=1)).records
    if not found:
        raise ParseError(pe.EMAIL_NOT_FOUND, f"No user found with email {email}.")
    return found[0], email


# -- /sessions ----------------------------------------------------------------------------
def _sessions_by_digest(ctx: Ctx, digest: str) -> list[Any]:
    return ctx.server.query(SESSIONS, Query(where=Compare("tokenDigest", "eq", digest, True), limit=1)).records


def _session_wire(rec: Any, token: str | None = None) -> dict[str, Any]:
    out = wire(rec)
    out.pop("tokenDigest", None)
    if token:
        out["sessionToken"] = token
    return out


def _find_sessions(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """A class query on `_Session` (count, limit, skip, where, order, keys, include) through the
    finder the class routes use. As Parse's RestQuery does, a caller without the master key gets
    `{"$and": [where, {"user": me}]}`: its own sessions whatever the where asks. The query reads
    with the caller's own permissions (sessions carry their user's ACL), so `$inQuery` and
    `include` see only what the caller may see."""
    params = {k: v for k, v in params.items() if not k.startswith("_")}
    if not ctx.master:
        where = params.get("where")
        if isinstance(where, str) or where is None:
            where = parse_where(where)
        mine = {"user": pointer("_User", _user(ctx))}
        params["where"] = {"$and": [where, mine]} if where else mine
    if params.get("order") is not None and not isinstance(params["order"], str):
        raise ParseError(pe.INVALID_QUERY, "order is a comma-separated list of keys")
    return dataclasses.replace(finder(ctx), wire=_session_wire).find(SESSIONS, params)


@route("sessions")
def sessions(ctx: Ctx, req: Req) -> Out:
    uid = _user(ctx) if not ctx.master else ctx.user_id
    if req.parts == ["me"]:
        if req.method != "GET" or uid is None:
            raise ParseError(pe.INVALID_SESSION_TOKEN, "Session token not found.")
        found = _sessions_by_digest(ctx, token_digest(core_token(ctx.token or "")))
        if not found:
            raise ParseError(pe.INVALID_SESSION_TOKEN, "Session token not found.")
        return Out(200, _session_wire(found[0], ctx.token))
    if not req.parts and req.method == "GET":
        return Out(200, _find_sessions(ctx, req.params))
    if len(req.parts) == 1 and req.method in ("GET", "DELETE"):
        oid = req.parts[0]
        rec = ctx.server.find_record(SESSIONS, oid) if is_uuid(oid) else None
        owner = (rec.doc.get("user") or {}).get("objectId") if rec else None
        if rec is None or not (ctx.master or owner == uid):
            raise EntityNotFound("Object not found.")
        if req.method == "GET":
            return Out(200, finder(ctx).one(_session_wire(rec), req.params))
        ctx.server.delete_record(SESSIONS, rec.uuid, current=rec)
        services().auth.tokens.delete(rec.doc["tokenDigest"])
        return Out(200, {})
    raise ParseError(pe.INVALID_JSON, f"{req.method} is not supported on sessions")
