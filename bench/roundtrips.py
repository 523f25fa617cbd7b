"""Sequential DynamoDB round trips per request, counted on the client's wire (issue 15).

Every DynamoDB call of the app goes through botocore; a `before-call` / `after-call` hook on each
client records when it left and when its answer came back. Calls whose intervals overlap went out
together, so the number of separate groups (the union of the intervals) is the number of sequential
round trips a request waited for; `calls` is how many requests DynamoDB billed. moto runs in-process,
each call first waiting 5 ms as on a network (`_network`: otherwise moto's work, which holds the GIL,
would serialize calls that a real network lets overlap);
requests go through the HTTP edge (chalice.test.Client) as a client sends them. Also reported: the
share of item writes that the hottest partition key took while creating (a key takes ~1,000 WCU/s,
so one collection takes about 1,000 / (writes to that key per create) creates per second).

    .venv/bin/python bench/roundtrips.py                   # this tree
    .venv/bin/python bench/roundtrips.py --root /tmp/main  # another checkout (the "before" column)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "BAAS_SCRYPT_N": "1024",
    "BAAS_TABLE_PREFIX": "rt", "BAAS_BUCKET": "rt-files", "BAAS_SECRET_KEY": "r" * 40,
})
for _var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
    os.environ.pop(_var, None)

HASH_KEYS = {"entities": "pk", "index": "pk", "unique": "pk", "tenants": "pk", "tokens": "pk"}


class Wire:
    """Intervals of DynamoDB calls (all threads) and the partition keys of item writes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.open: dict[int, float] = {}
        self.spans: list[tuple[float, float]] = []
        self.ops: Counter[str] = Counter()
        self.pk_writes: Counter[str] = Counter()

    def params(self, model: Any = None, params: Any = None, **_: Any) -> None:
        with self.lock:
            self.ops[model.name] += 1
            for pk in _written_keys(model.name, params or {}):
                self.pk_writes[pk] += 1

    def before(self, context: Any = None, **_: Any) -> None:
        with self.lock:
            self.open[id(context)] = time.perf_counter()

    def after(self, context: Any = None, **_: Any) -> None:
        with self.lock:
            start = self.open.pop(id(context), None)
            if start is not None:
                self.spans.append((start, time.perf_counter()))

    def round_trips(self) -> int:
        n, end = 0, -1.0
        for a, b in sorted(self.spans):
            if a > end:
                n += 1
            end = max(end, b)
        return n


def _written_keys(op: str, p: dict[str, Any]) -> list[str]:
    def pk(table: str, item: dict[str, Any]) -> str:
        v = item.get("pk", {})
        return f"{table.rsplit('-', 1)[-1]}|{next(iter(v.values()), '?') if v else '?'}"

    if op == "PutItem":
        return [pk(p["TableName"], p.get("Item", {}))]
    if op in ("DeleteItem", "UpdateItem"):
        return [pk(p["TableName"], p.get("Key", {}))]
    if op == "BatchWriteItem":
        return [pk(t, r.get("PutRequest", {}).get("Item") or r.get("DeleteRequest", {}).get("Key", {}))
                for t, reqs in p.get("RequestItems", {}).items() for r in reqs]
    return []


WIRE = Wire()
LATENCY_S = 0.005


def _network(**_: Any) -> None:
    """A DynamoDB round trip's wait (~5 ms), before in-process moto answers: calls sent together wait
    together, as on the network (moto's own work holds the GIL, which alone would serialize them)."""
    time.sleep(LATENCY_S)


def _instrument() -> None:
    from chalicelib.storage.models import ALL_MODELS

    for client in {id(c): c for c in (m._get_connection().connection.client for m in ALL_MODELS)}.values():
        if not getattr(client, "_rt_wire", False):
            client.meta.events.register("before-parameter-build.dynamodb", WIRE.params)
            client.meta.events.register("before-call.dynamodb", WIRE.before)
            client.meta.events.register("after-call.dynamodb", WIRE.after)
            client.meta.events.register("after-call-error.dynamodb", WIRE.after)
            client.meta.events.register_first("before-send.dynamodb", _network)
            client._rt_wire = True


def measure(c: Any, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
            before: Any = None) -> dict[str, Any]:
    if before:
        before()
    _instrument()
    WIRE.reset()
    h = {"Content-Type": "application/json", **(headers or {})}
    with contextlib.redirect_stdout(io.StringIO()):
        r = getattr(c.http, method.lower())(path, headers=h, body=json.dumps(body) if body is not None else None)
    assert r.status_code < 300, (path, r.status_code, r.body[:300])
    return {"round_trips": WIRE.round_trips(), "calls": sum(WIRE.ops.values()), "ops": dict(WIRE.ops),
            "body": json.loads(r.body) if r.body[:1] in (b"{", b"[") else None}


def run(reps: int) -> dict[str, Any]:
    from chalice.test import Client
    from moto import mock_aws

    with mock_aws():
        from app import app
        from chalicelib import bootstrap

        bootstrap.reset()
        bootstrap.create_resources()
        svc = bootstrap.services()
        org, _, _ = svc.tenancy.signup("acme", "boss", "Boss", "boss@acme.test", "s3cret!")
        prod = svc.tenancy.create_app(org, "prod")
        creds = svc.tenancy.credentials(prod)
        P = "/usergrid/acme/prod"
        out: dict[str, list[dict[str, Any]]] = {}
        with Client(app) as c:
            def j(method: str, path: str, body: Any = None, **kw: Any) -> dict[str, Any]:
                return measure(c, method, path, body, **kw)

            j("POST", f"{P}/users", {"username": "ann", "email": "ann@acme.test", "password": "pw-ann"})
            tok = j("POST", f"{P}/token", {"grant_type": "password", "username": "ann",
                                            "password": "pw-ann"})["body"]["access_token"]
            auth = {"Authorization": f"Bearer {tok}"}
            cold_rules = getattr(svc.policy, "_cache", {}).clear
            S = "/usergrid/acme/sandbox"  # the open app: no token, as the CRUD figures
            for i in range(reps + 1):  # the first pass warms the containers' caches (tenancy, rules)
                rows = {"create": j("POST", f"{S}/items", {"name": f"it{i}", "color": "red", "n": i})}
                rows["get by name"] = j("GET", f"{S}/items/it{i}")
                rows["update (by name)"] = j("PUT", f"{S}/items/it{i}", {"color": "blue"})
                rows["delete (by name)"] = j("DELETE", f"{S}/items/it{i}")
                uuid = j("POST", f"{P}/items", {"name": f"it{i}", "n": i}, headers=auth)["body"]["entities"][0]["uuid"]
                rows["token-authenticated get by uuid, rules not cached (private app)"] = j(
                    "GET", f"{P}/items/{uuid}", headers=auth, before=cold_rules)
                rows["token-authenticated get by uuid, rules cached"] = j("GET", f"{P}/items/{uuid}", headers=auth)
                if i:
                    for k, v in rows.items():
                        out.setdefault(k, []).append(v)
            # creates into one collection: which partition key takes the most item writes
            WIRE.reset()
            _instrument()
            for i in range(20):
                with contextlib.redirect_stdout(io.StringIO()):
                    c.http.post(f"{P}/things", headers={**auth, "Content-Type": "application/json"},
                                body=json.dumps({"name": f"t{i}", "color": ["red", "blue"][i % 2], "n": i,
                                                 "title": f"thing number {i}"}))
            hot_key, hot_n = WIRE.pk_writes.most_common(1)[0]
            # BEA: count over 200 matches, a batch of 50 creates
            bea = {"X-BEA-Application-Id": prod.uuid, "X-BEA-Authorization": creds["rest_api_key"]}
            for k in range(0, 240, 50):
                j("POST", "/bea/1/batch", {"requests": [
                    {"method": "POST", "path": "/1/Score", "body": {"tier": 1 if n < 200 else 2, "n": n}}
                    for n in range(k, min(k + 50, 240))]}, headers=bea)
            where = json.dumps({"tier": 1})
            out["BEA count=1 over 200 matches, limit=0 (REST key)"] = [
                j("GET", f"/bea/1/Score?where={where}&count=1&limit=0", headers=bea) for _ in range(reps)]
            out["BEA batch of 50 creates"] = [j("POST", "/bea/1/batch", {"requests": [
                {"method": "POST", "path": "/1/Other", "body": {"n": n, "r": r}} for n in range(50)]}, headers=bea)
                for r in range(max(1, reps // 2))]
            data = svc.data(prod, __import__("chalicelib.core.auth", fromlist=["Principal"]).Principal("app", prod.uuid))
            if hasattr(data, "countable"):  # the index count (this tree): the same count as an unfiltered caller
                from chalicelib.core.query import Compare

                def core_count() -> dict[str, Any]:
                    WIRE.reset()
                    n = data.count("scores", Compare("tier", "eq", 1))
                    assert n == 200, n
                    return {"round_trips": WIRE.round_trips(), "calls": sum(WIRE.ops.values()), "ops": dict(WIRE.ops)}

                out["count over 200 matches, unfiltered caller (core AppData.count)"] = [core_count() for _ in range(reps)]
    result = {k: {"round_trips": statistics.median(v["round_trips"] for v in vs),
                  "calls": statistics.median(v["calls"] for v in vs),
                  "ops": Counter(json.dumps(v["ops"], sort_keys=True) for v in vs).most_common(1)[0][0]}
              for k, vs in out.items()}
    return {"ops": result, "hot_key": hot_key.split("|", 1)[1].split("#", 2)[-1], "hot_writes_per_create": hot_n / 20,
            "creates_per_s_bound": round(1000 / (hot_n / 20))}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    os.chdir(args.root)
    print(json.dumps(run(args.reps), indent=1))


if __name__ == "__main__":
    main()
