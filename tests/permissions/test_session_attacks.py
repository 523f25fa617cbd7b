"""Attacks on the features of the sharding / relations / connections / counts session: one test per
attack, each written as the attack (a hole found fails on the code before its fix)."""

from __future__ import annotations

from typing import Any

from .conftest import World, refused


def _mgmt(world: World, method: str, path: str, token: str | None, body: Any = None) -> Any:
    import json

    h = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    r = getattr(world.c.http, method.lower())(f"/usergrid/management/orgs/acme/apps/{path}", headers=h,
                                              body=json.dumps(body) if body is not None else None)
    r.json = json.loads(r.body) if r.body and r.body[:1] == b"{" else None
    return r


# -- 5/6. counts: a Parse CLP that denies `count` ------------------------------------------------------
def test_count_obeys_the_clp_count_permission(world: World) -> None:
    assert world.call("parse", "key", "POST", "classes/Tally", {"n": 1}).status_code == 201
    r = world.call("parse", "app", "PUT", "schemas/Tally", {"classLevelPermissions": {
        "find": {"*": True}, "get": {"*": True}, "count": {}, "create": {"*": True}, "update": {"*": True},
        "delete": {"*": True}, "addField": {"*": True}}})
    assert r.status_code == 200, r.body
    for caller in ("key", "owner"):
        r = world.call("parse", caller, "GET", "classes/Tally", params={"count": "1", "limit": "0"})
        assert r.status_code in (400, 403) and r.json["code"] == 119, (caller, r.body)
        r = world.call("bea", caller, "GET", "classes/Tally", params={"count": "1", "limit": "0"})
        refused("bea", r)
        for params in ({}, {"where": "n = 1"}):
            refused("backendless", world.call("backendless", caller, "GET", "data/Tally/count", params=params))
        for params in ({"property": "Count(objectId)"}, {"property": "Count(n)", "where": "n > 0"}):
            refused("backendless", world.call("backendless", caller, "GET", "data/Tally", params=params))
    r = world.call("parse", "app", "GET", "classes/Tally", params={"count": "1", "limit": "0"})
    assert r.status_code == 200 and r.json["count"] == 1, r.body  # the master key is never refused
    r = world.call("parse", "key", "GET", "classes/Tally")
    assert r.status_code == 200 and len(r.json["results"]) == 1, r.body  # find without count is allowed


# -- 3. relations: a cycle walked by a long loadRelations path ---------------------------------------
def test_load_relations_path_is_bounded_like_relations_depth(world: World) -> None:
    r = world.call("backendless", "key", "POST", "data/Loop", {"n": 1})
    assert r.status_code == 200, r.body
    oid = r.json["objectId"]
    r = world.call("backendless", "key", "PUT", f"data/Loop/{oid}/next:Loop:1", [oid])  # the object points to itself
    assert r.status_code == 200, r.body
    r = world.call("backendless", "key", "GET", f"data/Loop/{oid}", params={"loadRelations": "next.next"})
    assert r.status_code == 200 and r.json["next"]["next"]["objectId"] == oid, r.body
    deep = ".".join(["next"] * 60)  # each level is two sequential round trips
    assert world.call("backendless", "key", "GET", f"data/Loop/{oid}",
                      params={"loadRelations": ".".join(["next"] * 5)}).status_code == 200  # MAX_DEPTH
    r = world.call("backendless", "key", "GET", f"data/Loop/{oid}", params={"loadRelations": deep})
    assert r.status_code == 400, (r.status_code, r.headers.get("x-baas-cost"), r.body[:200])
    r = world.call("backendless", "key", "GET", "data/Loop", params={"loadRelations": deep})
    assert r.status_code == 400, r.body[:200]
    r = world.call("backendless", "key", "GET", f"data/Loop/{oid}", params={"loadRelations": "n." * 2000 + "n"})
    assert r.status_code == 400, r.body[:200]  # deeper than the interpreter's recursion limit


def test_parse_include_path_through_a_cycle_is_bounded(world: World) -> None:
    r = world.call("parse", "key", "POST", "classes/Ring", {"n": 1})
    assert r.status_code == 201, r.body
    oid = r.json["objectId"]
    ptr = {"__type": "Pointer", "className": "Ring", "objectId": oid}
    assert world.call("parse", "key", "PUT", f"classes/Ring/{oid}", {"next": ptr}).status_code == 200
    r = world.call("parse", "key", "GET", f"classes/Ring/{oid}", params={"include": "next.next"})
    assert r.status_code == 200 and r.json["next"]["next"]["objectId"] == oid, r.body
    for depth in (2000, 60):
        path = ".".join(["next"] * depth)
        for where in (f"classes/Ring/{oid}", "classes/Ring"):
            r = world.call("parse", "key", "GET", where, params={"include": path})
            assert r.status_code == 400 and r.json["code"] == 102, (depth, r.status_code, r.body[:200])


# -- 1/2. management routes: shards, migrate, spellings --------------------------------------------------
def _evil_admin(world: World) -> str:
    """The admin of another organization (made on first use)."""
    import json

    if "evil" not in world.tokens:
        h = {"Content-Type": "application/json"}
        r = world.c.http.post("/usergrid/management/organizations", headers=h, body=json.dumps({
            "organization": "evilcorp", "username": "eve", "name": "Eve", "email": "eve@evil.test",
            "password": "s3cret!"}))
        assert r.status_code == 200, r.body
        r = world.c.http.post("/usergrid/management/token", headers=h, body=json.dumps({
            "grant_type": "password", "username": "eve", "password": "s3cret!"}))
        world.tokens["evil"] = json.loads(r.body)["access_token"]
    return world.tokens["evil"]


def _other_app_token(world: World) -> str:
    import json

    r = world.c.http.post("/usergrid/acme/other/token", headers={"Content-Type": "application/json"},
                          body=json.dumps({"grant_type": "client_credentials", **world.other_creds["credentials"]}))
    assert r.status_code == 200, r.body
    return str(json.loads(r.body)["access_token"])


def test_management_of_layouts_and_spellings_needs_this_orgs_admin(world: World) -> None:
    strangers = {"evil admin": _evil_admin(world), "other app": _other_app_token(world),
                 "user": world.tokens["alice"], "anonymous": None}
    for who, tok in strangers.items():
        for method, path, body in (("GET", "prod/collections/notes/shards", None),
                                   ("PUT", "prod/collections/notes/shards", {"shards": 4}),
                                   ("POST", "prod/collections/notes/shards/migrate", {}),
                                   ("POST", "prod/spellings", {}), ("POST", "prod/collections/notes/spellings", {}),
                                   ("PUT", "nosuchapp/collections/notes/shards", {"shards": 4}),
                                   ("POST", "nosuchapp/spellings", {})):
            r = _mgmt(world, method, path, tok, body)
            assert r.status_code in (401, 403), (who, method, path, r.status_code, r.body)
            assert "error" in r.json and "nosuchapp" not in r.body.decode(), (who, path, r.body)
    r = _mgmt(world, "GET", "prod/collections/notes/shards", world.admin)
    assert r.status_code == 200 and r.json["shards"] == 1, r.body  # nothing above changed the layout
    r = _mgmt(world, "POST", "prod/collections/notes/spellings", world.app_token, {})
    assert r.status_code == 200, r.body  # the app's own credentials may


def test_management_hostile_input_is_a_clear_400(world: World) -> None:
    body: Any
    for body in ({"shards": True}, {"shards": 1e3}, {"shards": "4"}, {"shards": 10**30}, {"shards": 0},
                 {"shards": None}, [], "x", {}):
        r = _mgmt(world, "PUT", "prod/collections/notes/shards", world.admin, body)
        assert r.status_code == 400 and "error" in r.json, (body, r.status_code, r.body)
    sp = _mgmt(world, "POST", "prod/spellings", world.admin, {"limit": 1})
    for path in ("prod/collections/notes/shards/migrate", "prod/spellings", "prod/collections/notes/spellings"):
        for body in ({"limit": True}, {"limit": -1}, {"limit": 10**9}, {"limit": "x"}, {"cursor": 5},
                     {"cursor": "a.b"}, {"cursor": "x" * 100_000}, {"cursor": ["x"]}):
            r = _mgmt(world, "POST", path, world.admin, body)
            assert r.status_code == 400 and "error" in r.json, (path, body, r.status_code, r.body)
    if sp.json.get("cursor"):  # a signed cursor of another walk
        r = _mgmt(world, "POST", "prod/collections/notes/shards/migrate", world.admin, {"cursor": sp.json["cursor"]})
        assert r.status_code in (400, 409), r.body
    for coll in ("a" * 5000, "..", "%2e%2e", "no such", "notes%00"):
        r = _mgmt(world, "PUT", f"prod/collections/{coll}/shards", world.admin, {"shards": 2})
        assert r.status_code in (200, 400, 404), (coll[:20], r.status_code, r.body[:200])


# -- 4. Usergrid connections: every verb listed, a target the caller may not read -----------------------
def _me(world: World, user: str) -> str:
    r = world.call("usergrid", {"alice": "owner", "bob": "other"}[user], "GET", "users/me")
    assert r.status_code == 200, r.body
    return str(r.json["entities"][0]["uuid"])


def test_connection_listings_leave_out_targets_the_caller_may_not_read(world: World) -> None:
    alice = _me(world, "alice")
    r = world.call("parse", "owner", "POST", "classes/Diary", {"text": "private", "ACL": {
        alice: {"read": True, "write": True}}})
    assert r.status_code == 201, r.body
    secret = r.json["objectId"]
    r = world.call("parse", "owner", "POST", "classes/Diary", {"text": "public"})
    public = r.json["objectId"]
    for verb, target in (("keeps", secret), ("shows", public), ("keeps", public)):
        r = world.call("usergrid", "owner", "POST", f"notes/{world.note}/{verb}/{target}")
        assert r.status_code == 200, r.body
    for path in ("connections", "connections?limit=1", "keeps", "connections?ql=select * where text = 'private'"):
        r = world.call("usergrid", "owner", "GET", f"notes/{world.note}/{path}")
        assert r.status_code == 200, r.body
        seen = [e["uuid"] for e in r.json["entities"]]
        r = world.call("usergrid", "other", "GET", f"notes/{world.note}/{path}")
        assert r.status_code == 200, r.body
        got = [e["uuid"] for e in r.json["entities"]]
        assert secret not in got and set(got) <= set(seen), (path, got)
        cursor = r.json.get("cursor")
        while cursor:  # the pages after the first leave it out too
            r = world.call("usergrid", "other", "GET", f"notes/{world.note}/{path.split('?')[0]}",
                           params={"cursor": cursor, "limit": "1"})
            assert r.status_code == 200, r.body
            assert secret not in [e["uuid"] for e in r.json["entities"]], path
            cursor = r.json.get("cursor")
    r = world.call("usergrid", "other", "GET", f"diaries/{secret}/connecting")
    refused("usergrid", r)
    for path in ("connections", "connecting", "keeps"):  # a user of another app
        refused("usergrid", world.call("usergrid", "foreign", "GET", f"notes/{world.note}/{path}"))
    r = world.call("usergrid", "other", "GET", f"notes/{world.note}/keeps/{secret}")
    refused("usergrid", r)


# -- 3. Backendless relations: strangers, hostile names and numbers -------------------------------------
def test_relations_of_another_users_object(world: World) -> None:
    r = world.call("backendless", "owner", "POST", "data/Shelf", {"label": "alice's"})
    assert r.status_code == 200, r.body
    shelf = r.json["objectId"]
    r = world.call("backendless", "owner", "POST", "data/Book", {"t": "mine"})
    book = r.json["objectId"]
    assert world.call("backendless", "owner", "PUT", f"data/Shelf/{shelf}/books:Book:n", [book]).status_code == 200
    r = world.call("backendless", "other", "POST", "data/Book", {"t": "bob's"})
    bobs = r.json["objectId"]
    for method in ("POST", "PUT", "DELETE"):  # bob may read the shelf but not change alice's object
        r = world.call("backendless", "other", method, f"data/Shelf/{shelf}/books", [bobs])
        refused("backendless", r)
        r = world.call("backendless", "foreign", method, f"data/Shelf/{shelf}/books", [bobs])
        refused("backendless", r)
    r = world.call("backendless", "owner", "GET", f"data/Shelf/{shelf}/books")
    assert [b["objectId"] for b in r.json] == [book], r.body
    r = world.call("backendless", "foreign", "GET", f"data/Shelf/{shelf}/books")  # a user of another app
    refused("backendless", r)


def test_relation_hostile_input_is_a_clear_400(world: World) -> None:
    r = world.call("backendless", "key", "POST", "data/Crate", {"n": 1})
    crate = r.json["objectId"]
    body: Any
    for spec in ("x:../../etc:n", "x:Crate:2", "x::n", "a.b:Crate:n", "__proto__:Crate:n", "objectId:Crate:1",
                 "ACL:Crate:n", "x" * 300 + ":Crate:n", "x:" + "T" * 300 + ":n", "x:Crate:n:extra", "x%00:Crate:n"):
        for body in ([crate], None):
            r = world.call("backendless", "key", "PUT", f"data/Crate/{crate}/{spec}", body)
            assert r.status_code in (400, 404), (spec, body, r.status_code, r.body[:200])
    assert world.call("backendless", "key", "PUT", f"data/Crate/{crate}/kids:Crate:n", [crate]).status_code == 200
    for body in ({"objectId": crate}, [[crate]], [{"objectId": 5}], [None], [crate] * 10_000, "x"):
        r = world.call("backendless", "key", "PUT", f"data/Crate/{crate}/kids", body)
        assert r.status_code == 400, (str(body)[:50], r.status_code, r.body[:200])
    for params in ({"relationsDepth": "-1"}, {"relationsDepth": "6"}, {"relationsDepth": "x"},
                   {"relationsDepth": str(10**30)}, {"relationsPageSize": "0"}, {"relationsPageSize": "101"},
                   {"relationsPageSize": "1e3"}, {"loadRelations": "kids..kids"}, {"loadRelations": "nosuch"},
                   {"loadRelations": "kids.nosuch"}, {"loadRelations": "*." * 10 + "*"}):
        for path in (f"data/Crate/{crate}", "data/Crate", f"data/Crate/{crate}/kids"):
            r = world.call("backendless", "key", "GET", path, params=params)
            assert r.status_code == 400, (path, params, r.status_code, r.body[:200])


# -- 8. imported password hashes: a login's cost is bounded by the hash it checks --------------------------
COSTLY = ("$2b$31$" + "a" * 53,  # bcrypt at cost 31: 2^31 key schedules, days per login attempt
          "scrypt$131072$1$131072$" + "A" * 22 + "$" + "A" * 43)  # 2^34 BlockMix rounds within scrypt's memory cap


def test_a_costly_hash_is_refused_not_run(monkeypatch: Any) -> None:
    import hashlib

    from chalicelib.core import secrets

    def never(password: bytes, stored: bytes) -> bool:
        raise AssertionError("a hash this costly must not be checked")

    monkeypatch.setitem(secrets._foreign, "$2b$", never)
    real = hashlib.scrypt

    def scrypt(password: bytes, *, salt: bytes, n: int, r: int, p: int, dklen: int = 64, maxmem: int = 0) -> bytes:
        assert n * r * p <= 2**22, (n, r, p)
        return bytes(real(password, salt=salt, n=n, r=r, p=p, dklen=dklen))

    monkeypatch.setattr(hashlib, "scrypt", scrypt)
    for stored in COSTLY:
        assert not secrets.supported_hash(stored)
        assert secrets.verify_password("pw", stored) is False
    assert secrets.supported_hash("$2b$10$" + "a" * 53)  # Parse Server's own cost stays welcome
    assert secrets.verify_password("pw", secrets.hash_password("pw"))


def test_import_skips_a_costly_hash(world: World) -> None:
    import uuid as uuidlib

    ents = [{"uuid": str(uuidlib.uuid4()), "entity": {"username": f"slow{i}"}, "password": h}
            for i, h in enumerate(COSTLY)]
    r = _mgmt(world, "POST", "other/import", world.admin, {"collection": "users", "entities": ents})
    assert r.status_code == 200 and r.json["imported"] == 0, r.body
    assert all("unsupported password hash" in s["reason"] for s in r.json["skipped"]), r.body


# -- 6. an empty ACL (master only) stays closed through export and import ----------------------------------
def test_an_empty_acl_survives_export_and_import(world: World) -> None:
    import uuid as uuidlib

    r = world.call("parse", "app", "POST", "classes/Vault", {"gold": 1, "ACL": {}})
    assert r.status_code == 201, r.body
    oid = r.json["objectId"]
    assert world.call("parse", "key", "GET", f"classes/Vault/{oid}").status_code == 404
    r = world.call("parse", "key", "GET", "classes/Vault", params={"count": "1", "limit": "0"})
    assert r.status_code == 200 and r.json["count"] == 0, r.body
    uid = str(uuidlib.uuid4())
    r = _mgmt(world, "POST", "prod/import", world.admin, {"collection": "vaults", "entities": [
        {"uuid": uid, "entity": {"gold": 2}, "acl": {}}]})
    assert r.status_code == 200 and r.json["imported"] == 1, r.body
    r = world.call("parse", "key", "GET", f"classes/Vault/{uid}")
    assert r.status_code == 404, r.body
    r = world.call("parse", "key", "GET", "classes/Vault", params={"count": "1", "limit": "0"})
    assert r.status_code == 200 and r.json["count"] == 0, r.body


# -- 7. files: a conditional copy covers every file it copies -------------------------------------------
def _blob(world: World, path: str) -> bytes | None:
    from chalicelib.bootstrap import services

    got = services().files().blobs.get(f"{world.creds['uuid']}/{path}")
    return got[0] if got else None


def test_a_file_added_to_the_source_meanwhile_does_not_overwrite_anothers_file(world: World, monkeypatch: Any) -> None:
    """Bob copies his directory `dir` into `vic/`; between his check (his `dir` held `other.txt`) and
    the copy, `dir/x.txt` appears in it (his own upload, racing). `vic/dir/x.txt` is alice's: the
    copy of a file nobody checked must not land on it."""
    from chalicelib.storage.blobs import S3BlobStore

    from .conftest import multipart

    for caller, path, data in (("owner", "vic/dir/x.txt", b"alice's"), ("other", "bobsrc/dir/other.txt", b"o"),
                               ("other", "bobsrc/dir/x.txt", b"bob's")):
        body, ct = multipart(path.rsplit("/", 1)[1], data)
        assert world.call("backendless", caller, "POST", f"files/{path}", raw=body, ctype=ct).status_code == 200
    real, calls = S3BlobStore.list, [0]
    prefix = f"{world.creds['uuid']}/bobsrc/dir/"

    def listing(self: Any, p: str, recursive: bool, limit: int) -> list[Any]:
        got = list(real(self, p, recursive, limit))
        if p == prefix and calls[0] == 0:  # bob's check ran before x.txt was uploaded
            calls[0] += 1
            return [b for b in got if not b.key.endswith("/x.txt")]
        return got

    monkeypatch.setattr(S3BlobStore, "list", listing)
    for op in ("copy", "move"):
        calls[0] = 0
        r = world.call("backendless", "other", "PUT", f"files/{op}", {"sourcePath": "bobsrc/dir", "targetPath": "vic"})
        assert r.status_code == 200, (op, r.status_code, r.body)  # what was checked is copied or moved
        assert _blob(world, "vic/dir/x.txt") == b"alice's"
        assert _blob(world, "bobsrc/dir/x.txt") == b"bob's"  # the file added since stays where it is
    assert _blob(world, "vic/dir/other.txt") == b"o" and _blob(world, "bobsrc/dir/other.txt") is None


# -- 5. Parse batch: GETs of objects the caller may not read ----------------------------------------------
def test_batch_gets_answer_only_what_the_caller_may_read(world: World) -> None:
    alice = _me(world, "alice")
    r = world.call("parse", "owner", "POST", "classes/Memo", {"text": "private " * 200, "ACL": {
        alice: {"read": True, "write": True}}})
    secret = r.json["objectId"]
    r = world.call("parse", "owner", "POST", "classes/Memo", {"text": "open", "ACL": {"*": {"read": True}}})
    opened = r.json["objectId"]
    reqs = [{"method": "GET", "path": f"/parse/classes/Memo/{secret}"},
            {"method": "GET", "path": f"/parse/classes/Memo/{opened}"},
            {"method": "GET", "path": "/parse/classes/Memo", "body": {"where": {"text": {"$regex": "priv"}}}},
            {"method": "PUT", "path": f"/parse/classes/Memo/{secret}", "body": {"text": "bob was here"}},
            {"method": "PUT", "path": f"/parse/classes/Memo/{opened}", "body": {"text": "bob was here"}},
            {"method": "DELETE", "path": f"/parse/classes/Memo/{opened}"}]
    for caller in ("other", "key", "foreign"):
        r = world.call("parse", caller, "POST", "batch", {"requests": reqs})
        if caller == "foreign":  # carol's session belongs to another app
            assert r.status_code in (400, 401, 403, 404) or all("error" in x for x in r.json), r.body
            continue
        assert r.status_code == 200, r.body
        got = r.json
        assert "error" in got[0] and got[0]["error"]["code"] == 101, got[0]
        assert got[1]["success"]["objectId"] == opened
        assert got[2]["success"]["results"] == [], got[2]
        assert all("error" in x for x in got[3:]), got[3:]
    r = world.call("parse", "owner", "GET", f"classes/Memo/{secret}")
    assert r.json["text"].startswith("private"), r.body
    assert world.call("parse", "owner", "GET", f"classes/Memo/{opened}").json["text"] == "open"


# -- 6. counts of users, roles and hidden objects ------------------------------------------------------------
def test_counts_tell_no_more_than_a_find(world: World) -> None:
    alice = _me(world, "alice")
    r = world.call("parse", "owner", "POST", "classes/Ledger", {"v": 1, "ACL": {alice: {"read": True}}})
    assert r.status_code == 201, r.body
    r = world.call("parse", "owner", "POST", "classes/Ledger", {"v": 2, "ACL": {"role:Auditors": {"read": True}}})
    assert r.status_code == 201, r.body
    three = world.call("parse", "owner", "POST", "classes/Ledger", {"v": 3}).json["objectId"]
    one = world.call("parse", "owner", "GET", "classes/Ledger", params={"where": '{"v": 1}'}).json["results"][0]
    for flip in (False, True):
        if flip:  # ACLs changed after the entries were written: the flags follow
            r = world.call("parse", "owner", "PUT", f"classes/Ledger/{three}", {"ACL": {alice: {"read": True}}})
            assert r.status_code == 200, r.body
            r = world.call("parse", "app", "PUT", f"classes/Ledger/{one['objectId']}", {"ACL": {"*": {"read": True}}})
            assert r.status_code == 200, r.body
        _counts_match(world)


def _counts_match(world: World) -> None:
    for caller in ("key", "other", "owner", "anonymous"):
        for dialect, path in (("parse", "classes/Ledger"), ("bea", "classes/Ledger"), ("parse", "classes/_User"),
                              ("bea", "users"), ("parse", "roles"), ("parse", "sessions"),
                              ("parse", "installations"), ("parse", "classes/_Session"), ("bea", "roles")):
            r = world.call(dialect, caller, "GET", path, params={"count": "1", "limit": "1000"})
            if r.status_code != 200 or "count" not in r.json:
                continue  # refused, or not counted: tells nothing
            assert r.json.get("count", 0) == len(r.json.get("results", [])), (dialect, caller, path, r.body[:300])
        for path in ("data/Ledger/count", "data/Users/count"):
            r = world.call("backendless", caller, "GET", path)
            if r.status_code == 200:
                listed = world.call("backendless", caller, "GET", path.rsplit("/", 1)[0], params={"pageSize": "100"})
                assert int(r.body) == len(listed.json), (caller, path, r.body, listed.body[:300])


def test_upload_url_signs_its_conditions_and_owner(world: World) -> None:
    """The URL's conditions are signed headers: a client dropping `If-Match`, `If-None-Match` or the
    owner's metadata breaks the signature (S3 refuses it) instead of writing unconditionally."""
    from urllib.parse import parse_qs, urlparse

    from .conftest import multipart

    body, ct = multipart("u.txt", b"v1")
    assert world.call("backendless", "owner", "POST", "files/signed/u.txt", raw=body, ctype=ct).status_code == 200
    for path, header in (("signed/u.txt", "if-match"), ("signed/new.txt", "if-none-match")):
        r = world.call("backendless", "owner", "POST", f"files/upload-url/{path}", {"contentType": "text/plain"})
        assert r.status_code == 200, r.body
        qs = parse_qs(urlparse(r.json["uploadURL"]).query)
        signed = qs.get("X-Amz-SignedHeaders", [""])[0].split(";")
        assert header in signed and "x-amz-meta-owner" in signed, (path, signed)


def test_a_long_password_with_another_tail_does_not_become_the_password(world: World) -> None:
    """bcrypt compares the first 72 bytes: a login whose password differs only after them passes, as it
    did on the system the hash came from. Rehashing that password would make the tail typed this
    once the password, and the user's own password would stop working."""
    import json

    import bcrypt

    from chalicelib import hashes
    from chalicelib.bootstrap import services

    hashes.install()
    real = "p" * 72 + "-the-real-tail"
    h = {"Content-Type": "application/json", "Authorization": f"Bearer {world.admin}"}
    r = world.c.http.post("/usergrid/acme/prod/users", headers=h, body=json.dumps({"username": "longpw", "password": "x"}))
    assert r.status_code == 200, r.body
    uid = json.loads(r.body)["entities"][0]["uuid"]
    store = services().entities.store
    rec = store.get(world.creds["uuid"], uid)
    assert rec is not None and rec.secret
    assert store.replace_secret(world.creds["uuid"], uid, rec.secret,
                                bcrypt.hashpw(real.encode()[:72], bcrypt.gensalt(rounds=4)).decode())

    def login(pw: str) -> int:
        r = world.c.http.post("/usergrid/acme/prod/token", headers={"Content-Type": "application/json"},
                              body=json.dumps({"grant_type": "password", "username": "longpw", "password": pw}))
        return int(r.status_code)

    assert login("p" * 72 + "-a-typo") == 200
    assert login(real) == 200
    assert login("p" * 71) == 400


# -- 5. Parse nulls kept: a null where the core expects a value ---------------------------------------------
def test_nulls_in_special_fields_are_never_a_500(world: World) -> None:
    for dialect, path in (("parse", "classes/Nully"), ("bea", "classes/Nully"), ("parse", "users"), ("bea", "users")):
        for body in ({"location": None}, {"ACL": None}, {"objectId": None}, {"createdAt": None},
                     {"updatedAt": None}, {"username": None, "password": "pw"}, {"username": "nul1", "password": None},
                     {"email": None, "username": "nul2", "password": "pw"}, {"authData": None}, {"name": None},
                     {"path": None}, {"sessionToken": None}, {"__type": None}, {"x": {"__op": None}},
                     {"x": {"__type": None}}, {"x": {"__type": "Pointer", "className": None, "objectId": None}}):
            r = world.call(dialect, "key", "POST", path, body)
            assert r.status_code < 500, (dialect, path, body, r.status_code, r.body)
            if r.status_code == 201 and path.startswith("classes"):
                oid = r.json["objectId"]
                for upd in (body, {"location": None}, {"x": None}):
                    r = world.call(dialect, "key", "PUT", f"{path}/{oid}", upd)
                    assert r.status_code < 500, (dialect, upd, r.status_code, r.body)
                r = world.call(dialect, "key", "GET", path, params={"where": '{"location": null}', "count": "1"})
                assert r.status_code < 500, r.body


def test_file_paths_cannot_leave_the_app(world: World) -> None:
    from .conftest import multipart

    body, ct = multipart("h.txt", b"mine")
    assert world.call("backendless", "other", "POST", "files/hop/h.txt", raw=body, ctype=ct).status_code == 200
    other = world.other_creds["uuid"]
    for op, payload in (("rename", {"oldPathName": "hop/h.txt", "newName": ".."}),
                        ("rename", {"oldPathName": "hop/h.txt", "newName": "."}),
                        ("rename", {"oldPathName": "hop/h.txt", "newName": "a\x00b"}),
                        ("copy", {"sourcePath": "hop/h.txt", "targetPath": f"../{other}"}),
                        ("move", {"sourcePath": "hop/h.txt", "targetPath": "a/../../x"}),
                        ("copy", {"sourcePath": "../" + other, "targetPath": "loot"}),
                        ("copy", {"sourcePath": "hop/h.txt", "targetPath": "bea-media/x"}),
                        ("copy", {"sourcePath": "hop/h.txt", "targetPath": "parse-files"}),
                        ("copy", {"sourcePath": "hop/h.txt", "targetPath": "_tasks"})):
        r = world.call("backendless", "other", "PUT", f"files/{op}", payload)
        assert r.status_code in (400, 403, 404), (op, payload, r.status_code, r.body)
    assert _blob(world, "hop/h.txt") == b"mine"
