"""The spellings backfill over HTTP (issue 13, ql property names in any case): the management route an
operator runs once after upgrading, so `NAME = 'x'` finds entities stored as `Name` by an older version."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

APP = "/usergrid/acme/prod"
MGMT = "/usergrid/management/orgs/acme/apps/prod"


def forget_spellings() -> None:
    """What an older version left: the registry's spellings were never recorded."""
    from chalicelib.bootstrap import services

    reg = services().classes
    app = services().tenancy.app("acme", "prod").uuid
    got = reg.docs.get(f"classes#{app}")
    assert got is not None
    doc, version = got
    for entry in doc["classes"].values():
        entry.pop("spellings", None)
    reg.docs.put(f"classes#{app}", doc, version)
    reg._cache.clear()


def names(api: Any, token: str, ql: str) -> list[str]:
    r = api.get(f"{APP}/things?limit=50&ql={quote(ql)}", token=token)
    assert r.status_code == 200, r.body
    return sorted(e.get("Name") or e.get("name") for e in r.json["entities"])


def app_token(api: Any, org: dict[str, Any]) -> str:
    creds = org["credentials"]["credentials"]
    return str(api.post(f"{APP}/token", {"grant_type": "client_credentials", "client_id": creds["client_id"],
                                         "client_secret": creds["client_secret"]}).json["access_token"])


def test_old_spellings_are_found_after_the_backfill(api: Any, org: dict[str, Any]) -> None:
    tok = org["admin_token"]
    r = api.post(f"{APP}/things", [{"Name": f"x{i}", "Spec": {"Size": i}} for i in range(5)] + [{"name": "y"}],
                 token=tok)
    assert r.status_code == 200, r.body
    api.post(f"{APP}/paints", {"COLOUR": "red", "name": "p"}, token=tok)
    forget_spellings()
    assert names(api, tok, "NAME = 'x3'") == []
    assert names(api, tok, "name = 'y'") == ["y"]
    cursor, steps, recorded = None, 0, 0
    while True:
        r = api.post(f"{MGMT}/collections/things/spellings", {"limit": 2} | ({"cursor": cursor} if cursor else {}),
                     token=tok)
        assert r.status_code == 200, r.body
        assert r.json["action"] == "record property spellings" and r.json["collections"] == ["things"]
        steps, recorded = steps + 1, recorded + r.json["recorded"]
        cursor = r.json.get("cursor")
        if not cursor:
            break
        assert steps < 10
    assert steps >= 3 and recorded == 3  # 6 entities, 2 a step: Name, Spec, Spec.Size
    assert names(api, tok, "NAME = 'x3'") == ["x3"]
    assert names(api, tok, "spec.size >= 3") == ["x3", "x4"]
    r = api.get(f"{APP}/paints?ql={quote('colour = ' + repr('red'))}", token=tok)
    assert r.json["entities"] == []  # not walked yet
    r = api.post(f"{MGMT}/spellings", {}, token=app_token(api, org))  # the whole app, the app's own credentials
    assert r.status_code == 200 and "cursor" not in r.json, r.body
    assert r.json["collections"] == ["paints", "things"] and r.json["recorded"] == 1 and r.json["read"] == 7
    r = api.get(f"{APP}/paints?ql={quote('colour = ' + repr('red'))}", token=tok)
    assert [e["name"] for e in r.json["entities"]] == ["p"]


def test_hostile_input_gets_400_in_usergrid_envelope(api: Any, org: dict[str, Any]) -> None:
    tok = org["admin_token"]
    api.post(f"{APP}/things", [{"Name": "a"}, {"Name": "b"}], token=tok)
    other = api.post(f"{MGMT}/collections/things/spellings", {"limit": 1}, token=tok).json["cursor"]
    for body in ({"cursor": 5}, {"cursor": "forged.x"}, {"cursor": other + "x"}, {"cursor": "a" * 5000},
                 {"limit": 0}, {"limit": 1001}, {"limit": "x"}, {"limit": 2.5}):
        r = api.post(f"{MGMT}/collections/things/spellings", body, token=tok)
        assert r.status_code == 400, (body, r.body)
        assert r.json["error"] and r.json["error_description"] and "timestamp" in r.json, r.body
    assert api.post(f"{MGMT}/collections/paints/spellings", {"cursor": other}, token=tok).status_code == 400
    assert api.post(f"{MGMT}/spellings", {"cursor": other}, token=tok).status_code == 400
    assert api.post(f"{MGMT}/collections/bad name!/spellings", {}, token=tok).status_code == 400
    assert api.post(f"{MGMT}/collections/things/spellings", ["x"], token=tok).status_code == 200  # no options


def test_only_org_admins_and_the_app_credentials(api: Any, org: dict[str, Any]) -> None:
    tok = org["admin_token"]
    api.post(f"{APP}/users", {"username": "ann", "password": "pw-ann-1"}, token=tok)
    user = api.post(f"{APP}/token", {"grant_type": "password", "username": "ann", "password": "pw-ann-1"})
    assert user.status_code == 200, user.body
    api.post("/usergrid/management/organizations", {
        "organization": "rival", "username": "rival", "name": "R", "email": "r@rival.test", "password": "s3cret!"})
    rival = api.post("/usergrid/management/token", {"grant_type": "password", "username": "rival",
                                                    "password": "s3cret!"}).json["access_token"]
    creds = api.get("/usergrid/management/orgs/acme/apps/sandbox/credentials", token=tok).json["credentials"]
    sandbox = api.post("/usergrid/acme/sandbox/token", {"grant_type": "client_credentials", **{
        k: creds[k] for k in ("client_id", "client_secret")}}).json["access_token"]  # another app's credentials
    key = org["credentials"]["rest_api_key"]
    for token in (None, user.json["access_token"], rival, key, sandbox):
        for path in (f"{MGMT}/spellings", f"{MGMT}/collections/things/spellings"):
            r = api.post(path, {}, token=token or "")
            assert r.status_code in (401, 403), (token, path, r.body)
            assert r.json["error"] and "error_description" in r.json, r.body
    assert api.post("/usergrid/management/orgs/acme/apps/nope/spellings", {}, token=user.json["access_token"]
                    ).status_code == 401  # which apps exist is not told
    assert api.post("/usergrid/management/orgs/acme/apps/nope/spellings", {}, token=sandbox).status_code == 401
    assert api.post("/usergrid/management/orgs/acme/apps/nope/spellings", {}, token=tok).status_code == 404
    assert api.post(f"{MGMT}/spellings", {}, token=tok).status_code == 200
