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
