"""Every Parse route the OpenAPI document declares (models.ROUTES) is served by its handler."""

from __future__ import annotations

from .conftest import Parse


def test_every_parse_route_reaches_its_handler(rest: Parse) -> None:
    """Parse's routes are decided by its `@route` registry, not by Chalice: each declared one must be served
    (with the master key, so master-only routes answer too), never as an unknown route, never a 5xx."""
    from chalicelib.dialects.parse.models import ROUTES

    oid = rest.post("classes/Thing", {"n": 1}).json["objectId"]
    fill = {"className": "Thing", "objectId": oid, "filename": "a.txt", "appId": rest.app_id,
            "functionName": "hello", "eventName": "opened", "jobName": "nope"}
    unknown = []
    for method, path, _ in ROUTES:
        url = path.removeprefix("/parse/").format(**fill)
        r = rest.call(method, url, {}, master=True)
        assert r.status_code < 500, (method, path, r.body)
        if b"unknown route" in r.body or r.status_code == 405:
            unknown.append((method, path, r.status_code, r.body[:100]))
    assert unknown == []
