"""`baas shards` (issue 15, hot partitions): show, set and migrate a collection's index layout."""

from __future__ import annotations

from typing import Any

import requests

from chalicelib.core import layouts
from chalicelib.core.ids import now_ms


def test_shards_show_set_migrate(baas: Any) -> None:
    from chalicelib.bootstrap import services

    tok = requests.post(baas.url + "/usergrid/management/token", timeout=60, json={
        "grant_type": "password", "username": "boss", "password": "s3cret!"}).json()["access_token"]
    r = requests.post(baas.url + "/usergrid/acme/prod/items", timeout=60, headers={"Authorization": f"Bearer {tok}"},
                      json=[{"name": f"i{i}", "n": i} for i in range(5)])
    assert r.status_code == 200, r.text
    r = baas("shards", "show", "prod", "items")
    assert r.exit_code == 0 and "shards 1 (writing 1), live layouts [1]" in r.output, r.output
    r = baas("shards", "set", "prod", "items", "16")
    assert r.exit_code == 0 and "shards 16 (writing 1)" in r.output and "baas shards migrate" in r.output, r.output
    assert baas("shards", "set", "prod", "items", "0").exit_code != 0
    r = baas("shards", "migrate", "--no-wait", "prod", "items")
    assert r.exit_code == 1 and "409" in r.output, r.output
    svc = services()
    real = svc.layouts.clock
    svc.layouts.clock = lambda: now_ms() + int(layouts.CACHE_S * 1000) + layouts.GRACE_MS + 2000
    try:
        r = baas("shards", "migrate", "prod", "items")
    finally:
        svc.layouts.clock = real
    assert r.exit_code == 0 and "moved 5 entities" in r.output and "live layouts [16]" in r.output, r.output
    got = requests.get(baas.url + "/usergrid/acme/prod/items?ql=order%20by%20n&limit=10", timeout=60,
                       headers={"Authorization": f"Bearer {tok}"}).json()
    assert [e["name"] for e in got["entities"]] == [f"i{i}" for i in range(5)]
