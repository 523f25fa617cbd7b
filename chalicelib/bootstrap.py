"""The composition root: the one place that wires storage to the core's services.

Nothing here runs at import. `services()` configures the pynamodb models (table names,
endpoint, region) on first use, so tests can start moto first and a Lambda pays only
for what a request touches.
"""

from __future__ import annotations

import secrets as pysecrets
import threading
from dataclasses import dataclass
from typing import Any

from .config import Settings, settings
from .core.auth import Auth, Principal
from .core.data import AppData, Policy
from .core.entities import Entities
from .core.planner import Executor
from .core.ports import VersionConflict
from .core.tenancy import App, Tenancy


@dataclass
class Services:
    settings: Settings
    entities: Entities
    executor: Executor
    tenancy: Tenancy
    auth: Auth
    policy: Policy

    def data(self, app: App, principal: Principal) -> AppData:
        """The app's data as this caller may see it: every dialect goes through here."""
        return AppData(self.entities, self.executor, app, principal, self.policy)


_lock = threading.Lock()
_services: Services | None = None


def configure_models(s: Settings) -> None:
    from .storage import meter
    from .storage.models import ALL_MODELS, TABLE_SUFFIXES

    for model in ALL_MODELS:
        model.Meta.table_name = f"{s.table_prefix}-{TABLE_SUFFIXES[model]}"
        model.Meta.host = s.dynamodb_endpoint
        model.Meta.region = s.region
        model._connection = None  # pick up the new Meta
        meter.instrument(model._get_connection().connection.client)


def services() -> Services:
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = _build(settings())
    return _services


def start_meter() -> Any:
    """A fresh DynamoDB meter for the current request (see storage/meter.py)."""
    from .storage import meter

    return meter.start()


def reset() -> None:
    """Forget settings and wiring (tests change the environment between cases)."""
    global _services
    settings.cache_clear()
    _services = None


def _build(s: Settings) -> Services:
    from .storage.entities import DynamoEntityStore, DynamoUniqueStore
    from .storage.tenants import DynamoDocStore, DynamoTokenStore

    configure_models(s)
    store, unique, docs = DynamoEntityStore(), DynamoUniqueStore(), DynamoDocStore()
    entities = Entities(store, unique)
    tenancy = Tenancy(docs, unique, s.secret_key or _stored_secret_key(docs), s.open_signup)
    auth = Auth(DynamoTokenStore(), tenancy, entities, s.token_ttl_s)
    return Services(s, entities, Executor(store), tenancy, auth, Policy())


def _stored_secret_key(docs: Any) -> str:
    """Without BAAS_SECRET_KEY (local runs, tests) the key lives in the tenants table, made once.

    Production sets BAAS_SECRET_KEY so that a copy of the tables alone does not reveal app keys.
    """
    got = docs.get("config#secret")
    if got is None:
        try:
            docs.put("config#secret", {"key": pysecrets.token_urlsafe(32)}, None)
        except VersionConflict:
            pass
        got = docs.get("config#secret")
    return str(got[0]["key"])


def create_resources(s: Settings | None = None) -> list[str]:
    """Create whatever tables and bucket are missing (local server, tests, first deploy)."""
    import boto3

    s = s or settings()
    configure_models(s)
    from .storage.models import ALL_MODELS, TokenModel

    made = []
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
            made.append(model.Meta.table_name)
            if model is TokenModel:
                client = boto3.client("dynamodb", region_name=s.region, endpoint_url=s.dynamodb_endpoint)
                client.update_time_to_live(TableName=model.Meta.table_name,
                                           TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    s3 = boto3.client("s3", region_name=s.region, endpoint_url=s.s3_endpoint)
    try:
        s3.head_bucket(Bucket=s.bucket)
    except Exception:
        kwargs: dict[str, Any] = {}
        if s.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": s.region}
        s3.create_bucket(Bucket=s.bucket, **kwargs)
        made.append(f"s3://{s.bucket}")
    return made
