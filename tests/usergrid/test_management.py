"""Seed 000's management API: signup without an organization, several admins per organization,
several organizations per admin (Usergrid's OrganizationResource and ManagementResource)."""

from __future__ import annotations

from typing import Any


def _token(api: Any, username: str, password: str) -> str:
    r = api.post("/usergrid/management/token", {"grant_type": "password", "username": username, "password": password})
    assert r.status_code == 200, r.body
    return str(r.json["access_token"])


def test_signup_without_organization_names_it_after_the_username(api: Any) -> None:
    r = api.post("/usergrid/management/organizations",
                 {"username": "solo", "name": "Solo", "email": "solo@x.test", "password": "pw-solo"})
    assert r.status_code == 200, r.body
    assert r.json["data"]["organization"]["name"] == "solo"
    token = _token(api, "solo", "pw-solo")
    assert api.get("/usergrid/management/orgs/solo/apps", token=token).status_code == 200


def test_several_admins_and_several_orgs(api: Any, org: dict[str, Any]) -> None:
    boss = org["admin_token"]
    # a second admin: created on its own, then added to acme by acme's admin
    r = api.post("/usergrid/management/users", {"username": "ann", "name": "Ann", "email": "ann@x.test",
                                                 "password": "pw-ann"})
    assert r.status_code == 200, r.body
    ann = _token(api, "ann", "pw-ann")
    assert api.get("/usergrid/management/orgs/acme/apps", token=ann).status_code == 401
    assert api.put("/usergrid/management/orgs/acme/users/ann", token=ann).status_code == 401  # not hers to grant
    assert api.put("/usergrid/management/orgs/acme/users/ann", token=boss).status_code == 200
    assert api.get("/usergrid/management/orgs/acme/apps", token=ann).status_code == 200  # same token, now allowed
    admins = api.get("/usergrid/management/organizations/acme/users", token=boss).json["data"]
    assert sorted(a["username"] for a in admins) == ["ann", "boss"]
    # a new admin created straight into the org
    r = api.post("/usergrid/management/orgs/acme/users",
                 {"username": "cy", "email": "cy@x.test", "password": "pw-cy"}, token=ann)
    assert r.status_code == 200 and r.json["data"]["user"]["username"] == "cy"
    # ann makes an org of her own: she is admin of two
    assert api.post("/usergrid/management/users/ann/orgs", {"organization": "annco"}, token=ann).status_code == 200
    orgs = api.get("/usergrid/management/users/ann/orgs", token=ann).json["data"]
    assert sorted(orgs) == ["acme", "annco"]
    assert api.get("/usergrid/management/users/ann/orgs", token=boss).status_code == 403
    assert api.get("/usergrid/management/me", token=ann).json["data"]["username"] == "ann"
    # removal takes access away from the token at once; the last admin cannot be removed
    assert api.delete("/usergrid/management/orgs/acme/users/ann", token=boss).status_code == 200
    assert api.get("/usergrid/management/orgs/acme/apps", token=ann).status_code == 401
    assert api.get("/usergrid/acme/prod/items", token=ann).status_code == 403
    assert api.delete("/usergrid/management/orgs/annco/users/ann", token=ann).status_code == 400
    assert api.get("/usergrid/management/orgs/acme/users/ann", token=boss).status_code == 404
