"""Usergrid's management API: organization signup, admin tokens, applications and their keys."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ...bootstrap import collections, services
from ...core import layouts, spellings, validate
from ...core.errors import InvalidInput, NotFound
from ...core.file_transfer import export_files_page, import_files
from ...core.tenancy import App, Org
from ...core.transfer import export_page, import_batch
from ..http import bearer_token, form_or_json, json_body
from . import models
from .common import json_response, request, view


def _org_json(org: Org, apps: dict[str, str]) -> dict[str, Any]:
    return {"uuid": org.uuid, "name": org.name,
            "applications": {f"{org.name}/{name}": uuid for name, uuid in apps.items()}}


def _app_json(app: App) -> dict[str, Any]:
    return {"uuid": app.uuid, "name": f"{app.org_name}/{app.name}", "applicationName": app.name,
            "organization": app.org_name, "created": app.created}


def _envelope(action: str, started: float, **data: Any) -> dict[str, Any]:
    return {"action": action, "status": "ok", "timestamp": int(time.time() * 1000),
            "duration": int((time.perf_counter() - started) * 1000), **data}


@view("/management/organizations", ["POST"], spec=models.SIGNUP)
def create_organization() -> Any:
    started = time.perf_counter()
    body = form_or_json(request())
    svc = services()
    org, admin, app = svc.tenancy.signup(
        str(body.get("organization") or ""), str(body.get("username") or ""), str(body.get("name") or ""),
        str(body.get("email") or ""), str(body.get("password") or ""))
    return json_response(_envelope("new organization", started, data={
        "owner": admin.public(), "organization": _org_json(org, {"sandbox": app.uuid})}))


@view("/management/token", ["POST", "GET"], spec=models.ADMIN_TOKEN)
def management_token() -> Any:
    body = form_or_json(request())
    if body.get("grant_type", "password") != "password":
        raise InvalidInput("unsupported grant_type for the management token")
    token, ttl, admin = services().auth.login_admin(
        str(body.get("username") or ""), str(body.get("password") or ""), _ttl(body))
    return json_response({"access_token": token, "expires_in": ttl, "user": admin.public()})


def _admin_org(org_ident: str) -> Org:
    svc = services()
    org = svc.tenancy.org(org_ident)
    svc.auth.check_org_admin(svc.auth.resolve(bearer_token(request())), org.uuid)
    return org


@view("/management/orgs/{org}/apps", ["POST", "GET"], spec=models.ORG_APPS)
def org_apps(org: str) -> Any:
    started = time.perf_counter()
    svc = services()
    o = _admin_org(org)
    if request().method == "GET":
        apps = svc.tenancy.org_apps(o)
        return json_response(_envelope("get organization application", started,
                                       data={f"{o.name}/{n}": u for n, u in apps.items()}))
    body = json_body(request(), {})
    if not isinstance(body, dict):
        raise InvalidInput("expected a JSON object")
    app = svc.tenancy.create_app(o, str(body.get("name") or ""))
    return json_response(_envelope("new application", started, data={f"{o.name}/{app.name}": app.uuid},
                                   entities=[_app_json(app)]))


@view("/management/orgs/{org}/apps/{app}/credentials", ["GET", "POST"], spec=models.CREDENTIALS)
def app_credentials(org: str, app: str) -> Any:
    started = time.perf_counter()
    svc = services()
    o = _admin_org(org)
    a = svc.tenancy.app(o.uuid, app)
    if request().method == "POST":
        a = svc.tenancy.rotate_credentials(a)
    creds = svc.tenancy.credentials(a)
    return json_response(_envelope("get application client credentials", started,
                                   credentials={"client_id": creds["client_id"], "client_secret": creds["client_secret"]},
                                   uuid=a.uuid, rest_api_key=creds["rest_api_key"],
                                   master_key=creds["master_key"]))


def _ttl(body: dict[str, Any]) -> int | None:
    raw = body.get("ttl")
    if raw in (None, ""):
        return None
    return validate.integer(raw, "ttl (milliseconds)", 0, 0, validate.MAX_EPOCH_MS) or None


# -- admins of organizations (Usergrid's ManagementResource / OrganizationResource) -------------
def _me() -> Any:
    svc = services()
    principal = svc.auth.resolve(bearer_token(request()))
    if principal.kind != "admin" or not principal.subject:
        from ...core.errors import Unauthorized

        raise Unauthorized("an admin token is required")
    return svc.tenancy.admin(principal.subject)


def _new_admin(body: Any) -> Any:
    if not isinstance(body, dict):
        raise InvalidInput("expected a JSON object")
    return services().tenancy.create_admin(str(body.get("username") or ""), str(body.get("name") or ""),
                                          str(body.get("email") or ""), str(body.get("password") or ""))


@view("/management/users", ["POST"], spec=models.NEW_ADMIN)
def create_admin_user() -> Any:
    """A new admin without an organization (open signup only); it creates or joins orgs later."""
    started = time.perf_counter()
    if not services().tenancy.open_signup:
        from ...core.errors import Forbidden

        raise Forbidden("admin signup is disabled on this server")
    admin = _new_admin(form_or_json(request()))
    return json_response(_envelope("create user", started, data={"user": admin.public()}))


@view("/management/me", ["GET"], spec=models.ME)
def management_me() -> Any:
    started = time.perf_counter()
    admin = _me()
    orgs = {o.name: _org_json(o, services().tenancy.org_apps(o)) for o in services().tenancy.admin_orgs(admin)}
    return json_response(_envelope("get admin user", started, data={**admin.public(), "organizations": orgs}))


def _admin_orgs_view(user: str) -> Any:
    """An admin's organizations (GET), or a new one it will administer (POST {"organization"})."""
    started = time.perf_counter()
    svc = services()
    me = _me()
    if svc.tenancy.find_admin(user).uuid != me.uuid:
        from ...core.errors import Forbidden

        raise Forbidden("an admin sees and creates only its own organizations")
    if request().method == "POST":
        body = form_or_json(request())
        org = svc.tenancy.create_org(str(body.get("organization") or body.get("name") or ""), me)
        app = svc.tenancy.create_app(org, "sandbox")
        return json_response(_envelope("create organization", started,
                                       data={"organization": _org_json(org, {"sandbox": app.uuid})}))
    orgs = {o.name: _org_json(o, svc.tenancy.org_apps(o)) for o in svc.tenancy.admin_orgs(svc.tenancy.admin(me.uuid))}
    return json_response(_envelope("get organizations for user", started, data=orgs))


def _org_admins_view(org: str, user: str | None = None) -> Any:
    """List an organization's admins, add a new or an existing admin, remove one."""
    started = time.perf_counter()
    svc = services()
    o = _admin_org(org)
    method = request().method
    if user is None and method == "GET":
        admins = [a.public() for a in svc.tenancy.org_admins(o)]
        return json_response(_envelope("get organization users", started, data=admins))
    if user is None:  # POST a new admin straight into the organization
        admin = _new_admin(form_or_json(request()))
    else:
        admin = svc.tenancy.find_admin(user)
    if method == "GET":
        if admin.uuid not in {a.uuid for a in svc.tenancy.org_admins(o)}:
            from ...core.errors import NotFound

            raise NotFound(f"{user} is not an admin of {o.name}")
        return json_response(_envelope("get organization user", started, data={"user": admin.public()}))
    svc.tenancy.set_org_admin(o, admin, member=method != "DELETE")
    action = "remove user from organization" if method == "DELETE" else "add user to organization"
    return json_response(_envelope(action, started, data={"user": admin.public()}))


for _prefix in ("/management/users/{user}/orgs", "/management/users/{user}/organizations"):
    view(_prefix, ["GET", "POST"], spec=models.ADMIN_ORGS)(_admin_orgs_view)
for _prefix in ("/management/orgs/{org}/users", "/management/organizations/{org}/users"):
    view(_prefix, ["GET", "POST"], spec=models.ORG_ADMINS)(_org_admins_view)
    view(_prefix + "/{user}", ["GET", "PUT", "POST", "DELETE"], spec=models.ORG_ADMIN)(_org_admins_view)


def _admin_app(org: str, app: str) -> tuple[App, Any]:
    """An app of an org the caller administers, and the caller's view of its data (everything)."""
    svc = services()
    o = _admin_org(org)
    a = svc.tenancy.app(o.uuid, app)
    return a, svc.data(a, svc.auth.resolve(bearer_token(request())))


@view("/management/orgs/{org}/apps/{app}/collections", ["GET"], spec=models.APP_COLLECTIONS)
def app_collections(org: str, app: str) -> Any:
    """Every collection the app has created an entity in (what an export of the whole app walks)."""
    started = time.perf_counter()
    a, _ = _admin_app(org, app)
    return json_response(_envelope("get application collections", started, collections=collections(a.uuid)))


@view("/management/orgs/{org}/apps/{app}/collections/{collection}/shards", ["GET", "PUT"],
      spec=models.COLLECTION_SHARDS)
def collection_shards(org: str, app: str, collection: str) -> Any:
    """A collection's index layout (core/layouts.py); PUT {"shards": S} spreads each of its indexes over
    S partition keys (hot partitions: ~1,000 writes/s per key), 1 restores the single key."""
    started = time.perf_counter()
    _, data = _admin_app(org, app)
    lay = _layouts()
    if request().method == "PUT":
        body = json_body(request(), {})
        coll, layout = layouts.set_shards(data, lay, collection, body.get("shards") if isinstance(body, dict) else None)
    else:
        coll, layout = layouts.show(data, lay, collection)
    return json_response(_envelope("collection shards", started, collection=coll, **layout.public(lay.clock())))


@view("/management/orgs/{org}/apps/{app}/collections/{collection}/shards/migrate", ["POST"],
      spec=models.COLLECTION_MIGRATE)
def collection_migrate(org: str, app: str, collection: str) -> Any:
    """One bounded step of rewriting the collection's entities under its layout; repeat with the cursor
    it returns until none comes back (then the old layouts are dropped). 409 until writers have switched."""
    started = time.perf_counter()
    _, data = _admin_app(org, app)
    body = json_body(request(), {})
    body = body if isinstance(body, dict) else {}
    limit = validate.integer(body.get("limit"), "limit", layouts.MIGRATE_PAGE, 1, 100)
    cursor = body.get("cursor") or None
    if cursor is not None and not isinstance(cursor, str):
        raise InvalidInput("cursor must be a string")
    lay = _layouts()
    step = layouts.migrate(data, lay, collection, cursor, limit)
    page = {"moved": step.moved, "read": step.seen} | ({"cursor": step.cursor} if step.cursor else {})
    return json_response(_envelope("migrate collection shards", started, **page, **step.layout.public(lay.clock())))


def _app_or_admin(org: str, app: str) -> Any:
    """The app's data for its own credentials (a client_credentials token) or an admin of its org."""
    svc = services()
    o = svc.tenancy.org(org)
    who = svc.auth.resolve(bearer_token(request()))
    if who.kind != "app":
        svc.auth.check_org_admin(who, o.uuid)  # before the app is looked up: no app names to anyone else
    try:
        a = svc.tenancy.app(o.uuid, app)
    except NotFound:
        if who.kind == "app":
            svc.auth.check_org_admin(who, o.uuid)  # 401: another app's credentials learn nothing
        raise
    if who.kind == "app" and who.app != a.uuid:
        svc.auth.check_org_admin(who, o.uuid)
    return svc.data(a, who)


def _spellings_view(org: str, app: str, collection: str | None = None) -> Any:
    """One bounded step of recording the mixed-case property names stored before they were recorded
    (core/spellings.py), in one collection or every one; repeat with the cursor until none comes back."""
    started = time.perf_counter()
    data = _app_or_admin(org, app)
    body = json_body(request(), {})
    body = body if isinstance(body, dict) else {}
    limit = validate.integer(body.get("limit"), "limit", spellings.PAGE, 1, spellings.MAX_PAGE)
    cursor = body.get("cursor") or None
    if cursor is not None and not isinstance(cursor, str):
        raise InvalidInput("cursor must be a string")
    step = spellings.backfill(data, collection, cursor, limit)
    page = {"read": step.read, "recorded": step.recorded, "collections": step.collections}
    return json_response(_envelope("record property spellings", started, **page,
                                   **({"cursor": step.cursor} if step.cursor else {})))


view("/management/orgs/{org}/apps/{app}/spellings", ["POST"], spec=models.SPELLINGS)(_spellings_view)
view("/management/orgs/{org}/apps/{app}/collections/{collection}/spellings", ["POST"],
     spec=models.SPELLINGS)(_spellings_view)


def _layouts() -> layouts.Layouts:
    lay = services().layouts
    assert lay is not None  # bootstrap builds it with the services
    return lay


@view("/management/orgs/{org}/apps/{app}/export", ["GET"], spec=models.APP_EXPORT)
def app_export(org: str, app: str) -> Any:
    """One page of a collection as export lines (core/transfer.py), with the next page's cursor."""
    started = time.perf_counter()
    _, data = _admin_app(org, app)
    qp: Mapping[str, str] = request().query_params or {}
    coll = qp.get("collection") or ""
    if not coll:
        raise InvalidInput("collection is required")
    limit = validate.integer(qp.get("limit"), "limit", 500, 1, 1000)
    lines, cursor = export_page(data, coll, limit, qp.get("cursor") or None)
    return json_response(_envelope("export", started, entities=lines, cursor=cursor, count=len(lines)))


@view("/management/orgs/{org}/apps/{app}/import", ["POST"], spec=models.APP_IMPORT)
def app_import(org: str, app: str) -> Any:
    """Create a batch of exported entities (at most 100), keeping uuids: re-running skips what exists."""
    started = time.perf_counter()
    _, data = _admin_app(org, app)
    body = json_body(request(), {})
    if not isinstance(body, dict) or not isinstance(body.get("collection"), str) or not body["collection"]:
        raise InvalidInput("expected {\"collection\": name, \"entities\": [...]}")
    report = import_batch(data, body["collection"], body.get("entities"))
    return json_response(_envelope("import", started, imported=report.imported, skipped=report.skipped))


@view("/management/orgs/{org}/apps/{app}/files", ["GET", "POST"], spec=models.APP_FILES)
def app_files_transfer(org: str, app: str) -> Any:
    """The app's free-standing files out (GET: one bounded page, small files inlined, big ones as
    presigned GETs) or in (POST: a batch; existing paths skipped, big files get presigned PUTs)."""
    started = time.perf_counter()
    svc = services()
    a, _ = _admin_app(org, app)
    files = svc.app_files(a, svc.auth.resolve(bearer_token(request())))
    if request().method == "GET":
        qp: Mapping[str, str] = request().query_params or {}
        limit = validate.integer(qp.get("limit"), "limit", 100, 1, 100)
        records, cursor = export_files_page(files, limit, qp.get("cursor") or None)
        page = {"files": records, "count": len(records)} | ({"cursor": cursor} if cursor else {})
        return json_response(_envelope("export files", started, **page))  # no cursor on the last page
    body = json_body(request(), {})
    if not isinstance(body, dict) or not isinstance(body.get("files"), list):
        raise InvalidInput("expected {\"files\": [...]}")
    report = import_files(files, body["files"])
    return json_response(_envelope("import files", started, imported=report.imported, skipped=report.skipped,
                                   uploads=report.uploads))
