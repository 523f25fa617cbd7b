"""Signup, tokens, apps, credentials and who may reach which app (issue 2, section 2)."""

from __future__ import annotations

from typing import Any

SIGNUP = {"organization": "other", "username": "olga", "name": "Olga", "email": "olga@other.test", "password": "pw-olga"}


def test_signup_creates_org_admin_and_sandbox(api: Any) -> None:
    r = api.post("/usergrid/management/organizations", SIGNUP)
    assert r.status_code == 200
    data = r.json["data"]
    assert data["owner"]["username"] == "olga"
    assert "password" not in data["owner"] and "pw" not in data["owner"]
    assert list(data["organization"]["applications"]) == ["other/sandbox"]
    # the sandbox answers without a token
    r = api.get("/usergrid/other/sandbox/items")
    assert r.status_code == 200 and r.json["entities"] == []


def test_signup_form_encoded_and_duplicate(api: Any) -> None:
    form = "&".join(f"{k}={v}" for k, v in SIGNUP.items())
    r = api.post("/usergrid/management/organizations", raw=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.body
    r = api.post("/usergrid/management/organizations", {**SIGNUP, "username": "x2", "email": "x2@o.test"})
    assert r.status_code == 400 and r.json["error"] == "duplicate_unique_property_exists"
    r = api.post("/usergrid/management/organizations", {**SIGNUP, "organization": "new1"})
    assert r.status_code == 400 and r.json["error"] == "duplicate_unique_property_exists"


def test_signup_can_be_disabled(api: Any, monkeypatch: Any) -> None:
    from chalicelib.bootstrap import services

    monkeypatch.setattr(services().tenancy, "open_signup", False)
    r = api.post("/usergrid/management/organizations", SIGNUP)
    assert r.status_code == 403 and r.json["error"] == "forbidden"


def test_admin_token_bad_password(api: Any, org: dict[str, Any]) -> None:
    r = api.post("/usergrid/management/token", {"grant_type": "password", "username": "boss", "password": "nope"})
    assert r.status_code == 400 and r.json["error"] == "invalid_grant"
    r = api.post("/usergrid/management/token", {"grant_type": "password", "username": "ghost", "password": "nope"})
    assert r.status_code == 400 and r.json["error"] == "invalid_grant"


def test_credentials_shape_and_stability(api: Any, org: dict[str, Any]) -> None:
    creds = org["credentials"]
    assert set(creds["credentials"]) == {"client_id", "client_secret"}
    assert creds["uuid"] and creds["rest_api_key"] and creds["master_key"]
    assert len({creds["rest_api_key"], creds["master_key"], creds["credentials"]["client_secret"]}) == 3
    again = api.get("/usergrid/management/orgs/acme/apps/prod/credentials", token=org["admin_token"]).json
    assert again["credentials"] == creds["credentials"]
    # rotation gives new keys and the old secret stops working
    rotated = api.post("/usergrid/management/orgs/acme/apps/prod/credentials", token=org["admin_token"]).json
    assert rotated["credentials"]["client_secret"] != creds["credentials"]["client_secret"]
    assert rotated["master_key"] != creds["master_key"]
    r = api.post("/usergrid/acme/prod/token", {"grant_type": "client_credentials", **creds["credentials"]})
    assert r.status_code == 400


def test_credentials_need_admin_token(api: Any, org: dict[str, Any]) -> None:
    assert api.get("/usergrid/management/orgs/acme/apps/prod/credentials").status_code == 401
    assert api.get("/usergrid/management/orgs/acme/apps/prod/credentials", token="bogus").status_code == 401


def test_private_app_requires_token(api: Any, org: dict[str, Any]) -> None:
    r = api.get("/usergrid/acme/prod/items")
    assert r.status_code == 401 and r.json["error"] == "unauthorized"
    r = api.get("/usergrid/acme/prod/items", token="not-a-token")
    assert r.status_code == 401 and r.json["error"] == "auth_bad_access_token"
    # admin token, client credentials token, and ?access_token= all work
    assert api.get("/usergrid/acme/prod/items", token=org["admin_token"]).status_code == 200
    r = api.post("/usergrid/acme/prod/token", {"grant_type": "client_credentials", **org["credentials"]["credentials"]})
    assert r.status_code == 200 and r.json["expires_in"] > 0
    app_token = r.json["access_token"]
    assert api.get("/usergrid/acme/prod/items", token=app_token).status_code == 200
    assert api.get(f"/usergrid/acme/prod/items?access_token={app_token}", token="").status_code == 200


def test_app_user_token_and_isolation(api: Any, org: dict[str, Any]) -> None:
    admin = org["admin_token"]
    r = api.post("/usergrid/acme/prod/users", {"username": "ann", "email": "ann@acme.test", "password": "pw-ann"}, token=admin)
    assert r.status_code == 200 and "password" not in r.json["entities"][0]
    r = api.post("/usergrid/acme/prod/token", {"grant_type": "password", "username": "ann", "password": "pw-ann"})
    assert r.status_code == 200 and r.json["user"]["username"] == "ann" and "password" not in r.json["user"]
    user_token = r.json["access_token"]
    assert api.get("/usergrid/acme/prod/items", token=user_token).status_code == 200
    # the same token cannot reach another app, even in the same org
    assert api.get("/usergrid/acme/sandbox/items", token=user_token).status_code == 403
    r = api.post("/usergrid/acme/prod/token", {"grant_type": "password", "username": "ann", "password": "wrong"})
    assert r.status_code == 400 and r.json["error"] == "invalid_grant"


def test_org_and_app_by_uuid_and_unknown(api: Any, org: dict[str, Any]) -> None:
    app_uuid = org["credentials"]["uuid"]
    assert api.get(f"/usergrid/acme/{app_uuid}/items", token=org["admin_token"]).status_code == 200
    r = api.get("/usergrid/nosuch/sandbox/items")
    assert r.status_code == 404 and r.json["error"] == "organization_application_not_found"
    r = api.get("/usergrid/acme/nosuch/items")
    assert r.status_code == 404 and r.json["error"] == "organization_application_not_found"


def test_passwords_stored_as_scrypt(svc: Any, api: Any, org: dict[str, Any]) -> None:
    from chalicelib.storage.models import TenantModel

    docs = [i.doc for i in TenantModel.scan()]
    assert not any("s3cret!" in d for d in docs)
    assert any("scrypt$" in d for d in docs)


def test_status(api: Any) -> None:
    assert api.get("/status").status_code == 200
    assert api.get("/usergrid/status").status_code == 200
