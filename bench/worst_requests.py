"""docs/BENCHMARKS.md "Request budget": the most expensive single request per dialect, without and with
the per-request budget (core/budget.py).

moto in-process; one app with 200 `items` (rank 0..199) written through the Backendless bulk API.
"Before" runs the same requests with the budget's limits lifted (what the code did before issue 12:
no branch cap, no call ceiling, no bulk cap); "after" with the stage defaults. Each row reports the
status, the DynamoDB calls and items read from `X-Request-Cost`, and the wall time.

    .venv/bin/python bench/worst_requests.py
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
os.environ.update({"BAAS_COST_HEADER": "all",  # the cost header to every caller, not only privileged ones
                   "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_REGION": "us-east-1", "BAAS_TABLE_PREFIX": "bench", "BAAS_BUCKET": "bench-files",
                   "BAAS_SCRYPT_N": "1024"})
from moto import mock_aws  # noqa: E402

N = 200
UNLIMITED = {"calls": 10**9, "items": 10**9, "seconds": 10.0**9, "branches": 10**9, "bulk": 10**9}


def cost(r: Any) -> dict[str, str]:
    return dict(p.strip().split("=", 1) for p in r.headers["X-Request-Cost"].split(";"))


def main() -> None:
    with mock_aws():
        from chalicelib import bootstrap

        bootstrap.reset()
        bootstrap.create_resources()
        from chalice.test import Client

        from app import app

        svc = bootstrap.services()
        org, _, _ = svc.tenancy.signup("bench", "b", "B", "b@b.test", "pw")
        a = svc.tenancy.create_app(org, "prod")
        creds = svc.tenancy.credentials(a)
        bl = f"/backendless/{a.uuid}/{creds['rest_api_key']}"
        bea = {"X-BEA-Application-Id": a.uuid, "X-BEA-Authorization": creds["rest_api_key"]}
        with Client(app) as c:
            token = json.loads(c.http.post("/usergrid/bench/prod/token", headers={"Content-Type": "application/json"},
                                           body=json.dumps({"grant_type": "client_credentials",
                                                            "client_id": creds["client_id"],
                                                            "client_secret": creds["client_secret"]})).body)["access_token"]
            for start in range(0, N, 100):
                r = c.http.post(f"{bl}/data/bulk/Item", headers={"Content-Type": "application/json"},
                                body=json.dumps([{"rank": i, "k": 1} for i in range(start, start + 100)]))
                assert r.status_code == 200, r.body
            ug = "/usergrid/bench/prod/items"
            ug_h = {"Authorization": f"Bearer {token}"}
            in1000 = list(range(N, N + 1000))  # values no entity holds: every branch is read (the worst case)
            rows = [
                ("Usergrid", "200 OR terms matching nothing", "GET", f"{ug}?ql=" + quote(" or ".join(f"rank = {v}" for v in range(N, N + 200))), ug_h, None),
                ("Usergrid", "bulk PUT, limit 1000", "PUT", f"{ug}?ql=" + quote("k = 1") + "&limit=1000", ug_h, {"k": 1}),
                ("BEA", "$in of 1,000 absent values (key only)", "GET",
                 "/bea/1/Item?where=" + quote(json.dumps({"rank": {"$in": in1000}})), bea, None),
                ("Backendless", "IN of 700 absent values (the where clause stops at 4,000 characters)", "GET",
                 f"{bl}/data/Item?where=" + quote("rank in (" + ",".join(map(str, in1000[:700])) + ")"), {}, None),
                ("Backendless", "count with a where clause", "GET", f"{bl}/data/Item/count?where=" + quote("k = 1"), {}, None),
                ("Backendless", "bulk update of every match", "PUT", f"{bl}/data/bulk/Item?where=" + quote("k = 1"), {},
                 {"k": 1}),
            ]
            base = svc.settings
            print(f"| dialect | request ({N} entities) | before: status, calls, items, s | after: status, calls, items, s |")
            print("|---|---|---|---|")
            for dialect, label, method, url, headers, body in rows:
                out = []
                for limits in (dataclasses.replace(base.limits, **UNLIMITED), base.limits):
                    svc.settings = dataclasses.replace(base, limits=limits)
                    t = time.perf_counter()
                    r = getattr(c.http, method.lower())(url, headers={"Content-Type": "application/json", **headers},
                                                        body=json.dumps(body) if body is not None else None)
                    dt = time.perf_counter() - t
                    k = cost(r)
                    out.append(f"{r.status_code}, {k['calls']}, {k['items_read']}, {dt:.2f}")
                svc.settings = base
                print(f"| {dialect} | {label} | {out[0]} | {out[1]} |")


if __name__ == "__main__":
    main()
