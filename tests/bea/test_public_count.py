"""Issue 15: `count=1` with the REST key from the index alone (entries flag whether anyone may read
their entity), exactly the count reading the entities gives, for every kind of caller, in BEA and
Parse (both count through dialects/parselike)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.bea.conftest import Bea
from tests.parse.conftest import Parse

MINE = {"read": True, "write": True}


def _count(c: Any, path: str, where: Any, **kw: Any) -> tuple[int, str]:
    r = c.get(path, params={"where": where, "count": 1, "limit": 0}, **kw)
    assert r.status_code == 200, r.body
    return r.json["count"], r.headers.get("X-Request-Cost", "")


def _read(c: Any, path: str, where: Any, **kw: Any) -> int:
    r = c.get(path, params={"where": where, "limit": 1000}, **kw)
    assert r.status_code == 200, r.body
    return len(r.json["results"])


@pytest.fixture
def cost_for_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """X-Request-Cost for key and user callers too (what the benchmarks do)."""
    from chalicelib.config import settings

    monkeypatch.setenv("BAAS_COST_HEADER", "all")
    settings.cache_clear()


def test_key_counts_from_the_index_and_every_caller_counts_what_it_reads(
        bea: Bea, client: Any, org: dict[str, Any], cost_for_all: None) -> None:
    creds = org["credentials"]
    parse = Parse(client, creds["uuid"], creds["rest_api_key"], creds["master_key"])
    ann = bea.post("Users", {"username": "ann", "password": "pw-ann-1"}).json
    bob = bea.post("Users", {"username": "bob", "password": "pw-bob-1"}).json
    acls: list[Any] = [None, None, None, {"*": {"read": True}}, {"*": MINE},  # readable by anyone: 5
                       {"*": {"write": True}}, {"role:mods": {"read": True}}, {bob["objectId"]: MINE}]
    for n, acl in enumerate(acls):
        body = {"tier": 1, "n": n, **({"ACL": acl} if acl is not None else {})}
        assert bea.post("Item", body).status_code == 201
    for n in range(2):  # ann's own private objects
        r = bea.post("Item", {"tier": 1, "n": 100 + n, "ACL": {ann["objectId"]: MINE}}, session=ann["sessionToken"])
        assert r.status_code == 201, r.body
    assert bea.post("Item", {"tier": 2}).status_code == 201
    tier = {"tier": 1}
    master = {"headers": {"X-BEA-Master-Key": creds["master_key"]}, "auth": False}
    master["headers"]["X-BEA-Application-Id"] = creds["uuid"]

    callers: dict[str, tuple[Any, str, dict[str, Any], int]] = {
        "key": (bea, "Item", {}, 5),
        "ann": (bea, "Item", {"session": ann["sessionToken"]}, 7),
        "bob": (bea, "Item", {"session": bob["sessionToken"]}, 6),
        "master": (bea, "Item", master, 10),
        "parse key": (parse, "classes/Item", {}, 5),
        "parse ann": (parse, "classes/Item", {"session": ann["sessionToken"]}, 7),
        "parse master": (parse, "classes/Item", {"master": True}, 10),
    }
    for name, (c, path, kw, want) in callers.items():
        counted, _ = _count(c, path, tier, **kw)
        assert counted == want == _read(c, path, tier, **kw), name
    assert _count(bea, "Item", {})[0] == 6 == _read(bea, "Item", {})  # the whole class: the `created` index

    _count(bea, "Item", tier)  # the rules document is cached now
    for c, path in ((bea, "Item"), (parse, "classes/Item")):
        counted, cost = _count(c, path, tier)
        assert counted == 5 and "ops=Query:1;" in cost + ";" and "calls=1;" in cost, cost  # no entity read
    _, cost = _count(bea, "Item", tier, session=ann["sessionToken"])  # ACLs may name ann: read them
    assert "BatchGetItem" in cost, cost


def test_an_acl_change_rewrites_the_flag(bea: Bea, org: dict[str, Any], cost_for_all: None) -> None:
    oid = bea.post("Item", {"tier": 1, "name": "x"}).json["objectId"]
    bea.post("Item", {"tier": 1})
    assert _count(bea, "Item", {"tier": 1})[0] == 2
    assert bea.put(f"Item/{oid}", {"ACL": {"role:mods": {"read": True, "write": True}}}).status_code == 200
    assert _count(bea, "Item", {"tier": 1})[0] == 1 == _read(bea, "Item", {"tier": 1})
    master = {"X-BEA-Application-Id": org["credentials"]["uuid"], "X-BEA-Master-Key": org["credentials"]["master_key"]}
    r = bea.put(f"Item/{oid}", {"ACL": {"*": {"read": True}}, "name": "y"}, headers=master, auth=False)
    assert r.status_code == 200, r.body
    counted, cost = _count(bea, "Item", {"tier": 1})
    assert counted == 2 == _read(bea, "Item", {"tier": 1}) and "BatchGetItem" not in cost, cost
    assert _count(bea, "Item", {"name": "y"})[0] == 1


def test_entries_written_before_the_flag_are_counted_by_reading(bea: Bea, cost_for_all: None) -> None:
    """Entries without `r` (data from before this change) are unknown: the count reads the entities."""
    from chalicelib.storage.models import IndexModel

    for acl in (None, {"*": {"write": True}}, None):
        bea.post("Item", {"tier": 3, **({"ACL": acl} if acl else {})})
    old = [i for i in IndexModel.scan() if i.pk.endswith("#tier")]
    assert len(old) == 3 and {i.r for i in old} == {0, 1}
    old[0].r = None
    old[0].save()
    counted, cost = _count(bea, "Item", {"tier": 3})
    assert counted == 2 == _read(bea, "Item", {"tier": 3}) and "BatchGetItem" in cost, cost


def test_readable_by_anyone_is_the_acl_rule_for_a_caller_without_user_or_role() -> None:
    from chalicelib.core.entities import readable_by_anyone
    from chalicelib.core.permissions import _acl_allows

    for acl in [{}, {"*": {}}, {"*": {"read": False}}, {"*": {"read": True}}, {"*": {"write": True}},
                {"*": "yes"}, {"u1": {"read": True}}, {"role:x": {"read": True}, "*": {"read": 1}}]:
        assert readable_by_anyone(acl) == _acl_allows(acl, "get", None, set()), json.dumps(acl)
    assert readable_by_anyone(None)
