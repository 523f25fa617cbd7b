"""Every REST-key route asks the core: with the API-key role emptied, the key alone gets nothing.

Like tests/test_route_guard.py for anonymous callers, this walks every route the app has, so a
route added later that reaches a store without a decision fails here without anyone updating
this file. Only logins and password resets (which are not data actions) stay open to the key.
"""

from __future__ import annotations

import re
from typing import Any

# (method, route suffix) the key alone may still use: sessions, password reset and app info are not data actions.
OPEN = {
    ("POST", "/users/login"), ("GET", "/users/logout"), ("GET", "/users/isvalidusertoken/{token}"),
    ("GET", "/users/restorepassword/{identity}"), ("GET", "/info"),  # the SDK reads app info at start
}
OPEN_BEA = {("login",), ("logout",), ("requestPasswordReset",), ("Users", "login"), ("Users", "logout"),
            ("Users", "requestPasswordReset"), ("Users", "resetPassword"), ("Users", "me")}


def _fill(route: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "x"), route)


def test_key_alone_gets_nothing_once_the_api_key_role_is_empty(api: Any, org: dict[str, Any], svc: Any) -> None:
    from app import app

    creds, admin = org["credentials"], org["admin_token"]
    item = api.post("/usergrid/acme/prod/items", {"name": "thing"}, token=admin).json["entities"][0]
    body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nx\r\n--b--\r\n"
    assert api.call("POST", f"/backendless/{creds['uuid']}/{creds['rest_api_key']}/files/docs/a.txt",
                    raw=body, headers={"Content-Type": "multipart/form-data; boundary=b"}).status_code == 200
    svc.permissions.set_apikey_permissions(creds["uuid"], [])
    ids = {"app_id": creds["uuid"], "rest_key": creds["rest_api_key"], "table": "items", "object_id": item["uuid"],
           "objectId": item["uuid"], "p1": "docs", "p2": "a.txt", "name": "c", "key": "k", "channel": "news",
           "service": "greeter", "method": "hello", "relation": "likes"}
    leaks = []
    for route, entries in app.routes.items():
        if not route.startswith("/backendless/{app_id}/{rest_key}"):
            continue
        suffix = route[len("/backendless/{app_id}/{rest_key}"):]
        for method in entries:
            if method == "OPTIONS" or (method, suffix) in OPEN:
                continue
            r = api.call(method, _fill(route, ids), {"message": "m", "to": ["x@y.test"], "subject": "s"}, token="")
            if r.status_code < 400:
                leaks.append((method, suffix, r.status_code, r.body[:100]))
            assert r.status_code < 500, (method, suffix, r.body[:300])
    h = {"X-BEA-Application-Id": creds["uuid"], "X-BEA-Authorization": creds["rest_api_key"]}
    for parts in (("items",), ("items", item["uuid"]), ("items", item["uuid"], "media"), ("Users",),
                  ("_config",), ("_emails",), ("batch",), ("_locale",)):
        if parts in OPEN_BEA:
            continue
        for method in ("GET", "POST", "PUT", "DELETE"):
            r = api.call(method, "/bea/1/" + "/".join(parts), {"a": 1}, token="", headers=h)
            if r.status_code < 400 and not (parts == ("batch",) and method == "POST"):
                leaks.append((method, parts, r.status_code, r.body[:100]))
            assert r.status_code < 500, (method, parts, r.body[:300])
    assert leaks == []
