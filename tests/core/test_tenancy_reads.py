"""Issue 15: resolving an app by org and app name, cold (a new Lambda container), reads the org's
claim, the app's claim and the app's document (3 GetItems; the org's document is not needed)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.errors import TenantNotFound
from chalicelib.storage import meter


def test_a_cold_app_lookup_by_names_is_three_reads(svc: Any) -> None:
    org, _, _ = svc.tenancy.signup("acme", "boss", "B", "b@acme.test", "pw-boss-1")
    other, _, _ = svc.tenancy.signup("other", "oboss", "O", "o@other.test", "pw-boss-2")
    prod = svc.tenancy.create_app(org, "prod")
    svc.tenancy.create_app(other, "theirs")
    svc.tenancy._cache.clear()
    m = meter.start()
    assert svc.tenancy.app("ACME", "Prod").uuid == prod.uuid
    assert m.calls == {"GetItem": 3}
    assert svc.tenancy.app(org.uuid, "prod").uuid == prod.uuid  # by the org's uuid
    assert svc.tenancy.app("acme", prod.uuid).uuid == prod.uuid
    for org_name, app_name in (("acme", "theirs"), ("nobody", "prod"), ("other", "prod"), (other.uuid, "prod")):
        with pytest.raises(TenantNotFound, match="Could not find application for name"):
            svc.tenancy.app(org_name, app_name)
    svc.tenancy.org("acme")  # a cached org saves its claim's read too
    svc.tenancy._cache.pop("app:acme/prod")
    m = meter.start()
    svc.tenancy.app("acme", "prod")
    assert m.calls == {"GetItem": 2}


def test_the_schema_is_read_beside_the_entity(svc: Any) -> None:
    """A cold container's first read of a collection fetches its schema (field `access` rules) in the
    same round trip as the entity: the entity read here waits until the schema read has started."""
    import threading

    from chalicelib.core.auth import Principal

    org, _, _ = svc.tenancy.signup("acme", "boss", "B", "b@acme.test", "pw-boss-1")
    app = svc.tenancy.create_app(org, "prod")
    e = svc.entities.create(app.uuid, "items", {"name": "milk"})
    svc.metadata._cache.clear()
    schema_started = threading.Event()
    overlapped: list[bool] = []
    docs_get, store_get = svc.metadata.docs.get, svc.entities.store.get

    def schema_get(key: str) -> Any:
        schema_started.set()
        return docs_get(key)

    def entity_get(app_uuid: str, uuid: str) -> Any:
        overlapped.append(schema_started.wait(timeout=5))
        return store_get(app_uuid, uuid)

    svc.metadata.docs.get, svc.entities.store.get = schema_get, entity_get
    try:
        assert svc.data(app, Principal("app", "x")).get("items", e["uuid"])["name"] == "milk"
    finally:
        svc.metadata.docs.get, svc.entities.store.get = docs_get, store_get
    assert overlapped == [True]


@pytest.mark.parametrize("many", [False, True])
def test_a_cold_create_reads_what_it_checks_together(svc: Any, many: bool) -> None:
    """A cold container's first create (one, or a BEA/Parse batch) reads the caller's rules, the
    collection's schema, the class registry and the collection's index layout in one round trip:
    each read here waits until all four have started (they were four round trips one after another)."""
    import threading

    from chalicelib.core.auth import Principal
    from chalicelib.storage.tenants import DynamoDocStore

    org, _, _ = svc.tenancy.signup("acme", "boss", "B", "b@acme.test", "pw-boss-1")
    app = svc.tenancy.create_app(org, "prod")
    data = svc.data(app, Principal("key", None, app.uuid))
    for cache in (svc.policy._cache, svc.metadata._cache, svc.classes._cache, svc.layouts._cache):
        cache.clear()
    kinds = ("perm#", "schema#", "classes#", "layout#")
    barrier = threading.Barrier(len(kinds))
    together: dict[str, bool] = {}
    real = DynamoDocStore.get

    def get(self: Any, key: str) -> Any:
        kind = next((k for k in kinds if key.startswith(k)), None)
        if kind is not None and kind not in together:
            try:
                barrier.wait(timeout=5)
                together[kind] = True
            except threading.BrokenBarrierError:
                together[kind] = False
        return real(self, key)

    DynamoDocStore.get = get  # type: ignore[method-assign]
    try:
        if many:
            got = data.create_many("scores", [({"n": n}, None) for n in range(30)])
            assert len(got) == 30 and all(not isinstance(g, Exception) for g in got)
        else:
            data.create_record("scores", {"n": 1})
    finally:
        DynamoDocStore.get = real  # type: ignore[method-assign]
    assert together == dict.fromkeys(kinds, True)
