"""Cost of a permission-filtered query next to the unfiltered one (issue 3).

N items in one collection; a logged-in user may read a fraction of them (the others carry an
ACL naming someone else). The same equality query runs as the app (no filtering) and as the
user; we report entities returned, index entries + entities read and DynamoDB calls.

    .venv/bin/python bench/permissions.py [--n 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update({"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1",
                   "BAAS_TABLE_PREFIX": "bench", "BAAS_SCRYPT_N": "1024"})
for v in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3"):
    os.environ.pop(v, None)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    from moto import mock_aws

    from chalicelib import bootstrap
    from chalicelib.core.auth import Principal
    from chalicelib.core.query import Compare, Query
    from chalicelib.storage import meter

    with mock_aws():
        bootstrap.reset()
        bootstrap.create_resources()
        svc = bootstrap.services()
        org, admin, _ = svc.tenancy.signup("bench", "b", "B", "b@b.test", "pw")
        app = svc.tenancy.create_app(org, "prod")
        as_app = svc.data(app, Principal("app", app.uuid, app.uuid))
        user = as_app.create("users", {"username": "u"})
        for i in range(args.n):
            acl = None if i % 10 == 0 else {"someone-else": {"read": True}}  # the user may read 1 in 10
            as_app.create_record("items", {"kind": "k", "i": i}, acl=acl)
        as_user = svc.data(app, Principal("user", user["uuid"], app.uuid))
        rows = []
        for label, data in (("unfiltered (app)", as_app), ("filtered (user reads 10%)", as_user)):
            times, got = [], None
            for _ in range(5):
                m = meter.start()
                t = time.perf_counter()
                page = data.query("items", Query(Compare("kind", "eq", "k"), limit=20))
                times.append((time.perf_counter() - t) * 1000)
                got = (len(page.entities), m.items_read, m.total_calls, m.rcu)
            assert got is not None
            rows.append((label, got[0], got[1], got[2], got[3], statistics.median(times)))
        print(f"N = {args.n}, query `kind = 'k'` limit 20\n")
        print("| caller | returned | items read | DynamoDB calls | RCU | median ms (moto) |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:g} | {r[5]:.1f} |")


if __name__ == "__main__":
    main()
