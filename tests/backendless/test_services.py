"""Files on S3, messaging (publish/poll/status/email), geo points and cloud code."""

from __future__ import annotations

import base64
import time
from typing import Any


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    b = "XyZbOuNdArY"
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
    return body, f"multipart/form-data; boundary={b}"


def _s3_body(key: str) -> bytes:
    """The object's bytes through the app's own S3 client (a second default-session client sometimes
    answers NoSuchBucket under moto after the Lightblue task threads of earlier tests)."""
    from chalicelib.bootstrap import services

    got = services().files().blobs.get(key)
    assert got is not None, key
    return bytes(got[0])


def test_files_upload_get_list_delete(bl: Any, org: dict[str, Any]) -> None:
    body, ctype = _multipart("a.txt", b"hello")
    r = bl("POST", "/files/docs/deep/a.txt", raw=body, headers={"Content-Type": ctype})
    assert r.status_code == 200, r.body
    assert r.json["fileURL"].endswith("/files/docs/deep/a.txt")
    r = bl("POST", "/files/docs/deep/a.txt", raw=body, headers={"Content-Type": ctype})
    assert r.status_code == 400 and r.json["code"] == 6003
    assert bl("POST", "/files/docs/deep/a.txt?overwrite=true", raw=body, headers={"Content-Type": ctype}).status_code == 200
    r = bl("GET", "/files/docs/deep/a.txt")
    assert r.status_code == 302
    loc = r.headers["Location"]
    key = org["credentials"]["uuid"] + "/docs/deep/a.txt"
    assert key in loc and "Signature" in loc and _s3_body(key) == b"hello"
    r = bl("PUT", "/files/binary/docs/b.bin", raw=base64.b64encode(b"\x00\x01bin").decode(),
           headers={"Content-Type": "text/plain"})
    assert r.status_code == 200 and r.val.endswith("/files/docs/b.bin")
    assert bl("GET", "/files/docs/b.bin?action=exists").val is True
    assert bl("GET", "/files/docs/nope.txt?action=exists").val is False
    assert bl("GET", "/files/docs?action=count&sub=true").val == 2
    names = sorted(i["name"] for i in bl("GET", "/files/docs").val)
    assert names == ["b.bin", "deep"]
    assert bl("DELETE", "/files/docs/b.bin").status_code == 200
    r = bl("GET", "/files/docs/b.bin")
    assert r.status_code == 404 and r.json["code"] == 6000
    r = bl("DELETE", "/files/docs/b.bin")
    assert r.status_code == 404 and r.json["code"] == 6000


def test_files_rename_copy_move_and_directories(bl: Any) -> None:
    bl("PUT", "/files/binary/x/f.txt", raw=base64.b64encode(b"f").decode(), headers={"Content-Type": "text/plain"})
    assert bl("POST", "/files/newdir/").status_code == 200
    assert bl("GET", "/files/newdir?action=exists").val is True
    assert bl("PUT", "/files/copy", {"sourcePath": "/x/f.txt", "targetPath": "/y"}).status_code == 200
    assert bl("PUT", "/files/move", {"sourcePath": "/y/f.txt", "targetPath": "/z"}).status_code == 200
    assert bl("PUT", "/files/rename", {"oldPathName": "/z/f.txt", "newName": "g.txt"}).status_code == 200
    assert bl("GET", "/files/y/f.txt?action=exists").val is False
    assert bl("GET", "/files/z/g.txt?action=exists").val is True
    assert bl("DELETE", "/files/x").status_code == 200  # a directory and what is in it
    assert bl("GET", "/files/x/f.txt?action=exists").val is False


def test_files_reject_traversal_and_bad_bodies(bl: Any) -> None:
    for path in ["/files/a/%2E%2E/b.txt", "/files/..%2Fother/b.txt"]:
        r = bl("PUT", path.replace("/files/", "/files/binary/"), raw="aGk=", headers={"Content-Type": "text/plain"})
        assert r.status_code == 400 and "code" in r.json, path
    assert bl("PUT", "/files/copy", {"sourcePath": "/../../etc", "targetPath": "/y"}).status_code == 400
    assert bl("PUT", "/files/binary/a.txt", raw="***", headers={"Content-Type": "text/plain"}).status_code == 400
    assert bl("POST", "/files/a.txt", raw="x", headers={"Content-Type": "text/plain"}).status_code == 400


def test_presigned_upload_url_for_big_files(bl: Any) -> None:

    r = bl("POST", "/files/upload-url/big/video.mp4", {"contentType": "video/mp4"})
    assert r.status_code == 200 and r.json["method"] == "PUT" and "big/video.mp4" in r.json["uploadURL"]


def test_messaging_publish_poll_status(bl: Any, user: dict[str, Any]) -> None:
    sub = bl("POST", "/messaging/news/subscribe").json["subscriptionId"]
    time.sleep(0.01)
    r = bl("POST", "/messaging/news", {"message": "hello", "headers": {"h": "1"}}, token=user["user-token"])
    assert r.status_code == 200 and r.json["status"] == "published"
    mid = r.json["messageId"]
    later = bl("POST", "/messaging/news", {"message": "later", "publishAt": int(time.time() * 1000) + 60_000}).json
    assert later["status"] == "scheduled"
    got = bl("GET", f"/messaging/news/{sub}").json["messages"]
    assert [m["data"] for m in got] == ["hello"] and got[0]["headers"] == {"h": "1"}
    assert got[0]["publisherId"] == user["objectId"]
    assert bl("GET", f"/messaging/news/{sub}").json["messages"] == []  # each message once
    assert bl("GET", f"/messaging/{mid}").json["status"] == "published"
    assert bl("GET", f"/messaging/{later['messageId']}").json["status"] == "scheduled"
    r = bl("GET", "/messaging/news/unknown-sub")  # seed 002: pollMessages answers 400 for an error
    assert (r.status_code, r.json["code"]) == (400, 1000) and "unknown-sub" in r.json["message"]
    assert bl("GET", f"/messaging/other/{sub}").status_code == 400  # a subscription of another channel
    assert bl("POST", "/messaging/news", {"nomessage": 1}).status_code == 400


def test_email_through_ses(bl: Any, org: dict[str, Any]) -> None:
    from moto.backends import get_backend

    mail = {"subject": "Hi", "to": ["x@y.test"], "bodyparts": {"textmessage": "yo"}}
    r = bl("POST", "/messaging/email", mail)
    assert r.status_code == 403, r.body  # no open relay: the key alone writes only to the app's users
    assert bl("POST", "/users/register", {"email": "x@y.test", "password": "pw"}).status_code == 200
    r = bl("POST", "/messaging/email", mail)
    assert r.status_code == 200, r.body
    r = bl("POST", "/messaging/email", {**mail, "to": ["someone@else.test"]},
           headers={"master-key": org["credentials"]["master_key"]})
    assert r.status_code == 200, r.body  # the app itself writes to anyone
    too_many = {**mail, "to": [f"u{i}@y.test" for i in range(11)]}
    assert bl("POST", "/messaging/email", too_many, headers={"master-key": org["credentials"]["master_key"]}
              ).status_code == 400
    sent = get_backend("ses")["123456789012"]["us-east-1"].sent_messages
    assert any(m.subject == "Hi" and m.body == "yo" for m in sent)
    assert bl("POST", "/messaging/email", {"subject": "Hi", "to": ["bad"]}).status_code == 400


def test_geo_points(bl: Any) -> None:
    oslo = bl("POST", "/geo/points", {"latitude": 59.91, "longitude": 10.75, "categories": ["city"],
                                      "metadata": {"name": "Oslo"}})
    assert oslo.status_code == 200 and oslo.json["objectId"]
    bl("POST", "/geo/points", {"latitude": 59.95, "longitude": 10.80, "categories": ["park"]})
    bl("POST", "/geo/points", {"latitude": 48.85, "longitude": 2.35, "categories": ["city"]})
    r = bl("GET", "/geo/points?lat=59.91&lon=10.75&radius=10&units=KILOMETERS")
    assert r.status_code == 200 and len(r.json) == 2
    assert r.json[0]["metadata"] == {"name": "Oslo"} and r.json[0]["distance"] < 0.01
    r = bl("GET", "/geo/points?categories=city")
    assert len(r.json) == 2
    r = bl("GET", "/geo/points?categories=city&lat=59.91&lon=10.75&radius=10&units=KILOMETERS")
    assert [p["metadata"].get("name") for p in r.json] == ["Oslo"]
    assert bl("POST", "/geo/points", {"latitude": 100, "longitude": 0}).status_code == 400
    assert bl("GET", "/geo/points?lat=x&lon=1&radius=1").status_code == 400


def test_cloud_code(bl: Any, user: dict[str, Any]) -> None:
    r = bl("POST", "/services/greeter/hello", {"name": "Bob"})
    assert r.status_code == 200 and r.json["greeting"] == "Hello, Bob!"
    r = bl("POST", "/services/greeter/hello", {}, token=user["user-token"])
    assert r.json["greeting"] == "Hello, Ann!" and r.json["user"] == user["objectId"]
    r = bl("POST", "/services/greeter/fail")
    assert r.status_code == 400 and r.json["code"] == 14001
    r = bl("POST", "/services/greeter/crash")
    assert r.status_code == 400 and r.json["code"] == 14000
    assert bl("POST", "/services/nosuch/hello").status_code == 404
    assert bl("POST", "/services/greeter/nosuch").status_code == 404
