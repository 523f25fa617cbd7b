"""Backendless Users over the core's app users (collection `users`), and app info."""

from __future__ import annotations

from typing import Any

from chalice import Response

from ...bootstrap import services
from ...core.auth import Principal
from ...core.errors import BadCredentials, DuplicateUnique, InvalidInput, NotFound
from ...core.query import Compare, Query
from ...core.secrets import hash_password
from ..http import json_body
from . import models
from .common import Ctx, from_wire, ok, request, route, to_wire
from .errors import BackendlessError


def info(ctx: Ctx) -> Any:
    """What the SDK's initApp loads: logging levels and the (absent) real-time server."""
    return ok({"appId": ctx.app.uuid, "appName": ctx.app.name, "loggers": [], "rtURL": None,
               "apiKey": ctx.rest_key})


def _user_json(rec: Any) -> dict[str, Any]:
    out = to_wire(rec, "Users")
    out.pop("password", None)
    return out


def register(ctx: Ctx) -> Any:
    return ok(_user_json(signup(ctx, json_body(request()))))


def signup(ctx: Ctx, body: Any) -> Any:
    """Registration's rules, for `/users/register` and for new objects of the `Users` table through
    the Data API (`POST /data/Users`, `PUT` without objectId, bulk create), as Backendless applies them."""
    if not isinstance(body, dict):
        raise BackendlessError(8002, "the user must be a JSON object")
    props = from_wire(body)
    password = props.pop("password", None)
    if not isinstance(password, str) or not password:
        raise BackendlessError(3011, "Property 'password' is required and must be a non-empty string")
    if not any(isinstance(props.get(k), str) and props[k] for k in ("email", "username", "name")):
        raise BackendlessError(3013, "Identity property 'email' is required")
    if "email" in props and (not isinstance(props["email"], str) or "@" not in props["email"]):
        raise BackendlessError(3040, "Email address is in the wrong format")
    try:
        return ctx.data.create_record("users", props, secret=hash_password(password))
    except DuplicateUnique:
        raise BackendlessError(3033, "User already exists.") from None


def login(ctx: Ctx) -> Any:
    body = json_body(request())
    if not isinstance(body, dict):
        raise BackendlessError(8002, "the login must be a JSON object")
    identity, password = body.get("login"), body.get("password")
    if not isinstance(identity, str) or not identity or not isinstance(password, str):
        raise BackendlessError(3006, "Either login or password is an empty string value.")
    try:
        token, _, user = services().auth.login_user(ctx.app, identity, password)
    except BadCredentials:
        raise BackendlessError(3003, "Invalid login or password.", 401) from None
    return ok({**_user_json(user), "user-token": token})


def logout(ctx: Ctx) -> Any:
    if not ctx.token or ctx.user_id is None:
        raise BackendlessError(3064, "Not existing user token. Relogin user to update your user token", 401)
    services().auth.revoke(ctx.token)
    return Response(body="", status_code=200)


def is_valid(ctx: Ctx, token: str) -> Any:
    try:
        p = services().auth.resolve(token)
    except Exception:  # noqa: BLE001 - an unknown or expired token is simply not valid
        return ok(False)
    return ok(p.kind == "user" and p.app == ctx.app.uuid)


def user_view(ctx: Ctx, user_id: str) -> Any:
    if ctx.user_id is None:
        raise BackendlessError(3064, "a user-token is required", 401)
    if request().method == "GET":
        return ok(_user_json(ctx.data.record("users", user_id)))
    body = json_body(request())
    if not isinstance(body, dict):
        raise InvalidInput("the user must be a JSON object")
    props = from_wire(body)
    password = props.pop("password", None)
    if password is not None and (not isinstance(password, str) or not password):
        raise BackendlessError(3011, "password must be a non-empty string")
    try:
        rec = ctx.data.update_record("users", user_id, props,
                                     secret=hash_password(password) if password else None)
    except DuplicateUnique:
        raise BackendlessError(3033, "User already exists.") from None
    return ok(_user_json(rec))


def restore_password(ctx: Ctx, identity: str) -> Any:
    """Mails a one-hour login token to the user's address (there is no hosted reset page)."""
    svc = services()
    prop = "email" if "@" in identity else "username"
    server = svc.data(ctx.app, Principal("app", ctx.app.uuid, ctx.app.uuid))  # the server acting for the user
    found = server.query("users", Query(where=Compare(prop, "eq", identity), limit=1)).records
    email = found[0].doc.get("email") if found else None
    if not found or not isinstance(email, str):
        # 3020 as Backendless answers it (the JS SDK's own e2e test, users.js "restore password for a wrong
        # login"); HTTP 400 as seed 002 lists for this operation (Backendless' docs give no status)
        raise BackendlessError(3020, f"Unable to find user with the specified identity: {identity}", 400)
    token, _ = svc.auth.issue(Principal("user", found[0].uuid, ctx.app.uuid), 3_600_000)
    text = (f"A password reset was requested for {identity}.\n"
            f"Use this user-token within one hour to set a new password with PUT /users/{found[0].uuid}:\n{token}\n")
    svc.messaging().send_email([email], "Password recovery", text, None)
    return Response(body="", status_code=200)


def _not_found(ctx: Ctx, **_: str) -> Any:
    raise NotFound(f"route not found: {request().method} {request().path}")


route("/info", models.INFO, GET=info)
route("/users/register", models.REGISTER, POST=register)
route("/users/login", models.LOGIN, POST=login)
route("/users/logout", models.LOGOUT, GET=logout)
route("/users/isvalidusertoken/{token}", models.VALID_TOKEN, GET=is_valid)
route("/users/restorepassword/{identity}", models.RESTORE, GET=restore_password)
route("/users/{user_id}", models.USER, GET=user_view, PUT=user_view)
