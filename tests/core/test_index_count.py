"""Counts answered by the index alone (issue 15): one Select=COUNT Query, no entity read, and only for
callers from whom nothing is hidden and where clauses whose index range holds one entry per match."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.auth import Principal
from chalicelib.core.planner import count_range
from chalicelib.core.query import And, Compare
from chalicelib.storage import meter


@pytest.fixture
def data(svc: Any) -> Any:
    org, _, _ = svc.tenancy.signup("cnt", "cnt", "C", "c@c.test", "pw-cnt")
    app = svc.tenancy.create_app(org, "prod")  # not the open sandbox
    for i in range(12):
        svc.entities.create(app.uuid, "items", {"tier": i % 3, "vip": i % 4 == 0, "tags": [i % 3, 7]})
    return lambda principal: svc.data(app, principal)


def test_equality_on_a_number_is_one_count_query(data: Any) -> None:
    d = data(Principal("app", "x"))
    d.count("items", None)  # warms the per-container caches (schema access rules: one GetItem per 5 s)
    m = meter.start()
    assert d.count("items", Compare("tier", "eq", 1)) == 4
    assert m.calls == {"Query": 1} and m.items_read == 4
    assert d.count("items", Compare("vip", "eq", True)) == 3
    assert d.count("items", Compare("tags", "eq", 7)) == 12  # one entry per distinct value per entity
    assert d.count("items", None) == 12


def test_what_needs_the_entities_is_not_counted_on_the_index(data: Any) -> None:
    d = data(Principal("app", "x"))
    assert d.count("items", Compare("tier", "gt", 0)) is None  # multi-valued fields: two entries in range
    assert d.count("items", Compare("name", "eq", "a")) is None  # string keys are cut and lower-cased
    assert d.count("items", And((Compare("tier", "eq", 1), Compare("vip", "eq", True)))) is None
    assert count_range(Compare("a.b", "eq", 1)) is None  # nested paths elide arrays


def test_a_filtered_caller_gets_no_index_count(data: Any) -> None:
    assert data(Principal("user", "u1")).count("items", Compare("tier", "eq", 1)) is None  # ACLs may name it


def test_a_key_counts_the_entries_of_entities_anyone_may_read(svc: Any, data: Any) -> None:
    """A REST key reads exactly the entities whose ACL lets anyone read: their entries say so (`r`)."""
    key = data(Principal("key", None))
    app = key.app
    svc.entities.create(app.uuid, "items", {"tier": 1}, acl={"u1": {"read": True}})
    svc.entities.create(app.uuid, "items", {"tier": 1}, acl={"*": {"read": True}})
    key.count("items", None)  # warms the rules document (5 s)
    m = meter.start()
    assert key.count("items", Compare("tier", "eq", 1)) == 5  # 4 without an ACL + 1 public
    assert m.calls == {"Query": 1} and m.items_read == 6


def test_a_key_granted_single_entities_or_stopped_by_a_clp_counts_by_reading(svc: Any, data: Any) -> None:
    """`reads_public` holds only when the key's grant covers every entity: else its count is None
    (the dialect reads and counts what the key may see), never the index's."""
    key = data(Principal("key", None))
    app = key.app
    one = svc.entities.create(app.uuid, "items", {"tier": 1})
    assert key.count("items", Compare("tier", "eq", 1)) == 5
    svc.permissions.set_apikey_permissions(app.uuid, ["get:/items", f"get:/items/{one['uuid']}"])
    assert not svc.permissions.reads_public(app, key.principal, "items")
    assert key.count("items", Compare("tier", "eq", 1)) is None
    svc.permissions.set_apikey_permissions(app.uuid, ["get:/items", "get:/items/*"])
    assert key.count("items", Compare("tier", "eq", 1)) == 5
    svc.permissions.set_class_permissions(app.uuid, "items", {"get": {"role:staff": True}, "find": {"role:staff": True}})
    assert not svc.permissions.reads_public(app, key.principal, "items")
    assert not svc.permissions.reads_public(app, Principal("user", "u1"), "items")
