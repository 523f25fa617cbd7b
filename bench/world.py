"""Where every cost benchmark starts: moto in-process, the tables and the bucket, an org with a
private app (not the open sandbox, whose rules differ), and the cost header shown to every caller.

    from world import bench_app      # scripts run as `python bench/<name>.py`: this folder is on sys.path
    with bench_app() as w:
        ...w.svc, w.app, w.creds...
        with w.client() as c:        # chalice.test.Client over the app
            ...
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update({
    "BAAS_COST_HEADER": "all",  # X-Request-Cost for every caller: the benchmarks measure key-only and user calls
    "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1", "BAAS_TABLE_PREFIX": "bench", "BAAS_BUCKET": "bench-files", "BAAS_SCRYPT_N": "1024",
})


@dataclass
class World:
    svc: Any  # chalicelib.bootstrap.Services
    app: Any  # chalicelib.core.tenancy.App
    creds: dict[str, str]  # client_id, client_secret, rest_api_key, master_key

    def client(self) -> Any:
        from chalice.test import Client

        from app import app

        return Client(app)


@contextmanager
def bench_app() -> Iterator[World]:
    from moto import mock_aws

    with mock_aws():
        from chalicelib import bootstrap

        bootstrap.reset()
        bootstrap.create_resources()
        svc = bootstrap.services()
        org, _, _ = svc.tenancy.signup("bench", "b", "B", "b@b.test", "pw")
        app = svc.tenancy.create_app(org, "prod")
        yield World(svc, app, svc.tenancy.credentials(app))
