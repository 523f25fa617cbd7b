"""Class registry rows of docs/BENCHMARKS.md: what keeping /parse/schemas on write costs a create.

    .venv/bin/python bench/parse_registry_costs.py
"""
import json
import os
import sys

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
os.environ.update({"BAAS_COST_HEADER": "all",  # the cost header to every caller, not only privileged ones
                   "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_REGION": "us-east-1", "BAAS_TABLE_PREFIX": "bench", "BAAS_BUCKET": "bench-files"})
from moto import mock_aws  # noqa: E402

with mock_aws():
    from chalicelib import bootstrap
    bootstrap.reset()
    bootstrap.create_resources()
    from chalice.test import Client

    from app import app
    svc = bootstrap.services()
    org, admin, sandbox = svc.tenancy.signup("bench", "b", "B", "b@b.test", "pw")
    a = svc.tenancy.create_app(org, "prod")
    H = {"X-Parse-Application-Id": a.uuid, "X-Parse-Master-Key": svc.tenancy.credentials(a)["master_key"], "Content-Type": "application/json"}
    with Client(app) as c:
        for label, body in [("first create of a class (3 new fields)", {"a": 1, "b": "x", "c": True}),
                            ("second create, same fields", {"a": 2, "b": "y", "c": False}),
                            ("create with one new field", {"a": 3, "d": 1.5})]:
            r = c.http.post("/parse/classes/Thing", headers=H, body=json.dumps(body))
            print(f"| {label} | `{r.headers['X-Request-Cost']}` |")
        r = c.http.get("/parse/schemas", headers=H)
        print(f"| GET /parse/schemas | `{r.headers['X-Request-Cost']}` |")
