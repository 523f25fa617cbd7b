"""Lightblue rows of docs/BENCHMARKS.md: X-Request-Cost of data requests on a `customer` entity.

N `customer` documents (default 1,001) under the metadata of tests/lightblue/conftest.py (unique
index on `login`), inserted 200 per request (above 200 a request goes async), each with `login`,
`email`, `age`, `level`, `score`, a nested `address.city` and an array of objects `items`;
moto in-process, through chalice.test.Client with a client_credentials app token. Each request
runs twice and the second run is reported, with the schema, app and permission caches held warm
(on moto one request can outlive their 5 s / 30 s lifetimes). Reads run before any write, so every
find sees exactly N documents. `rcu`/`wcu` are moto's (GetItem 0.5, Query/PutItem/DeleteItem 1 a
call, BatchGetItem 1 a key, BatchWriteItem 1 a call whatever it holds); `items written` is counted
from the request parameters, one per item put or deleted, which is what DynamoDB bills (<= 1 KB).

    .venv/bin/python bench/lightblue_costs.py            # N = 1,001
    .venv/bin/python bench/lightblue_costs.py --n 5000
"""
import argparse
import contextlib
import json
import os
import sys
import time

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
os.environ.update({"BAAS_COST_HEADER": "all",  # the cost header to every caller, not only privileged ones
                   "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_REGION": "us-east-1", "BAAS_TABLE_PREFIX": "bench", "BAAS_BUCKET": "bench-files"})
from moto import mock_aws  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--n", type=int, default=1001, help="documents in the collection (default 1,001)")
N = ap.parse_args().n
GOLD = 100  # documents with level = gold: the first 100, whatever N
OSLO = 10  # documents with address.city = Oslo: the first 10

from tests.lightblue.conftest import USER_META as META  # noqa: E402  (the tests' customer schema)


def doc(i: int, prefix: str = "u") -> dict:
    return {"login": f"{prefix}{i}", "email": f"{prefix}{i}@example.test", "age": i % 90,
            "level": "gold" if i < GOLD else ("silver", "bronze")[i % 2], "score": i / 7,
            "address": {"city": "Oslo" if i < OSLO else f"city{i}", "zip": f"{i:05d}"},
            "items": [{"sku": f"s{i}", "qty": i % 5}, {"sku": f"k{i % 7}", "qty": 1}]}


def cost(r) -> dict:
    return dict(p.split("=", 1) for p in r.headers["X-Request-Cost"].split("; "))


class Writes:
    """Items written, counted from the request parameters: moto's WCU is 1 per call, not per item."""

    items = 0

    def __call__(self, params=None, model=None, **_) -> None:
        name = getattr(model, "name", "")
        if name in ("PutItem", "DeleteItem", "UpdateItem"):
            self.items += 1
        elif name == "BatchWriteItem" and isinstance(params, dict):
            self.items += sum(len(v) for v in (params.get("RequestItems") or {}).values())


WRITES = Writes()


with mock_aws():
    from chalicelib import bootstrap
    bootstrap.reset()
    bootstrap.create_resources()
    from chalicelib.core import metadata, permissions, tenancy
    from chalicelib.storage.models import ALL_MODELS
    # caches held warm: on moto one request can take longer than their 5 s / 30 s lifetimes
    metadata.CACHE_S = permissions._CACHE_S = tenancy._CACHE_S = 3600.0
    from chalice.test import Client

    from app import app
    svc = bootstrap.services()
    org, admin, sandbox = svc.tenancy.signup("bench", "b", "B", "b@b.test", "pw")
    a = svc.tenancy.create_app(org, "prod")
    creds = svc.tenancy.credentials(a)
    for client in {id(c): c for c in (m._get_connection().connection.client for m in ALL_MODELS)}.values():
        client.meta.events.register("before-parameter-build.dynamodb", WRITES)  # one client is shared
    with Client(app) as c, open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):  # the request log lines
        def post(path: str, body: dict, method: str = "POST", token: str | None = None):
            h = {"Content-Type": "application/json"}
            if token or TOKEN:
                h["Authorization"] = f"Bearer {token or TOKEN}"
            r = getattr(c.http, method.lower())(path, headers=h, body=json.dumps(body))
            assert r.status_code == 200, (path, r.status_code, r.body[:500])
            return r

        TOKEN = None
        TOKEN = json.loads(post("/usergrid/bench/prod/token", {
            "grant_type": "client_credentials", "client_id": creds["client_id"],
            "client_secret": creds["client_secret"]}).body)["access_token"]
        D = "/lightblue/rest/data"
        post("/lightblue/rest/metadata/customer/1.0.0", META, "PUT")

        t0 = time.perf_counter()
        ids = []
        for start in range(0, N, 200):
            r = post(f"{D}/insert/customer", {"data": [doc(i) for i in range(start, min(N, start + 200))],
                                              "projection": {"field": "_id"}}, "PUT")
            body = json.loads(r.body)
            assert body["status"] == "COMPLETE" and body["modifiedCount"] == min(200, N - start), r.body[:500]
            ids += [d["_id"] for d in body["processed"]]
        fill_s = time.perf_counter() - t0

        P = {"projection": {"field": "*", "recursive": True}}

        def q(field: str, value, op: str = "=") -> dict:
            return {"field": field, "op": op, "rvalue": value}

        regex = {"field": "login", "regex": "^u1.*7$"}
        reads = [
            ("find by `_id`", {"query": q("_id", ids[42]), **P}),
            ("find `login = x` (1 match; unique index)", {"query": q("login", "u42"), **P}),
            (f"find `level = gold` (range [0, 9], {GOLD} matches)", {"query": q("level", "gold"), "range": [0, 9], **P}),
            (f"find `address.city = Oslo` (dotted path, {OSLO} matches)", {"query": q("address.city", "Oslo"), **P}),
            ("find `items.*.sku = s42` (array of objects, 1 match)", {"query": q("items.*.sku", "s42"), **P}),
            ("find regex `login ~ ^u1.*7$` alone (filter)", {"query": regex, "range": [0, 9], **P}),
            ("find regex `$and` `level = gold` (filter on the indexed read)",
             {"query": {"$and": [regex, q("level", "gold")]}, "range": [0, 9], **P}),
            ("find all, unsorted page `range [10, 19]` (count of `created` + the page)", {"range": [10, 19], **P}),
            ("find all, same page with `sort: {_id: $desc}` (reads the whole match)",
             {"range": [10, 19], "sort": {"_id": "$desc"}, **P}),
        ]
        rows = []

        def measure(label: str, send) -> None:
            for run in range(2):
                t, w = time.perf_counter(), WRITES.items
                r = send(run)
                ms, written = (time.perf_counter() - t) * 1000, WRITES.items - w
            body = json.loads(r.body)
            if "responses" in body:
                out = "; ".join(f"{x['response']['status']}" for x in body["responses"])
            else:
                assert body.get("status") == "COMPLETE", r.body[:500]
                out = f"{body.get('matchCount', 0)} / {body.get('modifiedCount', 0)} / {len(body.get('processed', []))}"
            rows.append((label, out, cost(r), written, ms))

        for label, body in reads:
            measure(label, lambda run, body=body: post(f"{D}/find/customer", body))
        # writes: each run its own documents where a run would otherwise change what the next one sees
        measure("update `$add` by `_id`", lambda run: post(f"{D}/update/customer", {
            "query": q("_id", ids[7]), "update": {"$add": {"score": 1}}, **P}))
        measure(f"update `$add` on `level = gold` ({GOLD} matches)", lambda run: post(f"{D}/update/customer", {
            "query": q("level", "gold"), "update": {"$add": {"score": 1}}, "projection": {"field": "_id"}}))
        measure("save (replace) by `_id`", lambda run: post(f"{D}/save/customer", {
            "data": {**doc(8), "_id": ids[8], "age": 30 + run}, **P}))
        measure("delete by `_id`", lambda run: post(f"{D}/delete/customer", {"query": q("_id", ids[-1 - run])}))
        measure("bulk: FIND `login = x`, INSERT 1, UPDATE `$add` by `_id`", lambda run: post(f"{D}/bulk", {
            "requests": [
                {"seq": 0, "op": "FIND", "request": {"entity": "customer", "query": q("login", "u43"), **P}},
                {"seq": 1, "op": "INSERT", "request": {"entity": "customer", "data": [doc(run, "b")], **P}},
                {"seq": 2, "op": "UPDATE", "request": {"entity": "customer", "query": q("_id", ids[9]),
                                                       "update": {"$add": {"score": 1}}, **P}}]}))
        measure("insert of 100 documents (unique `login`)", lambda run: post(f"{D}/insert/customer", {
            "data": [doc(N + 100 * run + i, "n") for i in range(100)], "projection": {"field": "_id"}}, "PUT"))

    print(f"N = {N:,} customer documents (fill: {fill_s:.0f} s on moto)\n")
    print("| request | matchCount / modified / returned | calls | rcu | wcu | items read | items written "
          "| ops | ms (moto) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, out, k, written, ms in rows:
        print(f"| {label} | {out} | {k['calls']} | {k['rcu']} | {k['wcu']} | {int(k['items_read']):,} | {written:,} "
              f"| `{k['ops']}` | {ms:,.0f} |")
