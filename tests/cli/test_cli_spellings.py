"""`baas spellings` (issue 13, ql property names in any case): the backfill an operator runs once after
upgrading, against a live server, looping over the management route's cursor."""

from __future__ import annotations

from typing import Any

import requests

from tests.usergrid.test_spellings_route import forget_spellings


def test_spellings_records_old_data_until_the_walk_ends(baas: Any) -> None:
    tok = requests.post(baas.url + "/usergrid/management/token", timeout=60, json={
        "grant_type": "password", "username": "boss", "password": "s3cret!"}).json()["access_token"]
    auth = {"Authorization": f"Bearer {tok}"}
    r = requests.post(baas.url + "/usergrid/acme/prod/items", timeout=60, headers=auth,
                      json=[{"Name": f"i{i}", "n": i} for i in range(5)])
    assert r.status_code == 200, r.text
    requests.post(baas.url + "/usergrid/acme/prod/paints", timeout=60, headers=auth, json={"COLOUR": "red"})
    forget_spellings()

    def found(collection: str, ql: str) -> int:
        got = requests.get(f"{baas.url}/usergrid/acme/prod/{collection}", params={"ql": ql}, timeout=60, headers=auth)
        assert got.status_code == 200, got.text
        return len(got.json()["entities"])

    assert found("items", "NAME = 'i3'") == 0
    r = baas("spellings", "--limit", "2", "prod", "items")
    assert r.exit_code == 0 and "read 5 entities of items: recorded 1 new spelling" in r.output, r.output
    assert found("items", "NAME = 'i3'") == 1 and found("paints", "colour = 'red'") == 0
    r = baas("spellings", "prod")
    assert r.exit_code == 0 and "read 6 entities of every collection: recorded 1 new spelling" in r.output, r.output
    assert found("paints", "colour = 'red'") == 1
    r = baas("spellings", "prod", "bad name!")
    assert r.exit_code == 1 and "400" in r.output, r.output
    r = baas("spellings", "nope")
    assert r.exit_code == 1 and "404" in r.output, r.output
