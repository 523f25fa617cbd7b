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
