"""The cross-dialect permission matrix: resource kind x dialect x caller -> one decision.

Callers: anonymous (no token; in REST-key dialects: no valid key), key (the REST key alone),
owner (alice, who made the resource), other (bob, same app), foreign (carol, a user of another
app), app (client credentials; the master key in REST-key dialects), admin (org admin token;
the master key). A dialect without a kind of caller (no REST key in Usergrid and Lightblue)
skips it. Refusals come in the dialect's own error format.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest

from tests.lightblue.conftest import USER_META

from .conftest import CALLERS, World, allowed, multipart, refused

A, D = True, False  # allow, deny


def check(world: World, dialect: str, caller: str, expect: bool, method: str, path: str, body: Any = None,
          **kw: Any) -> None:
    r = world.call(dialect, caller, method, path, body, **kw)
    if r is None:
        return  # this dialect has no such caller
    if expect:
        allowed(r)
    else:
        refused(dialect, r)


# -- entities: alice's note changes only for alice and privileged callers, in every dialect ---------
ENTITY_UPDATE = {"anonymous": D, "key": D, "owner": A, "other": D, "foreign": D, "app": A, "admin": A}


ENTITY_DIALECTS = ["usergrid", "backendless", "bea", "lightblue", "parse"]
NOTES_META: dict[str, Any] = {  # Lightblue reaches a collection through its metadata: open to anyone, as USER_META
    "entityInfo": {"name": "notes", "defaultVersion": "1.0.0",
                   "datastore": {"backend": "mongo", "datasource": "mongodata", "collection": "notes"}},
    "schema": {"name": "notes", "version": {"value": "1.0.0", "changelog": "first"}, "status": {"value": "active"},
               "access": {"insert": ["anyone"], "find": ["anyone"], "update": ["anyone"], "delete": ["anyone"]},
               "fields": {"body": {"type": "string"}, "seen": {"type": "string"}}},
}


@pytest.fixture(scope="module")
def notes_meta(world: World) -> None:
    r = world.call("lightblue", "app", "PUT", "metadata/notes/1.0.0", NOTES_META)
    assert r.status_code == 200, r.body


def entity_call(world: World, dialect: str, caller: str, method: str, uuid: str, change: dict[str, Any]) -> Any:
    """One change (PUT) or delete of the note `uuid`, as each dialect spells it."""
    if dialect == "lightblue":
        query = {"field": "_id", "op": "=", "rvalue": uuid}
        if method == "PUT":
            return world.call(dialect, caller, "POST", "data/update/notes",
                              {"entity": "notes", "query": query, "update": {"$set": change}})
        return world.call(dialect, caller, "POST", "data/delete/notes", {"entity": "notes", "query": query})
    path = {"usergrid": f"notes/{uuid}", "backendless": f"data/notes/{uuid}", "bea": f"notes/{uuid}",
            "parse": f"classes/notes/{uuid}"}[dialect]
    return world.call(dialect, caller, method, path, change if method == "PUT" else None)


def decide(dialect: str, r: Any, expect: bool) -> None:
    if r is None:
        return  # this dialect has no such caller
    if not expect:
        refused(dialect, r)
        return
    allowed(r)
    if dialect == "lightblue":  # Lightblue answers 200 with counts: the change happened or it did not
        assert r.json["status"] == "COMPLETE" and r.json["modifiedCount"] + r.json["matchCount"] >= 1, r.body


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("dialect", ENTITY_DIALECTS)
def test_entity_update(world: World, notes_meta: None, dialect: str, caller: str) -> None:
    decide(dialect, entity_call(world, dialect, caller, "PUT", world.note, {"seen": caller}), ENTITY_UPDATE[caller])


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("dialect", ENTITY_DIALECTS)
def test_entity_delete_is_refused_to_non_owners(world: World, notes_meta: None, dialect: str, caller: str) -> None:
    if ENTITY_UPDATE[caller]:
        return  # allowed deletes are shown in test_attacks (they would remove the shared note)
    decide(dialect, entity_call(world, dialect, caller, "DELETE", world.note, {}), D)


FREE_UPDATE = {"anonymous": D, "key": A, "owner": A, "other": A, "foreign": D, "app": A, "admin": A}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("dialect", ["backendless", "bea", "parse"])
def test_entity_without_owner_stays_usable_with_the_key(world: World, dialect: str, caller: str) -> None:
    """As the seeds show: objects made with the key alone are changed with the key alone, and so by
    any user who comes with the key (never less than the key alone)."""
    decide(dialect, entity_call(world, dialect, caller, "PUT", world.free_note, {"seen": caller}), FREE_UPDATE[caller])


# -- free-standing files (Backendless Files API): path rules and owners -----------------------------
FILE_WRITE = {"anonymous": D, "key": D, "owner": A, "other": D, "foreign": D, "app": A, "admin": A}
FILE_READ = {"anonymous": D, "key": A, "owner": A, "other": A, "foreign": D, "app": A, "admin": A}


@pytest.mark.parametrize("caller", CALLERS)
def test_file_overwrite(world: World, caller: str) -> None:
    body, ct = multipart("a.txt", f"by {caller}".encode())
    check(world, "backendless", caller, FILE_WRITE[caller], "POST", "files/shared/a.txt", raw=body, ctype=ct,
          params={"overwrite": "true"})


@pytest.mark.parametrize("caller", CALLERS)
def test_file_delete_is_refused_to_non_owners(world: World, caller: str) -> None:
    if not FILE_WRITE[caller]:
        check(world, "backendless", caller, D, "DELETE", "files/shared/a.txt")


@pytest.mark.parametrize("caller", CALLERS)
def test_file_read(world: World, caller: str) -> None:
    check(world, "backendless", caller, FILE_READ[caller], "GET", "files/shared/a.txt")


# -- attached files: the free-standing API never reaches them; their entity's rules apply ------------
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("prefix", ["bea-media", "assets", "parse-files", "_tasks"])
def test_file_api_never_reaches_attached_files(world: World, caller: str, prefix: str) -> None:
    target = f"files/{prefix}/notes/{world.note}/x.txt"
    body, ct = multipart("x.txt", b"evil")
    for method, kw in (("GET", {}), ("DELETE", {}), ("POST", {"raw": body, "ctype": ct})):
        check(world, "backendless", caller, D, method, target, **kw)


ATTACH = {"anonymous": D, "key": D, "owner": A, "other": D, "foreign": D, "app": A, "admin": A}


@pytest.mark.parametrize("caller", CALLERS)
def test_bea_media_follows_its_object(world: World, caller: str) -> None:
    check(world, "bea", caller, ATTACH[caller], "POST", "notes", raw=b"\x89PNG", ctype="image/png",
          params={"objectId": world.note, "name": f"{caller}.png"})


@pytest.mark.parametrize("caller", CALLERS)
def test_usergrid_asset_follows_its_entity(world: World, caller: str) -> None:
    check(world, "usergrid", caller, ATTACH[caller], "PUT", f"notes/{world.note}", raw=b"\x89PNG",
          ctype="image/png")


# -- cache, counters, messaging, cloud code: named permissions, on for the app's callers by default ---
SERVICE = {"anonymous": D, "key": A, "owner": A, "other": A, "foreign": D, "app": A, "admin": A}
SERVICE_CALLS = {
    "cache": ("PUT", "cache/k1", {"v": 1}),
    "counter": ("PUT", "counters/c1/increment/get", None),
    "messaging": ("POST", "messaging/news", {"message": "hi"}),
    "cloudcode": ("POST", "services/greeter/hello", {"name": "x"}),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("kind", list(SERVICE_CALLS))
def test_services_default(world: World, kind: str, caller: str) -> None:
    method, path, body = SERVICE_CALLS[kind]
    check(world, "backendless", caller, SERVICE[caller], method, path, body)


# -- email: no open relay ----------------------------------------------------------------------------
MAIL_STRANGER = {"anonymous": D, "key": D, "owner": D, "other": D, "foreign": D, "app": A, "admin": A}
MAIL = {"subject": "Hi", "bodyparts": {"textmessage": "yo"}}


@pytest.mark.parametrize("caller", CALLERS)
def test_email_to_strangers(world: World, caller: str) -> None:
    check(world, "backendless", caller, MAIL_STRANGER[caller], "POST", "messaging/email",
          {**MAIL, "to": ["victim@elsewhere.test"]})


@pytest.mark.parametrize("caller", CALLERS)
def test_email_to_the_apps_users(world: World, caller: str) -> None:
    check(world, "backendless", caller, SERVICE[caller], "POST", "messaging/email", {**MAIL, "to": ["bob@acme.test"]})


# -- async task results (Lightblue): only their creator and privileged callers -----------------------
TASK = {"anonymous": D, "key": D, "owner": A, "other": D, "foreign": D, "app": A, "admin": A}


@pytest.fixture(scope="module")
def handle(world: World) -> str:
    meta = copy.deepcopy(USER_META)
    r = world.call("lightblue", "app", "PUT", "metadata/customer/1.0.0", meta)
    assert r.status_code == 200, r.body
    r = world.call("lightblue", "owner", "POST", "data/find/customer", {"execution": {"async": True}})
    assert r.json["status"] == "ASYNC", r.body
    h = str(r.json["taskHandle"])
    deadline = time.monotonic() + 60
    while world.call("lightblue", "owner", "GET", f"data/task/{h}").json["status"] == "ASYNC":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return h


@pytest.mark.parametrize("caller", CALLERS)
def test_task_result(world: World, handle: str, caller: str) -> None:
    check(world, "lightblue", caller, TASK[caller], "GET", f"data/task/{handle}")


@pytest.mark.parametrize(("master", "expect"), [("right", A), ("wrong", D)])
def test_lightblue_master_key_is_the_apps_credential(world: World, notes_meta: None, master: str, expect: bool) -> None:
    """Lightblue's third privileged caller: `X-Master-Key` with `X-App-Id` (no token)."""
    key = world.master if master == "right" else "not-the-master-key"
    r = world.call("lightblue", "anonymous", "POST", "data/update/notes",
                   {"entity": "notes", "query": {"field": "_id", "op": "=", "rvalue": world.note},
                    "update": {"$set": {"seen": "master"}}}, headers={"X-Master-Key": key, "X-App-Id": world.creds["uuid"]})
    decide("lightblue", r, expect)


FREE_UPDATE_NO_KEY = {"anonymous": D, "key": D, "owner": D, "other": D, "foreign": D, "app": A, "admin": A}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("dialect", ["usergrid", "lightblue"])
def test_entity_without_owner_in_token_dialects(world: World, notes_meta: None, dialect: str, caller: str) -> None:
    """Where users come without the REST key (Usergrid, Lightblue), a user has his own rights only:
    an object made with the key alone is changed by privileged callers there, by users through a
    key dialect (above). Both token dialects agree."""
    decide(dialect, entity_call(world, dialect, caller, "PUT", world.free_note, {"seen": caller}),
           FREE_UPDATE_NO_KEY[caller])
