"""Files (three upload forms, public URL, presigned upload, master-only delete), Cloud functions, roles."""

from __future__ import annotations

import base64
import json
from typing import Any

from .conftest import Parse


def _user(p: Parse, name: str = "fu") -> dict[str, Any]:
    return p.post("users", {"username": name, "password": "pw"}).json


def test_file_uploads_downloads_and_delete(rest: Parse) -> None:
    tok = _user(rest)["sessionToken"]
    r = rest.post("files/a.txt", raw=b"hello", headers={"Content-Type": "text/plain"})
    assert (r.status_code, r.json["code"]) == (400, 130)  # public uploads are off, as Parse 9
    r = rest.post("files/a.txt", raw=b"hello", session=tok, headers={"Content-Type": "text/plain",
                                                                     "X-Parse-Upload-Mode": "stream"})
    assert r.status_code == 201, r.body
    name, url = r.json["name"], r.json["url"]
    assert name.endswith("_a.txt") and url.endswith(f"/parse/files/{rest.app_id}/{name}")
    # body-key style base64 (browsers)
    body = {"base64": base64.b64encode(b"\x00\x01").decode(), "_ContentType": "application/octet-stream",
            "fileData": {"metadata": {}, "tags": {}}, "_ApplicationId": rest.app_id, "_JavaScriptKey": rest.key,
            "_SessionToken": tok}
    r = rest.c.http.post("/parse/files/b.bin", headers={"Content-Type": "text/plain"}, body=json.dumps(body))
    assert r.status_code == 201, r.body
    # public download: a redirect to S3, no keys needed
    d = rest.c.http.get(f"/parse/files/{rest.app_id}/{name}")
    assert d.status_code == 302 and "Location" in d.headers
    assert rest.c.http.get(f"/parse/files/{rest.app_id}/0123456789abcdef0123456789abcdef_nope.txt").status_code == 404
    assert rest.post("files/..%2Fx", raw=b"x", session=tok).status_code == 400
    # presigned upload for big files (our extension)
    r = rest.post("files/big.bin", {"_UploadMode": "presigned", "_ContentType": "video/mp4"}, session=tok)
    assert r.status_code == 201 and r.json["uploadURL"].startswith("http") and r.json["method"] == "PUT"
    # delete needs the master key
    assert rest.delete(f"files/{name}", session=tok).json == {"error": "Permission denied"}
    assert rest.delete(f"files/{name}", master=True).json == {}
    assert rest.c.http.get(f"/parse/files/{rest.app_id}/{name}").status_code == 404


def test_cloud_functions(parse: Parse) -> None:
    r = parse.post("functions/hello", {"name": "Parse"})
    assert (r.status_code, r.json) == (200, {"result": "Hello, Parse!"})
    u = _user(parse, "cc")
    assert parse.post("functions/hello", {}, session=u["sessionToken"]).json == {"result": "Hello, cc!"}
    me = parse.post("functions/whoami", {}, session=u["sessionToken"]).json["result"]
    assert me["user"] == u["objectId"] and me["username"] == "cc" and me["master"] is False
    assert parse.post("functions/whoami", {}, master=True).json["result"]["master"] is True
    r = parse.post("functions/nope", {})
    assert (r.status_code, r.json) == (400, {"code": 141, "error": 'Invalid function: "nope"'})
    assert parse.post("functions/hello", {"name": 5}).json["code"] == 141


def test_roles_feed_acls(rest: Parse, svc: Any) -> None:
    a, b = _user(rest, "ra"), _user(rest, "rb")
    note = rest.post("classes/Memo", {"t": "x", "ACL": {"role:Editors": {"read": True}}}, master=True).json["objectId"]
    assert rest.get(f"classes/Memo/{note}", session=a["sessionToken"]).status_code == 404
    ptr = {"__type": "Pointer", "className": "_User", "objectId": a["objectId"]}
    r = rest.post("roles", {"name": "Editors", "ACL": {"*": {"read": True}},
                            "users": {"__op": "AddRelation", "objects": [ptr]}}, master=True)
    assert r.status_code == 201, r.body
    role = r.json["objectId"]
    assert rest.get(f"classes/Memo/{note}", session=a["sessionToken"]).json["t"] == "x"
    assert rest.get(f"classes/Memo/{note}", session=b["sessionToken"]).status_code == 404
    # a child role's users inherit the parent's access
    sub = rest.post("classes/_Role", {"name": "Juniors", "users": {"__op": "AddRelation", "objects": [
        {"__type": "Pointer", "className": "_User", "objectId": b["objectId"]}]}}, master=True).json["objectId"]
    rest.put(f"roles/{role}", {"roles": {"__op": "AddRelation", "objects": [
        {"__type": "Pointer", "className": "_Role", "objectId": sub}]}}, master=True)
    svc.permissions._cache.clear()  # rules are cached 5 s per process
    assert rest.get(f"classes/Memo/{note}", session=b["sessionToken"]).json["t"] == "x"
    rel = {"$relatedTo": {"object": {"__type": "Pointer", "className": "_Role", "objectId": role}, "key": "users"}}
    members = rest.get("classes/_User", params={"where": rel}, master=True).json["results"]
    assert [m["objectId"] for m in members] == [a["objectId"]]
    assert rest.post("roles", {"name": "bad name!"}, master=True).json["code"] == 139
    # removing the user from the role takes the access away
    rest.put(f"roles/{role}", {"users": {"__op": "RemoveRelation", "objects": [ptr]}}, master=True)
    svc.permissions._cache.clear()
    assert rest.get(f"classes/Memo/{note}", session=a["sessionToken"]).status_code == 404
