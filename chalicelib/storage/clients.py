"""One botocore session and one client per AWS service for the whole container, built on first use.

Why: a botocore session loads the endpoint rules and each service model it creates a client for;
pynamodb builds one `Connection` (so one session and one client) per model, and boto3.client() a
session of its own: a cold start paid for eight sessions (~1.2 s measured; one session and one client
per service: ~0.35 s). Here every pynamodb model shares one DynamoDB client (`share_dynamodb`), and the
S3, SES and Lambda stores get theirs from the same session. botocore clients are thread-safe for
calls; building them is not, hence the lock. boto3 itself is never imported on the request path.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.RLock()
_session: Any = None
_clients: dict[tuple[str, str, str | None], Any] = {}

# What pynamodb's own Connection.client would configure (its defaults), with a pool big enough for
# the parallel writes of one request (core/entities.py: claims and index entries in parallel).
MAX_POOL = 32


def session() -> Any:
    global _session
    if _session is None:
        with _lock:
            if _session is None:
                from botocore.session import get_session

                _session = get_session()
    return _session


def client(service: str, region: str, endpoint: str | None = None, **config: Any) -> Any:
    """The container's client for `service` (endpoint None: botocore reads AWS_ENDPOINT_URL* itself)."""
    key = (service, region, endpoint)
    got = _clients.get(key)
    if got is None:
        with _lock:
            got = _clients.get(key)
            if got is None:
                from botocore.config import Config

                got = session().create_client(service, region, endpoint_url=endpoint, config=Config(**config))
                _clients[key] = got
    return got


def dynamodb(region: str, endpoint: str | None) -> Any:
    from pynamodb.settings import get_settings_value

    return client("dynamodb", region, endpoint, parameter_validation=False,
                  connect_timeout=get_settings_value("connect_timeout_seconds"),
                  read_timeout=get_settings_value("read_timeout_seconds"),
                  max_pool_connections=MAX_POOL,
                  retries={"total_max_attempts": 1 + get_settings_value("max_retry_attempts"), "mode": "standard"})


def share_dynamodb(model: Any, region: str, endpoint: str | None) -> Any:
    """Point a pynamodb model's connection at the shared client (pynamodb would build its own).

    `Connection.client` keeps a client it already holds unless that client lost its credentials, so
    setting `_client` is enough; the table's schema comes from the model (no DescribeTable).
    """
    shared = dynamodb(region, endpoint)
    model._get_connection().connection._client = shared
    return shared


def reset() -> None:
    """Forget every client (tests switch endpoints and moto mocks between cases)."""
    global _session
    with _lock:
        _clients.clear()
        _session = None
