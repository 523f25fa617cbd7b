"""Media on S3, and the built-in classes _config, _locale (addLang) and _emails (send)."""

from __future__ import annotations

from typing import Any


def test_upload_creates_object_with_media(bea: Any) -> None:
    r = bea.post("Photo", raw=b"\x89PNG fake", headers={"Content-Type": "image/png"}, params={"name": "cat.png"})
    assert r.status_code == 201, r.body
    oid = r.json["objectId"]
    assert r.json["media"][0]["name"] == "cat.png" and r.json["media"][0]["url"].startswith("http")
    got = bea.get(f"Photo/{oid}").json
    assert got["media"][0]["name"] == "cat.png" and got["media"][0]["size"] == 9 and "url" in got["media"][0]
    listed = bea.get(f"Photo/{oid}/media").json["results"]
    assert [m["name"] for m in listed] == ["cat.png"]
    redirect = bea.get(f"Photo/{oid}/media", params={"name": "cat.png"})
    assert redirect.status_code == 302 and app_uuid_in(redirect.headers["Location"], bea.app_id)
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1")
    key = f"{bea.app_id}/bea-media/photos/{oid}/cat.png"
    assert s3.get_object(Bucket="test-files", Key=key)["Body"].read() == b"\x89PNG fake"
    r = bea.post("Photo", raw=b"second", headers={"Content-Type": "application/octet-stream"},
                 params={"objectId": oid, "name": "b.bin"})
    assert r.status_code == 200 and [m["name"] for m in r.json["media"]] == ["cat.png", "b.bin"]
    r = bea.delete(f"Photo/{oid}/media", params={"name": "cat.png"})
    assert r.status_code == 200 and r.json["deleted"] == ["cat.png"]
    assert "Contents" not in s3.list_objects_v2(Bucket="test-files", Prefix=key)
    assert [m["name"] for m in bea.get(f"Photo/{oid}").json["media"]] == ["b.bin"]
    bea.delete(f"Photo/{oid}")
    assert "Contents" not in s3.list_objects_v2(Bucket="test-files", Prefix=f"{bea.app_id}/bea-media/photos/{oid}/")


def app_uuid_in(url: str, app: str) -> bool:
    return app in url


def test_multipart_with_file_part(bea: Any) -> None:
    raw = (b"--B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nsunset\r\n"
           b"--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"s.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
           b"JPEGDATA\r\n--B--\r\n")
    r = bea.post("Photo", raw=raw, headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert r.status_code == 201, r.body
    got = bea.get(f"Photo/{r.json['objectId']}").json
    assert got["title"] == "sunset" and got["media"][0]["name"] == "s.jpg"
    assert bea.post("Photo", raw=b"x", headers={"Content-Type": "image/png"}, params={"name": "!x"}).json[
        "code"] == 122


def test_config_crud_and_query(bea: Any) -> None:
    r = bea.post("_config", {"key": "maxPlayers", "value": 4})
    assert r.status_code == 201
    oid = r.json["objectId"]
    assert bea.get(f"_config/{oid}").json["value"] == 4
    bea.put(f"_config/{oid}", {"value": 8})
    assert bea.query("_config", {"key": "maxPlayers"})[0]["value"] == 8
    assert bea.delete(f"_config/{oid}").status_code == 201
    assert bea.query("_config") == []


def test_locale_add_lang(bea: Any) -> None:
    a = bea.post("_locale", {"key": "hello", "en": "Hello"}).json["objectId"]
    b = bea.post("_locale", {"key": "bye", "en": "Bye", "fr": "Au revoir"}).json["objectId"]
    r = bea.post("_locale/addLang", {"lang": "fr"})
    assert r.status_code == 200 and r.json == {"lang": "fr", "updated": 1}
    assert bea.get(f"_locale/{a}").json["fr"] == "" and bea.get(f"_locale/{b}").json["fr"] == "Au revoir"
    assert bea.post("_locale/addLang", {"lang": "fr"}).json["code"] == 137
    assert bea.post("_locale/addLang", {"lang": "F R"}).json["code"] == 105
    assert bea.query("_locale", {"key": {"in": ["hello"]}})[0]["objectId"] == a


def test_emails_send(bea: Any) -> None:
    eid = bea.post("_emails", {"name": "welcome", "subject": "Welcome!", "body": "Hi there"}).json["objectId"]
    r = bea.post("_emails/send", {"emailId": eid, "to": "stranger@example.com"})
    assert r.status_code == 403, r.body  # the key alone writes only to the app's users (no open relay)
    for name in ("ann", "bob"):
        assert bea.post("Users", {"username": name, "password": "pw", "email": f"{name}@example.com"}).status_code == 201
    r = bea.post("_emails/send", {"emailId": eid, "to": "ann@example.com"})
    assert r.status_code == 200 and r.json["messageId"]
    r = bea.post("_emails/send", {"emailId": eid, "to": ["bob@example.com"], "subject": "Hey", "body": "Custom"})
    assert r.status_code == 200
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert {m.subject for m in sent} >= {"Welcome!", "Hey"}
    assert bea.post("_emails/send", {"to": "a@example.com"}).json["code"] == 104
    assert bea.post("_emails/send", {"emailId": eid}).json["code"] == 204
    assert bea.post("_emails/send", {"emailId": eid, "to": "nope"}).json["code"] == 125
    assert bea.post("_emails/send", {"emailId": "x", "to": "a@example.com"}).json["code"] == 101
