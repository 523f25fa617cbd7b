"""Every BEA route the OpenAPI document declares (models.ROUTES) is served by a router."""

from __future__ import annotations

from .conftest import Bea


def test_every_bea_route_reaches_its_router(bea: Bea) -> None:
    """BEA's routes are decided by its routers, not by Chalice: each declared one must be served."""
    from chalicelib.dialects.bea.models import ROUTES

    obj = bea.post("Thing", {"n": 1}).json["objectId"]
    user = bea.post("users", {"username": "ann", "password": "pw"}).json
    unknown = []
    for method, path, _ in ROUTES:
        url = path.removeprefix("/bea/1/").format(className="Thing", objectId=obj if "users" not in path else
                                                  user["objectId"])
        r = bea.call(method, url, {}, session=user["sessionToken"])
        assert r.status_code < 500, (method, path, r.body)
        if b"unknown route" in r.body or (r.status_code == 405):
            unknown.append((method, path, r.status_code, r.body[:100]))
    assert unknown == []
