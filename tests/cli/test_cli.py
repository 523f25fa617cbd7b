"""`baas` (issue 14): apps and keys; export -> reset -> import gives the same data; imports are
idempotent and say what they skipped; a Parse export's users log in with their bcrypt passwords;
a Usergrid export keeps its uuids."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import requests

from .conftest import last_json


def _api(baas: Any, method: str, path: str, token: str | None = None, **kw: Any) -> requests.Response:
    headers = kw.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, baas.url + path, headers=headers, timeout=60, **kw)


def _admin_token(baas: Any) -> str:
    return _api(baas, "POST", "/usergrid/management/token",
                json={"grant_type": "password", "username": "boss", "password": "s3cret!"}).json()["access_token"]


def test_apps_list_create_keys_rotate(baas: Any) -> None:
    r = baas("apps", "create", "shop")
    assert r.exit_code == 0, r.output
    r = baas("apps", "list")
    assert r.exit_code == 0 and "shop" in r.output and "prod" in r.output, r.output
    r = baas("apps", "keys", "shop", "--env")
    keys = dict(line[len("export "):].split("=", 1) for line in r.output.splitlines() if line.startswith("export APP"))
    assert r.exit_code == 0 and "REST_API_KEY" in r.output, r.output
    before = {line for line in r.output.splitlines() if "REST_API_KEY" in line}
    r = baas("apps", "rotate", "shop", "--yes")
    assert r.exit_code == 0, r.output
    after = {line for line in baas("apps", "keys", "shop", "--env").output.splitlines() if "REST_API_KEY" in line}
    assert before != after and keys["APP_UUID"]
    r = baas("apps", "keys", "shop", password="wrong")
    assert r.exit_code != 0


def _seed(baas: Any, token: str) -> None:
    base = "/usergrid/acme/prod"
    assert _api(baas, "POST", f"{base}/users", token, json={"username": "ann", "password": "pw-ann",
                                                             "email": "ann@acme.test"}).status_code == 200
    for i in range(7):
        assert _api(baas, "POST", f"{base}/items", token, json={"name": f"item{i}", "price": i,
                                                                "tags": ["a", f"t{i}"]}).status_code == 200
    assert _api(baas, "POST", f"{base}/pictures", token, json={"name": "cat"}).status_code == 200
    r = _api(baas, "PUT", f"{base}/pictures/cat", token, data=b"\x89PNG fake", headers={"Content-Type": "image/png"})
    assert r.status_code == 200, r.text


BIG = bytes(range(256)) * 1100  # 281,600 bytes: over the export's inline limit, so it goes by presigned URLs


def _bl(baas: Any, token: str) -> str:
    creds = _api(baas, "GET", "/usergrid/management/orgs/acme/apps/prod/credentials", token).json()
    return f"/backendless/{creds['uuid']}/{creds['rest_api_key']}"


def _seed_files(baas: Any, token: str) -> str:
    """Backendless files: two of ann's (one small, one big), one written with the key alone, a
    directory; returns ann's uuid."""
    bl = _bl(baas, token)
    login = _api(baas, "POST", f"{bl}/users/login", json={"login": "ann@acme.test", "password": "pw-ann"})
    assert login.status_code == 200, login.text
    ann = {"user-token": login.json()["user-token"]}
    for path, data, who in [("notes/ann.txt", b"ann's note", ann), ("media/big.bin", BIG, ann), ("pub.txt", b"hi", {})]:
        r = _api(baas, "PUT", f"{bl}/files/binary/{path}", data=base64.b64encode(data),
                 headers={"Content-Type": "text/plain", **who})
        assert r.status_code == 200, r.text
    assert _api(baas, "POST", f"{bl}/files/empty/").status_code == 200
    return str(login.json()["objectId"])


def _seed_attached(baas: Any, token: str) -> dict[str, str]:
    """A BEA object with a media file and a Parse file: {"photo": objectId, "parse": file name}."""
    creds = _api(baas, "GET", "/usergrid/management/orgs/acme/apps/prod/credentials", token).json()
    bea = {"X-BEA-Application-Id": creds["uuid"], "X-BEA-Master-Key": creds["master_key"]}
    r = _api(baas, "POST", "/bea/1/Photos", params={"name": "pic.png"}, data=b"\x89PNG media",
             headers={**bea, "Content-Type": "image/png"})
    assert r.status_code == 201, r.text
    parse = {"X-Parse-Application-Id": creds["uuid"], "X-Parse-Master-Key": creds["master_key"]}
    f = _api(baas, "POST", "/parse/files/hello.txt", data=b"parse bytes", headers={**parse, "Content-Type": "text/plain"})
    assert f.status_code == 201, f.text
    return {"photo": r.json()["objectId"], "parse": f.json()["name"], "parse_url": f.json()["url"]}


def _files_state(baas: Any) -> dict[str, Any]:
    """Every free-standing file of acme/prod as S3 holds it: path -> (bytes, content type, owner)."""
    from chalicelib.bootstrap import services

    token = _admin_token(baas)
    app = _api(baas, "GET", "/usergrid/management/orgs/acme/apps/prod/credentials", token).json()["uuid"]
    blobs = services().files().blobs
    out = {}
    for b in blobs.list(f"{app}/", True, 1000):
        data, meta = blobs.read(b.key)
        out[b.key[len(app) + 1:]] = (data, meta["content_type"], meta["owner"])
    return out


def _reset_store() -> None:
    """Forget every table, object and mail, as `make reset` does, and rebuild empty tables."""
    from baas_tools.persist import backends
    from chalicelib import bootstrap

    for registry in backends().values():
        for account in registry.values():
            for backend in account.values():
                backend.reset()
    bootstrap.reset()
    bootstrap.create_resources()


def test_export_reset_import_round_trip(baas: Any, tmp_path: Path) -> None:
    token = _admin_token(baas)
    _seed(baas, token)
    ann = _seed_files(baas, token)
    attached = _seed_attached(baas, token)
    before = _files_state(baas)
    assert before["notes/ann.txt"][::2] == (b"ann's note", ann) and before["media/big.bin"][2] == ann
    assert before["pub.txt"][2] == "" and "empty/" in before
    out, files = tmp_path / "prod.jsonl", tmp_path / "files"
    r = baas("export", "--app", "prod", "-o", str(out), "--files", str(files), "--page", "3")
    assert r.exit_code == 0, r.output
    first = sorted(out.read_text().splitlines())
    assert len(first) == 10 and not out.with_name("prod.jsonl.cursor").exists()
    assert {json.loads(line)["collection"] for line in first} == {"users", "items", "pictures", "photos"}
    assets = [p for p in files.iterdir() if p.is_file() and p.name != "files.jsonl"]
    assert [p.read_bytes() for p in assets] == [b"\x89PNG fake"]
    records = {r["path"]: r for r in map(json.loads, (files / "files.jsonl").read_text().splitlines())}
    media, parse_file = f"bea-media/photos/{attached['photo']}/pic.png", f"parse-files/{attached['parse']}"
    assert set(records) == {"empty/", "media/big.bin", "notes/ann.txt", "pub.txt",  # no assets/ keys
                            media, parse_file}  # BEA media and Parse files travel with the files
    assert base64.b64decode(records["notes/ann.txt"]["data"]) == b"ann's note"
    assert "data" not in records["media/big.bin"] and (files / records["media/big.bin"]["blob"]).read_bytes() == BIG

    _reset_store()
    assert _api(baas, "POST", "/usergrid/management/organizations", json={
        "organization": "acme", "username": "boss", "name": "Boss", "email": "boss@acme.test",
        "password": "s3cret!"}).status_code == 200
    r = baas("import", str(out), "--app", "prod", "--files", str(files))
    assert r.exit_code == 0, r.output
    assert last_json(r.output) == {"imported": 10, "skipped": {}, "files": {"imported": 6, "skipped": {}}}
    assert _files_state(baas) == before  # same paths, bytes, content types, owners (assets included)
    creds = _api(baas, "GET", "/usergrid/management/orgs/acme/apps/prod/credentials", _admin_token(baas)).json()
    bea = {"X-BEA-Application-Id": creds["uuid"], "X-BEA-Master-Key": creds["master_key"]}
    photo = _api(baas, "GET", f"/bea/1/Photos/{attached['photo']}", headers=bea).json()
    assert requests.get(photo["media"][0]["url"], timeout=30).content == b"\x89PNG media"
    got = _api(baas, "GET", f"/parse/files/{creds['uuid']}/{attached['parse']}")  # the app's new id, same name
    assert got.content == b"parse bytes", got.status_code

    again = tmp_path / "again.jsonl"
    assert baas("export", "--app", "prod", "-o", str(again)).exit_code == 0
    second = sorted(again.read_text().splitlines())
    def same(lines: list[str]) -> list[dict[str, Any]]:
        """Lines as compared: an asset re-uploaded after its entity is a write, so the picture's
        `modified` and `file-metadata` (its upload time) change; everything else is identical."""
        out = []
        for line in lines:
            item = json.loads(line)
            if item["collection"] == "pictures":
                item["entity"] = {k: v for k, v in item["entity"].items() if k not in ("file-metadata", "modified")}
            out.append(item)
        return out

    assert same(second) == same(first)  # same uuids, properties, created, owners, ACLs, password hashes
    assert sum(1 for line in second if '"password":"scrypt$' in line) == 1
    token = _admin_token(baas)
    got = _api(baas, "GET", "/usergrid/acme/prod/pictures/cat", token, headers={"Accept": "image/png"})
    assert got.content == b"\x89PNG fake"
    login = _api(baas, "POST", "/usergrid/acme/prod/token", json={"grant_type": "password", "username": "ann",
                                                                  "password": "pw-ann"})
    assert login.status_code == 200, login.text

    r = baas("import", str(out), "--app", "prod", "--files", str(files))  # idempotent: nothing duplicated
    assert r.exit_code == 0 and last_json(r.output) == {"imported": 0, "skipped": {"exists": 10},
                                                        "files": {"imported": 0, "skipped": {"exists": 6}}}, r.output
    assert _files_state(baas) == before
    items = _api(baas, "GET", "/usergrid/acme/prod/items?limit=100", token).json()["entities"]
    assert len(items) == 7


def test_export_resumes_from_its_cursor(baas: Any, tmp_path: Path) -> None:
    token = _admin_token(baas)
    _seed(baas, token)
    out = tmp_path / "items.jsonl"
    full = tmp_path / "full.jsonl"
    assert baas("export", "--app", "prod", "-c", "items", "-o", str(full)).exit_code == 0
    # an interrupted run: the first page (3) written and saved, then half a page of garbage
    assert baas("export", "--app", "prod", "-c", "items", "-o", str(out), "--page", "3").exit_code == 0
    lines = out.read_text().splitlines(keepends=True)
    cursor_state = {"collection": "items", "count": 3, "bytes": len("".join(lines[:3]).encode()), "done": []}
    r = requests.get(f"{baas.url}/usergrid/management/orgs/acme/apps/prod/export",
                     params={"collection": "items", "limit": 3}, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    cursor_state["cursor"] = r.json()["cursor"]
    out.write_text("".join(lines[:3]) + '{"collection":"items","uu')
    out.with_name("items.jsonl.cursor").write_text(json.dumps(cursor_state))
    r = baas("export", "--app", "prod", "-c", "items", "-o", str(out), "--page", "3", "--resume")
    assert r.exit_code == 0, r.output
    assert out.read_text() == full.read_text()


def test_export_and_import_need_an_admin(baas: Any, tmp_path: Path) -> None:
    token = _admin_token(baas)
    _seed(baas, token)
    ann = _api(baas, "POST", "/usergrid/acme/prod/token", json={"grant_type": "password", "username": "ann",
                                                                "password": "pw-ann"}).json()["access_token"]
    for method, path, body in [("GET", "/export?collection=users", None), ("GET", "/collections", None),
                               ("POST", "/import", {"collection": "items", "entities": []})]:
        r = _api(baas, method, f"/usergrid/management/orgs/acme/apps/prod{path}", ann, json=body)
        assert r.status_code in (401, 403), (path, r.status_code, r.text)
    r = _api(baas, "POST", "/usergrid/management/orgs/acme/apps/prod/import", token,
             json={"collection": "items", "entities": [{"uuid": "x"}] * 101})
    assert r.status_code == 400
    r = _api(baas, "POST", "/usergrid/management/orgs/acme/apps/prod/import", token, json={
        "collection": "users", "entities": [
            {"uuid": "0190a000-0000-7000-8000-000000000001", "entity": {"username": "eve"}, "password": "plain"},
            {"uuid": "not-a-uuid", "entity": {}},
            {"uuid": "0190a000-0000-7000-8000-000000000002", "entity": {"username": "ann"}}]})
    assert r.status_code == 200, r.text
    reasons = [s["reason"] for s in r.json()["skipped"]]
    assert reasons[0].startswith("unsupported password hash") and reasons[1].startswith("missing or invalid uuid")
    assert reasons[2].startswith("duplicate")


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data))


def test_parse_export_import_users_log_in_with_bcrypt(baas: Any, tmp_path: Path) -> None:
    import bcrypt

    parse = tmp_path / "parse"
    parse.mkdir()
    hashed = bcrypt.hashpw(b"sekrit-pw", bcrypt.gensalt(rounds=4)).decode()
    _write(parse / "_User.json", {"results": [
        {"objectId": "uA1", "username": "sam", "email": "sam@x.test", "_hashed_password": hashed,
         "createdAt": "2023-04-01T10:00:00.000Z", "updatedAt": "2023-04-02T10:00:00.000Z", "ACL": {"uA1": {"read": True, "write": True}}},
        {"objectId": "uB2", "username": "pat", "_hashed_password": hashed.replace("$2b$", "$2y$"),
         "createdAt": "2023-04-01T11:00:00.000Z"}]})
    _write(parse / "GameScore.json", {"results": [
        {"objectId": "g1", "score": 1337, "player": {"__type": "Pointer", "className": "_User", "objectId": "uA1"},
         "createdAt": "2023-05-01T00:00:00.000Z", "updatedAt": "2023-05-01T00:00:00.000Z",
         "ACL": {"*": {"read": True}, "uA1": {"write": True}}},
        {"score": 5}]})
    _write(parse / "_Session.json", {"results": [{"objectId": "s1", "sessionToken": "r:abc"}]})

    r = baas("import", str(parse), "--app", "game")
    assert r.exit_code == 0, r.output
    summary = last_json(r.output)
    assert summary["imported"] == 3, r.output
    assert summary["skipped"] == {"no objectId": 1, "Parse system class _Session is not imported": 1}
    for user in ("sam", "pat"):
        login = _api(baas, "POST", "/usergrid/acme/game/token",
                     json={"grant_type": "password", "username": user, "password": "sekrit-pw"})
        assert login.status_code == 200, (user, login.text)
    bad = _api(baas, "POST", "/usergrid/acme/game/token",
               json={"grant_type": "password", "username": "sam", "password": "nope"})
    assert bad.status_code in (400, 401)

    token = _admin_token(baas)
    sam = _api(baas, "GET", "/usergrid/acme/game/users/sam", token).json()["entities"][0]
    score = _api(baas, "GET", "/usergrid/acme/game/gamescores?limit=5", token).json()["entities"]
    assert len(score) == 1 and score[0]["player"]["objectId"] == sam["uuid"] and score[0]["score"] == 1337
    assert score[0]["created"] == 1682899200000  # createdAt kept
    again = baas("import", str(parse), "--app", "game")
    assert last_json(again.output)["imported"] == 0 and last_json(again.output)["skipped"]["exists"] == 3


def test_usergrid_export_keeps_uuids(baas: Any, tmp_path: Path) -> None:
    dump = tmp_path / "acme.prod.dogs.1.json"
    _write(dump, [{"uuid": "5f2f7a1c-1d1e-11e5-9c33-0242ac110002", "type": "dog", "name": "rex", "created": 1430000000000,
                   "modified": 1430000000001, "metadata": {"path": "/dogs/5f2f"}},
                  {"uuid": "6a2f7a1c-1d1e-11e5-9c33-0242ac110002", "type": "application", "name": "x"}])
    r = baas("import", str(dump), "--app", "prod", "--format", "usergrid")
    assert r.exit_code == 0 and last_json(r.output)["imported"] == 1, r.output
    token = _admin_token(baas)
    dog = _api(baas, "GET", "/usergrid/acme/prod/dogs/5f2f7a1c-1d1e-11e5-9c33-0242ac110002", token).json()
    assert dog["entities"][0]["name"] == "rex" and dog["entities"][0]["created"] == 1430000000000


def test_files_routes_are_admin_only_paged_and_check_every_record(baas: Any) -> None:
    token = _admin_token(baas)
    _seed(baas, token)  # an asset under assets/: never listed as a free-standing file
    _seed_files(baas, token)
    base = "/usergrid/management/orgs/acme/apps/prod/files"
    ann = _api(baas, "POST", "/usergrid/acme/prod/token", json={"grant_type": "password", "username": "ann",
                                                                "password": "pw-ann"}).json()["access_token"]
    assert _api(baas, "GET", base, ann).status_code in (401, 403)
    assert _api(baas, "POST", base, ann, json={"files": []}).status_code in (401, 403)
    assert _api(baas, "GET", base).status_code == 401
    seen, cursor, pages = [], None, 0
    while True:  # two keys a page: every file once, in key order, and no asset
        r = _api(baas, "GET", base, token, params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        seen += [f["path"] for f in r.json()["files"]]
        cursor, pages = r.json().get("cursor"), pages + 1  # absent on the last page
        if not cursor:
            break
    assert seen == ["empty/", "media/big.bin", "notes/ann.txt", "pub.txt"] and pages >= 3
    for params in ({"limit": 101}, {"limit": 0}, {"cursor": "x" * 1025}):
        assert _api(baas, "GET", base, token, params=params).status_code == 400, params
    assert _api(baas, "POST", base, token, json={"files": [{"path": "x"}] * 51}).status_code == 400
    assert _api(baas, "POST", base, token, json={"files": "nope"}).status_code == 400
    r = _api(baas, "POST", base, token, json={"files": [
        {"path": "../etc/passwd", "data": ""}, {"path": "assets/x", "data": ""}, {"path": "ok.txt", "owner": "bob", "data": ""},
        {"path": "ok.txt", "data": "***"}, {"path": "ok.txt", "data": base64.b64encode(b"x" * 300_000).decode()},
        7, {"path": "pub.txt", "data": "aGk="}, {"path": "new.txt", "data": "aGk=", "content_type": "text/plain"},
        {"path": "huge.bin", "content_type": "application/zip"}]})
    assert r.status_code == 200, r.text
    reasons = [s["reason"].split(":")[0] for s in r.json()["skipped"]]
    assert reasons == ["invalid path", "path in an area not imported as files (assets come with their entities)",
                       "invalid owner", "data is not base64", reasons[4], "not an object with a `path` string",
                       "exists"] and reasons[4].startswith("data must be base64")
    assert r.json()["imported"] == 1 and [u["path"] for u in r.json()["uploads"]] == ["huge.bin"]
    up = r.json()["uploads"][0]
    assert requests.put(up["uploadURL"], data=b"PK", headers=up["headers"], timeout=30).status_code == 200
    state = _files_state(baas)
    assert state["new.txt"] == (b"hi", "text/plain", "") and state["huge.bin"] == (b"PK", "application/zip", "")
    assert "../etc/passwd" not in state and not any(k.startswith("assets/x") for k in state)


def test_files_export_resumes_from_its_cursor(baas: Any, tmp_path: Path) -> None:
    token = _admin_token(baas)
    _seed(baas, token)
    _seed_files(baas, token)
    full, files = tmp_path / "full", tmp_path / "files"
    assert baas("export", "--app", "prod", "-c", "items", "-o", str(tmp_path / "a.jsonl"), "--files", str(full)).exit_code == 0
    whole = (full / "files.jsonl").read_text()
    lines = whole.splitlines(keepends=True)
    # an interrupted run: entities done, the first file written and saved, then half a record of garbage
    out = tmp_path / "b.jsonl"
    assert baas("export", "--app", "prod", "-c", "items", "-o", str(out)).exit_code == 0
    files.mkdir()
    (files / "files.jsonl").write_text(lines[0] + '{"path":"med')
    state = {"collection": None, "cursor": None, "count": 7, "bytes": len(out.read_bytes()), "done": ["items"],
             "files": {"cursor": json.loads(lines[0])["path"], "count": 1, "bytes": len(lines[0].encode())}}
    out.with_name("b.jsonl.cursor").write_text(json.dumps(state))
    r = baas("export", "--app", "prod", "-c", "items", "-o", str(out), "--files", str(files), "--resume")
    assert r.exit_code == 0, r.output
    assert (files / "files.jsonl").read_text() == whole and not out.with_name("b.jsonl.cursor").exists()
