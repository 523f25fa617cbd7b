"""Sharded collections over HTTP (issue 15, hot partitions): the management routes that set a collection's
layout and migrate it, and Usergrid queries paging across shards and old entries."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.core import layouts
from chalicelib.core.ids import now_ms

APP = "/usergrid/acme/prod"
MGMT = "/usergrid/management/orgs/acme/apps/prod/collections"


@pytest.fixture
def later(client: Any) -> Any:
    """Move the layouts' clock past a switch and the migration's grace (instead of waiting ~90 s)."""
    from chalicelib.bootstrap import services

    svc = services()
    offset = [0]
    real = svc.layouts.clock
    svc.layouts.clock = lambda: now_ms() + offset[0]

    def jump() -> None:
        offset[0] += int(layouts.CACHE_S * 1000) + layouts.GRACE_MS + 2000

    yield jump
    svc.layouts.clock = real


def walk(api: Any, token: str, ql: str, limit: int = 3) -> list[str]:
    seen: list[str] = []
    cursor = ""
    for _ in range(50):
        r = api.get(f"{APP}/items?ql={quote(ql)}&limit={limit}{cursor}", token=token)
        assert r.status_code == 200, r.body
        seen += [e["name"] for e in r.json["entities"]]
        if not r.json.get("cursor"):
            return seen
        cursor = f"&cursor={r.json['cursor']}"
    raise AssertionError("cursor never ended")


def test_set_migrate_and_query_a_sharded_collection(api: Any, org: dict[str, Any], later: Any) -> None:
    tok = org["admin_token"]
    api.post(f"{APP}/items", [{"name": f"a{i:02d}", "n": i, "kind": "old"} for i in range(7)], token=tok)
    r = api.get(f"{MGMT}/items/shards", token=tok)
    assert r.status_code == 200 and r.json["shards"] == 1 and r.json["live"] == [1] and r.json["migrated"]
    r = api.put(f"{MGMT}/Item/shards", {"shards": 8}, token=tok)  # any spelling of the collection
    assert r.status_code == 200, r.body
    assert r.json["collection"] == "items" and r.json["shards"] == 8 and r.json["writing"] == 1
    assert r.json["live"] == [1, 8] and not r.json["migrated"]
    r = api.post(f"{MGMT}/items/shards/migrate", {}, token=tok)
    assert r.status_code == 409 and "migrate in" in r.json["error_description"]
    later()
    api.post(f"{APP}/items", [{"name": f"a{i:02d}", "n": i, "kind": "new"} for i in range(7, 14)], token=tok)
    every = [f"a{i:02d}" for i in range(14)]
    assert walk(api, tok, "select * order by n") == every
    assert walk(api, tok, "select * order by n desc", 4) == every[::-1]
    assert walk(api, tok, "select *") == every[::-1]  # newest first, across old and new layouts
    assert sorted(walk(api, tok, "kind = 'new'", 2)) == every[7:]
    assert walk(api, tok, "n >= 5 and n < 9 order by n") == every[5:9]
    assert api.get(f"{APP}/items?limit=1", token=tok).json["count"] == 1
    moved, cursor = 0, None
    for _ in range(20):
        r = api.post(f"{MGMT}/items/shards/migrate", {"limit": 3} | ({"cursor": cursor} if cursor else {}),
                     token=tok)
        assert r.status_code == 200, r.body
        moved += r.json["moved"]
        cursor = r.json.get("cursor")
        if not cursor:
            break
    assert moved == 7 and r.json["live"] == [8] and r.json["migrated"]
    assert walk(api, tok, "select * order by n") == every


def test_layout_routes_are_for_org_admins_and_check_input(api: Any, org: dict[str, Any]) -> None:
    tok = org["admin_token"]
    for bad in (0, 300, "8", None, 2.5):
        r = api.put(f"{MGMT}/items/shards", {"shards": bad}, token=tok)
        assert r.status_code == 400, (bad, r.body)
    assert api.put(f"{MGMT}/items/shards", ["x"], token=tok).status_code == 400
    assert api.put(f"{MGMT}/bad name!/shards", {"shards": 2}, token=tok).status_code == 400
    assert api.post(f"{MGMT}/items/shards/migrate", {"cursor": 5}, token=tok).status_code == 400
    assert api.post(f"{MGMT}/items/shards/migrate", {"cursor": "forged.x"}, token=tok).status_code == 400
    creds = org["credentials"]
    app_token = api.post(f"{APP}/token", {"grant_type": "client_credentials", "client_id": creds["credentials"][
        "client_id"], "client_secret": creds["credentials"]["client_secret"]}).json["access_token"]
    for token in (None, app_token):
        assert api.put(f"{MGMT}/items/shards", {"shards": 4}, token=token or "").status_code in (401, 403)
        assert api.post(f"{MGMT}/items/shards/migrate", {}, token=token or "").status_code in (401, 403)
    assert api.get(f"{MGMT}/items/shards", token=tok).json["shards"] == 1
