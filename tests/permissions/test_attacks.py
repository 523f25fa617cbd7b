"""Issue 11, part A, one test per hole, each written as the attack (they fail on the code before it)."""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from .conftest import World, multipart, refused


def _blob(world: World, path: str) -> bytes | None:
    from chalicelib.bootstrap import services

    got = services().files().blobs.get(f"{world.creds['uuid']}/{path}")
    return got[0] if got else None


# -- 1. files skip the rules -------------------------------------------------------------------------
def test_refused_media_upload_does_not_replace_the_victims_file(world: World) -> None:
    r = world.call("bea", "owner", "POST", "notes", raw=b"alice-png", ctype="image/png",
                   params={"objectId": world.note, "name": "pic.png"})
    assert r.status_code == 200, r.body
    for caller in ("other", "key"):
        r = world.call("bea", caller, "POST", "notes", raw=b"evil-png", ctype="image/png",
                       params={"objectId": world.note, "name": "pic.png"})
        assert r.status_code == 403, r.body
    assert _blob(world, f"bea-media/notes/{world.note}/pic.png") == b"alice-png"  # checked before writing


def test_key_alone_cannot_reach_attached_files(world: World) -> None:
    world.call("bea", "owner", "POST", "notes", raw=b"alice-png", ctype="image/png",
               params={"objectId": world.note, "name": "pic2.png"})
    path = f"files/bea-media/notes/{world.note}/pic2.png"
    assert world.call("backendless", "key", "GET", path).status_code == 403
    assert world.call("backendless", "key", "DELETE", path).status_code == 403
    assert world.call("backendless", "admin", "DELETE", path).status_code == 403  # not even the master key
    r = world.call("backendless", "key", "PUT", "files/copy", {"sourcePath": path[6:], "targetPath": "loot"})
    assert r.status_code == 403
    r = world.call("backendless", "key", "PUT", "files/move", {"sourcePath": "shared/a.txt",
                                                                "targetPath": f"bea-media/notes/{world.note}"})
    assert r.status_code == 403
    assert _blob(world, f"bea-media/notes/{world.note}/pic2.png") == b"alice-png"


def test_users_files_are_not_overwritten_moved_or_deleted_by_others(world: World) -> None:
    body, ct = multipart("b.txt", b"alice-b")
    assert world.call("backendless", "owner", "POST", "files/alice/dir/b.txt", raw=body, ctype=ct).status_code == 200
    evil, ct = multipart("b.txt", b"evil")
    for caller in ("key", "other"):
        r = world.call("backendless", caller, "POST", "files/alice/dir/b.txt", raw=evil, ctype=ct,
                       params={"overwrite": "true"})
        assert r.status_code == 403, r.body
        assert world.call("backendless", caller, "DELETE", "files/alice").status_code == 403  # a directory
        r = world.call("backendless", caller, "PUT", "files/move", {"sourcePath": "alice/dir/b.txt", "targetPath": "x"})
        assert r.status_code == 403
        r = world.call("backendless", caller, "PUT", "files/rename", {"oldPathName": "alice/dir", "newName": "y"})
        assert r.status_code == 403
    # a copy is the copier's own file; copying onto alice's file is an overwrite
    assert world.call("backendless", "other", "PUT", "files/copy",
                      {"sourcePath": "alice/dir/b.txt", "targetPath": "bob"}).status_code == 200
    assert world.call("backendless", "other", "DELETE", "files/bob/b.txt").status_code == 200
    mine, ct = multipart("b.txt", b"bob-b")
    assert world.call("backendless", "other", "POST", "files/bobdir/b.txt", raw=mine, ctype=ct).status_code == 200
    r = world.call("backendless", "other", "PUT", "files/copy", {"sourcePath": "bobdir/b.txt", "targetPath": "alice/dir"})
    assert r.status_code == 403, r.body  # would overwrite alice/dir/b.txt
    assert _blob(world, "alice/dir/b.txt") == b"alice-b"
    assert world.call("backendless", "owner", "DELETE", "files/alice").status_code == 200


def test_upload_url_carries_the_owner(world: World) -> None:
    r = world.call("backendless", "owner", "POST", "files/upload-url/alice-big/v.bin", {"contentType": "video/mp4"})
    assert r.status_code == 200, r.body
    import requests

    got = requests.put(r.json["uploadURL"], data=b"big", headers=r.json["headers"], timeout=10)
    assert got.status_code == 200, got.text
    from chalicelib.bootstrap import services

    head = services().files().blobs.head(f"{world.creds['uuid']}/alice-big/v.bin")
    assert head is not None and head["owner"] == r.json["headers"]["x-amz-meta-owner"]
    evil, ct = multipart("v.bin", b"evil")
    r = world.call("backendless", "other", "POST", "files/alice-big/v.bin", raw=evil, ctype=ct,
                   params={"overwrite": "true"})
    assert r.status_code == 403, r.body  # a file uploaded around the Lambda has its owner too
    assert world.call("backendless", "other", "POST", "files/upload-url/alice-big/v.bin",
                      {"contentType": "video/mp4"}).status_code == 403


# -- 2. the key alone is never more than a logged-in user ---------------------------------------------
def test_key_alone_cannot_change_a_users_objects(world: World) -> None:
    note = world.call("usergrid", "owner", "POST", "notes", {"body": "mine"}).json["entities"][0]["uuid"]
    assert world.call("bea", "key", "PUT", f"notes/{note}", {"body": "pwned"}).status_code == 403
    assert world.call("backendless", "key", "DELETE", f"data/notes/{note}").status_code == 403
    assert world.call("backendless", "other", "DELETE", f"data/notes/{note}").status_code == 403
    assert world.call("backendless", "owner", "DELETE", f"data/notes/{note}").status_code == 200


def test_key_alone_cannot_administer_roles_or_groups(world: World) -> None:
    assert world.call("backendless", "key", "POST", "data/roles", {"name": "evil"}).status_code == 403
    assert world.call("backendless", "key", "POST", "data/groups", {"path": "evil"}).status_code == 403
    assert world.call("bea", "key", "POST", "roles", {"name": "evil"}).status_code in (400, 403)  # reserved name


def test_api_key_role_and_guest_role_are_administrable(world: World) -> None:
    """The admin narrows what the REST key may do through Usergrid's /roles API; the key and any
    user on the key get the intersection."""
    base = "roles/apikey/permissions"
    got = world.call("usergrid", "admin", "GET", base)
    assert got.status_code == 200 and "get,post,put,delete:/_/**" in got.json["data"], got.body
    assert world.call("usergrid", "owner", "GET", base).status_code == 403
    assert world.call("usergrid", "owner", "POST", base, {"permission": "get:/**"}).status_code == 403
    r = world.call("usergrid", "admin", "DELETE", base, params={"permission": "get,post,put,delete:/_/**"})
    assert r.status_code == 200, r.body
    assert world.call("usergrid", "admin", "POST", base, {"permission": "get:/_/counters/**"}).status_code == 200
    try:
        assert world.call("backendless", "key", "GET", "counters/c9").status_code == 200
        assert world.call("backendless", "key", "PUT", "counters/c9/increment/get").status_code == 403
        assert world.call("backendless", "owner", "PUT", "counters/c9/increment/get").status_code == 403
        assert world.call("backendless", "admin", "PUT", "counters/c9/increment/get").status_code == 200
    finally:
        world.call("usergrid", "admin", "POST", base, {"permission": "get,post,put,delete:/_/**"})
    g = "roles/guest/permissions"
    r = world.call("usergrid", "admin", "DELETE", g, params={"permission": "get,put,delete:/_/cache/**"})
    assert r.status_code == 200, r.body
    try:
        assert world.call("backendless", "key", "PUT", "cache/g1", {"v": 1}).status_code == 403
        assert world.call("backendless", "owner", "PUT", "cache/g1", {"v": 1}).status_code == 200
    finally:
        world.call("usergrid", "admin", "POST", g, {"permission": "get,put,delete:/_/cache/**"})
    assert world.call("backendless", "key", "PUT", "cache/g1", {"v": 1}).status_code == 200


# -- 3. powerful operations ---------------------------------------------------------------------------
def test_the_key_is_no_open_relay(world: World) -> None:
    mail = {"subject": "Win", "bodyparts": {"textmessage": "click"}, "to": ["victim@elsewhere.test"]}
    assert world.call("backendless", "key", "POST", "messaging/email", mail).status_code == 403
    r = world.call("bea", "key", "POST", "_emails", {"subject": "Win", "body": "click"})
    if r.status_code == 201:
        r = world.call("bea", "key", "POST", "_emails/send", {"emailId": r.json["objectId"],
                                                             "to": "victim@elsewhere.test"})
        assert r.status_code == 403, r.body


def test_the_open_sandbox_is_no_open_relay_either(world: World) -> None:
    import json

    r = world.c.http.get("/usergrid/management/orgs/acme/apps/sandbox/credentials",
                         headers={"Authorization": f"Bearer {world.admin}"})
    creds = json.loads(r.body)
    mail = {"subject": "Win", "bodyparts": {"textmessage": "click"}, "to": ["victim@elsewhere.test"]}
    r = world.c.http.post(f"/backendless/{creds['uuid']}/{creds['rest_api_key']}/messaging/email",
                          headers={"Content-Type": "application/json"}, body=json.dumps(mail))
    assert r.status_code == 403, r.body


def test_email_quota_and_recipient_cap() -> None:
    from chalicelib.core.errors import Forbidden, InvalidInput, TooManyRequests
    from chalicelib.core.messaging import MailLimits, send_app_email

    class Counts:
        def __init__(self) -> None:
            self.v: dict[tuple[str, str], int] = {}

        def add(self, app: str, name: str, delta: int) -> int:
            self.v[(app, name)] = self.v.get((app, name), 0) + delta
            return self.v[(app, name)]

    class Mail:
        sent: list[Any] = []

        def send_email(self, to: Any, subject: Any, text: Any, html: Any) -> str:
            self.sent.append(to)
            return "m"

    counts, mail, limits = Counts(), Mail(), MailLimits(daily_quota=3, max_recipients=2)
    kw: dict[str, Any] = {"privileged": False, "is_member": lambda a: a.endswith("@app.test"), "subject": "s",
                          "text": "t"}
    send_app_email(mail, counts, "A", limits, to=["a@app.test", "b@app.test"], **kw)  # type: ignore[arg-type]
    try:
        send_app_email(mail, counts, "A", limits, to=["x@else.test"], **kw)  # type: ignore[arg-type]
        raise AssertionError("sent to a stranger")
    except Forbidden:
        pass
    try:
        send_app_email(mail, counts, "A", limits, to=["a@app.test"] * 3, **kw)  # type: ignore[arg-type]
        raise AssertionError("more recipients than the cap")
    except InvalidInput:
        pass
    send_app_email(mail, counts, "A", limits, to=["c@app.test"], **kw)  # type: ignore[arg-type]
    try:
        send_app_email(mail, counts, "A", limits, to=["c@app.test"], **kw)  # type: ignore[arg-type]
        raise AssertionError("quota not enforced")
    except TooManyRequests:
        pass
    assert len(mail.sent) == 2 and sum(counts.v.values()) == 3


def test_task_results_belong_to_their_creator(world: World) -> None:
    """Covered per caller by test_matrix.test_task_result; here the unknown-handle answer is the same."""
    r = world.call("lightblue", "other", "GET", "data/task/01a20000-0000-7000-8000-000000000000")
    assert r.status_code == 404 and r.json["errors"][0]["errorCode"] == "rest-crud:UnknownTask"


# -- 4. the master key, in every dialect ---------------------------------------------------------------
def test_master_key_in_every_dialect(world: World) -> None:
    m = {"X-Master-Key": world.master}
    r = world.call("usergrid", "anonymous", "GET", "users", headers=m)
    assert r.status_code == 200 and len(r.json["entities"]) == 2, r.body
    r = world.call("lightblue", "anonymous", "GET", "metadata", headers={**m, "X-App-Id": world.creds["uuid"]})
    assert r.status_code == 200, r.body
    assert world.call("bea", "admin", "GET", "users").status_code == 200
    assert world.call("backendless", "admin", "GET", "data/Users").status_code == 200
    bad = {"X-Master-Key": "nope"}
    assert world.call("usergrid", "anonymous", "GET", "users", headers=bad).status_code == 403
    assert world.call("bea", "key", "GET", "users", headers={"X-BEA-Master-Key": "nope"}).status_code == 403
    assert world.call("backendless", "key", "GET", "data/Users", headers={"master-key": "nope"}).status_code == 403
    other_master = {"X-Master-Key": world.other_creds["master_key"]}  # another app's master key
    assert world.call("usergrid", "anonymous", "GET", "users", headers=other_master).status_code == 403


# -- 5. no oracles ---------------------------------------------------------------------------------------
def test_cost_header_only_for_privileged_callers(world: World) -> None:
    for dialect, path in (("usergrid", "notes"), ("bea", "notes"), ("backendless", "data/notes"),
                          ("parse", "classes/notes")):
        for caller in ("key", "owner", "other"):
            r = world.call(dialect, caller, "GET", path)
            if r is not None:
                assert r.status_code == 200 and "X-Request-Cost" not in r.headers, (dialect, caller)
        r = world.call(dialect, "admin", "GET", path)
        assert "calls=" in r.headers["X-Request-Cost"], dialect
    r = world.call("lightblue", "owner", "POST", "data/find/customer", {})
    assert "X-Request-Cost" not in r.headers


# -- 6. served content ------------------------------------------------------------------------------------
def test_nosniff_on_every_response(world: World) -> None:
    for dialect, path in (("usergrid", "notes"), ("bea", "notes"), ("backendless", "data/notes"),
                          ("lightblue", "metadata"), ("bea", "a/b/c/d")):
        for caller in ("anonymous", "owner"):
            r = world.call(dialect, caller, "GET", path)
            assert r.headers.get("X-Content-Type-Options") == "nosniff", (dialect, caller, r.status_code)
    assert world.c.http.get("/status").headers.get("X-Content-Type-Options") == "nosniff"


def test_active_uploads_are_sandboxed_attachments(world: World) -> None:
    html = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(document.cookie)'/>"
    r = world.call("usergrid", "owner", "PUT", f"notes/{world.note}", raw=html, ctype="image/svg+xml")
    assert r.status_code == 200, r.body
    r = world.call("usergrid", "owner", "GET", f"notes/{world.note}", headers={"Accept": "image/svg+xml"})
    assert r.status_code == 200 and r.body == html
    assert r.headers["Content-Disposition"] == "attachment"
    assert r.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    body, ct = multipart("x.svg", b"<svg onload='alert(1)'/>", "image/svg+xml")
    assert world.call("backendless", "owner", "POST", "files/pub/x.svg", raw=body, ctype=ct).status_code == 200
    r = world.call("backendless", "owner", "GET", "files/pub/x.svg")
    assert r.status_code == 302
    q = parse_qs(urlparse(r.headers["Location"]).query)
    assert q["response-content-disposition"] == ["attachment"]
    assert q["response-content-type"] == ["application/octet-stream"]
    r = world.call("bea", "owner", "POST", "notes", raw=b"<html/>", ctype="text/html",
                   params={"objectId": world.note, "name": "page.html"})
    assert r.status_code == 200, r.body
    url = next(m["url"] for m in r.json["media"] if m["name"] == "page.html")
    assert parse_qs(urlparse(url).query)["response-content-disposition"] == ["attachment"]
    png = next(m["url"] for m in r.json["media"] if m["name"] == "pic.png") if any(
        m["name"] == "pic.png" for m in r.json["media"]) else None
    if png:
        assert "response-content-disposition" not in png  # passive types are served as they are


# -- 7. URLs the server builds ------------------------------------------------------------------------------
def test_urls_ignore_client_host_headers(world: World) -> None:
    evil = {"Host": "evil.test", "X-Forwarded-Proto": "javascript:alert(1)//"}
    body, ct = multipart("h.txt", b"x")
    r = world.call("backendless", "owner", "POST", "files/pub/h.txt", raw=body, ctype=ct, headers=evil)
    assert r.status_code == 200 and "evil" not in r.json["fileURL"] and not r.json["fileURL"].startswith("javascript")
    r = world.call("bea", "key", "POST", "notes", {"body": "x"}, headers=evil)
    assert r.status_code == 201 and "evil" not in r.headers["Location"], r.headers
    assert r.headers["Location"].startswith(("http://", "https://"))
    r = world.call("usergrid", "owner", "GET", "notes", headers=evil)
    assert "evil" not in r.json["uri"] and r.json["uri"].startswith(("http://", "https://"))


# -- 2. two creators of one new path: the first write wins, the other is refused ----------------------
def _user_uuid(world: World, name: str) -> str:
    r = world.c.http.get(f"/usergrid/acme/prod/users/{name}", headers={"Authorization": f"Bearer {world.admin}"})
    return str(json.loads(r.body)["entities"][0]["uuid"])


def _both_see_no_file(monkeypatch: Any, key_suffix: str, parties: int) -> None:
    """The race, made certain: each creator's first HEAD of the path answers before anyone writes
    (a barrier when the creators run in threads, else the first `parties` HEADs see no file)."""
    from chalicelib.storage.blobs import S3BlobStore

    real, seen, lock = S3BlobStore.head, [0], threading.Lock()
    barrier = threading.Barrier(parties) if parties > 1 else None

    def head(self: Any, key: str) -> dict[str, str] | None:
        if key.endswith(key_suffix):
            with lock:
                seen[0] += 1
                first = seen[0] <= 2
            if first and barrier is None:
                return None
            if first:
                got = real(self, key)
                barrier.wait(timeout=10)
                return got
        return real(self, key)

    monkeypatch.setattr(S3BlobStore, "head", head)


@pytest.mark.parametrize("overwrite", [False, True])
def test_concurrent_creators_of_one_path(world: World, monkeypatch: Any, overwrite: bool) -> None:
    """Both requests saw no file; alice's write lands first. Bob's would have replaced it (last
    writer won): it is refused in Backendless' format, as when he comes later (a file exists: 6003
    without overwrite; alice's file: 403 with it), and alice's file and ownership are intact."""
    path = f"race/{overwrite}.txt"
    _both_see_no_file(monkeypatch, path, 1)
    params = {"overwrite": "true"} if overwrite else None
    body, ct = multipart("r.txt", b"alice first")
    assert world.call("backendless", "owner", "POST", f"files/{path}", raw=body, ctype=ct,
                      params=params).status_code == 200
    body, ct = multipart("r.txt", b"bob second")
    r = world.call("backendless", "other", "POST", f"files/{path}", raw=body, ctype=ct, params=params)
    refused("backendless", r)
    assert (r.status_code, r.json["code"]) == ((403, 4000) if overwrite else (400, 6003)), r.body
    assert _blob(world, path) == b"alice first"
    from chalicelib.bootstrap import services

    head = services().files().blobs.head(f"{world.creds['uuid']}/{path}")
    assert head["owner"] == _user_uuid(world, "alice")


def test_concurrent_creators_in_threads(world: World, monkeypatch: Any) -> None:
    """The same race with two real threads through the core: exactly one creator owns the file."""
    from chalicelib.bootstrap import services
    from chalicelib.core.auth import Principal
    from chalicelib.core.errors import CoreError

    path = "race/threads.txt"
    _both_see_no_file(monkeypatch, path, 2)
    app = services().tenancy.app("acme", "prod")
    users = {n: _user_uuid(world, n) for n in ("alice", "bob")}
    outcome: dict[str, str] = {}

    def create(name: str) -> None:
        p = Principal("user", users[name], app.uuid, via_key=True)
        try:
            services().app_files(app, p).upload(path, name.encode(), "text/plain", overwrite=True)
            outcome[name] = "written"
        except CoreError as e:
            outcome[name] = type(e).__name__

    threads = [threading.Thread(target=create, args=(n,)) for n in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcome.values()) == ["Forbidden", "written"], outcome
    winner = next(n for n, o in outcome.items() if o == "written")
    assert _blob(world, path) == winner.encode()
    assert services().files().blobs.head(f"{world.creds['uuid']}/{path}")["owner"] == users[winner]


def test_concurrent_creators_around_the_lambda(world: World) -> None:
    """Two upload URLs for one new path (both asked before either uploaded): the URL signs
    `If-None-Match: *`, so S3 keeps the first upload and refuses the second (412)."""
    import requests

    urls = {c: world.call("backendless", c, "POST", "files/upload-url/race/big.bin", {"contentType": "video/mp4"})
            for c in ("owner", "other")}
    assert all(r.status_code == 200 and r.json["headers"]["If-None-Match"] == "*" for r in urls.values())
    first = requests.put(urls["owner"].json["uploadURL"], data=b"alice", headers=urls["owner"].json["headers"],
                         timeout=10)
    assert first.status_code == 200, first.text
    second = requests.put(urls["other"].json["uploadURL"], data=b"bob", headers=urls["other"].json["headers"],
                          timeout=10)
    assert second.status_code == 412, second.text
    assert _blob(world, "race/big.bin") == b"alice"
    from chalicelib.bootstrap import services

    head = services().files().blobs.head(f"{world.creds['uuid']}/race/big.bin")
    assert head["owner"] == _user_uuid(world, "alice")


def test_concurrent_copiers_onto_one_new_path(world: World, monkeypatch: Any) -> None:
    """Alice and bob copy their own `x.txt` into `shared/`, both having seen no file there; alice's
    copy lands first. Bob's is a conditional copy (`If-None-Match: *`): refused (409), not the last
    writer winning; alice's file and ownership are intact."""
    for caller, data in (("owner", b"alice x"), ("other", b"bob x")):
        body, ct = multipart("x.txt", data)
        folder = "alicesrc" if caller == "owner" else "bobsrc"
        assert world.call("backendless", caller, "POST", f"files/{folder}/x.txt", raw=body, ctype=ct).status_code == 200
    _both_see_no_file(monkeypatch, "shared/x.txt", 1)
    r = world.call("backendless", "owner", "PUT", "files/copy", {"sourcePath": "alicesrc/x.txt", "targetPath": "shared"})
    assert r.status_code == 200, r.body
    r = world.call("backendless", "other", "PUT", "files/move", {"sourcePath": "bobsrc/x.txt", "targetPath": "shared"})
    assert (r.status_code, r.json["code"]) == (409, 1009), r.body
    assert _blob(world, "shared/x.txt") == b"alice x"
    assert _blob(world, "bobsrc/x.txt") == b"bob x"  # a refused move keeps its source
    from chalicelib.bootstrap import services

    assert services().files().blobs.head(f"{world.creds['uuid']}/shared/x.txt")["owner"] == _user_uuid(world, "alice")


def test_overwrite_does_not_replace_a_file_recreated_meanwhile(world: World, monkeypatch: Any) -> None:
    """Bob checks `open/f.txt` (no owner: anyone may overwrite it); before he writes, alice deletes
    it and creates her own there. Bob's overwrite is conditioned on the version he checked
    (`If-Match`), so it is refused (409) instead of replacing alice's file."""
    from chalicelib.bootstrap import services
    from chalicelib.storage.blobs import S3BlobStore

    body, ct = multipart("f.txt", b"from the key")
    assert world.call("backendless", "key", "POST", "files/open/f.txt", raw=body, ctype=ct).status_code == 200
    key = f"{world.creds['uuid']}/open/f.txt"
    stale = services().files().blobs.head(key)
    assert stale is not None and stale["owner"] == "" and stale["etag"]
    assert world.call("backendless", "owner", "DELETE", "files/open/f.txt").status_code == 200
    body, ct = multipart("f.txt", b"alice's own")
    assert world.call("backendless", "owner", "POST", "files/open/f.txt", raw=body, ctype=ct).status_code == 200
    real, calls = S3BlobStore.head, [0]

    def head(self: Any, k: str) -> dict[str, str] | None:
        if k == key and calls[0] == 0:  # bob's check happened before alice's delete-and-recreate
            calls[0] += 1
            return stale
        return real(self, k)

    monkeypatch.setattr(S3BlobStore, "head", head)
    body, ct = multipart("f.txt", b"bob's")
    r = world.call("backendless", "other", "POST", "files/open/f.txt", raw=body, ctype=ct, params={"overwrite": "true"})
    assert (r.status_code, r.json["code"]) == (409, 1009), r.body
    assert _blob(world, "open/f.txt") == b"alice's own"


def test_upload_url_overwrite_replaces_only_the_version_checked(world: World) -> None:
    """An upload URL for an existing file signs `If-Match: <its ETag>`: if the file is replaced
    before the upload, S3 refuses the stale upload (412) instead of overwriting the newer file."""
    import requests

    body, ct = multipart("v.txt", b"v1")
    assert world.call("backendless", "owner", "POST", "files/ver/v.txt", raw=body, ctype=ct).status_code == 200
    r = world.call("backendless", "owner", "POST", "files/upload-url/ver/v.txt", {"contentType": "text/plain"})
    assert r.status_code == 200 and r.json["headers"]["If-Match"], r.body
    body, ct = multipart("v.txt", b"v2, written meanwhile")
    assert world.call("backendless", "owner", "POST", "files/ver/v.txt", raw=body, ctype=ct,
                      params={"overwrite": "true"}).status_code == 200
    late = requests.put(r.json["uploadURL"], data=b"stale", headers=r.json["headers"], timeout=10)
    assert late.status_code == 412, late.text
    assert _blob(world, "ver/v.txt") == b"v2, written meanwhile"
    fresh = world.call("backendless", "owner", "POST", "files/upload-url/ver/v.txt", {"contentType": "text/plain"})
    ok = requests.put(fresh.json["uploadURL"], data=b"v3", headers=fresh.json["headers"], timeout=10)
    assert ok.status_code == 200, ok.text
    assert _blob(world, "ver/v.txt") == b"v3"
