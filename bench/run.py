"""Benchmark: latency and DynamoDB cost per operation at N = 1,000 and 10,000 entities.

Everything runs in-process on moto (`mock_aws`), through the core services that every dialect
uses (`bootstrap.services()`: entities and the query executor), plus a few requests through
the HTTP edge (`chalice.test.Client`). Per operation it reports the median latency, the
DynamoDB calls, the items read (from the app's own per-request meter,
`chalicelib.storage.meter`), the items written (counted here from the request parameters)
and the RCU/WCU that moto reports. It also measures the import time of `app.py` and the size
of the deployment zip.

    .venv/bin/python bench/run.py                 # N = 1,000 and 10,000, prints the tables
    .venv/bin/python bench/run.py --quick         # N = 1,000 only
    .venv/bin/python bench/run.py --sizes 500,2000 --reps 10
    .venv/bin/python bench/run.py --write         # also rewrites docs/BENCHMARKS.md

The data is real: every entity of the fill goes through `Entities.create` (3 DynamoDB calls).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
LOAD = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
DOC = ROOT / "docs" / "BENCHMARKS.md"
COLL = "things"
LIMIT = 10  # page size of every query (k)
SLOW_MS = 1000  # a warm-up slower than this counts as a measured repetition
GRID = 32  # points per grid column: 0.01° (~1.1 km) apart, columns added as N grows
ANIMALS = ("fox", "owl", "cat", "dog", "elk", "yak", "emu", "bee", "ant", "cod")

# Same environment as tests/conftest.py: fake credentials, no endpoint (moto in-process).
os.environ.update({"BAAS_COST_HEADER": "all",  # the cost header to every caller, not only privileged ones

    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "BAAS_TABLE_PREFIX": "bench", "BAAS_BUCKET": "bench-files",
})
for _var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
    os.environ.pop(_var, None)
sys.path.insert(0, str(ROOT))


# -- items written: counted from the request parameters (moto's WCU is per call, not per item) --
class WriteCounter:
    def __init__(self) -> None:
        self.items = 0

    def __call__(self, params: Any = None, model: Any = None, **_: Any) -> None:
        name = getattr(model, "name", "")
        if name in ("PutItem", "DeleteItem", "UpdateItem"):
            self.items += 1
        elif name == "BatchWriteItem" and isinstance(params, dict):
            self.items += sum(len(v) for v in (params.get("RequestItems") or {}).values())
        elif name == "TransactWriteItems" and isinstance(params, dict):
            self.items += len(params.get("TransactItems") or [])


WRITES = WriteCounter()


def instrument_writes() -> None:
    from chalicelib.storage.models import ALL_MODELS

    for model in ALL_MODELS:
        client = model._get_connection().connection.client
        if not getattr(client, "_bench_writes", False):
            client.meta.events.register("before-parameter-build.dynamodb", WRITES)
            client._bench_writes = True


# -- one measured operation ----------------------------------------------------------------------
@dataclass
class Sample:
    ms: float
    calls: int
    ops: dict[str, int]
    items_read: int
    items_written: int
    rcu: float
    wcu: float
    k: int | None = None  # entities returned (queries)
    cpu_ms: float = 0.0  # CPU time of this thread (moto runs in it): robust when the machine is shared


@dataclass
class Row:
    op: str
    via: str  # "core" or "http"
    samples: list[Sample] = field(default_factory=list)

    def med(self, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in self.samples)

    def rng(self, attr: str) -> tuple[float, float]:
        vals = [getattr(s, attr) for s in self.samples]
        return min(vals), max(vals)

    def ops(self) -> str:
        """The most common breakdown of calls by operation among the samples."""
        counts: dict[str, int] = {}
        for s in self.samples:
            key = ",".join(f"{k}:{v}" for k, v in sorted(s.ops.items()))
            counts[key] = counts.get(key, 0) + 1
        return max(counts.items(), key=lambda kv: kv[1])[0] if counts else ""

    def summary(self) -> dict[str, Any]:
        ks = [s.k for s in self.samples if s.k is not None]
        return {
            "op": self.op, "via": self.via, "reps": len(self.samples),
            "median_ms": round(self.med("ms"), 2), "p90_ms": round(_pct([s.ms for s in self.samples], 90), 2),
            "median_cpu_ms": round(self.med("cpu_ms"), 2),
            "calls": self.med("calls"), "calls_range": self.rng("calls"), "ops": self.ops(),
            "items_read": self.med("items_read"), "items_read_range": self.rng("items_read"),
            "items_written": self.med("items_written"),
            "rcu": round(self.med("rcu"), 2), "wcu": round(self.med("wcu"), 2),
            "k": statistics.median(ks) if ks else None,
        }


def _pct(vals: list[float], p: int) -> float:
    vals = sorted(vals)
    return vals[min(len(vals) - 1, int(round(p / 100 * (len(vals) - 1))))]


def measure(fn: Callable[[], Any]) -> tuple[Sample, Any]:
    from chalicelib.storage import meter

    m = meter.start()
    w0 = WRITES.items
    c0, t0 = time.thread_time(), time.perf_counter()
    out = fn()
    ms, cpu = (time.perf_counter() - t0) * 1000, (time.thread_time() - c0) * 1000
    s = Sample(ms, m.total_calls, dict(m.calls), m.items_read, WRITES.items - w0, m.rcu, m.wcu, cpu_ms=cpu)
    meter._current.set(None)
    return s, out


# -- the data set ----------------------------------------------------------------------------------
def props(i: int, tag: str = "") -> dict[str, Any]:
    """An entity with 6 short properties (name unique, a number, a category, a 4-word title, a
    score, a point on a grid 32 points tall, ~1.1 km apart, that grows eastwards with N so the
    density around a point stays the same)."""
    return {
        "name": f"thing-{tag}{i}",
        "n": i,
        "kind": f"k{i % 100}",
        "title": f"a {ANIMALS[i % 10]} named {i}",
        "score": i % 1000,
        "location": {"latitude": 10 + (i % GRID) * 0.01, "longitude": 10 + (i // GRID) * 0.01},
    }


NESTED = "shops"  # a second collection of N entities with nested properties, for the dotted-path rows


def nested_props(i: int) -> dict[str, Any]:
    """A shop: an `address` object (`city` among 100 values, a `zip`) and an array of two objects
    (`items.*.sku` among 100 values per element), so an equality on a sub-property matches N / 100."""
    return {"n": i, "address": {"city": f"c{i % 100}", "zip": f"{10000 + i}"},
            "items": [{"sku": f"p{i % 100}", "qty": i % 7}, {"sku": f"q{(i * 7) % 100}", "qty": 1}]}


def fill(svc: Any, app: str, n: int, threads: int) -> tuple[list[str], float]:
    uuids: list[str | None] = [None] * n
    t0 = time.perf_counter()

    def work(start: int) -> None:
        for i in range(start, n, threads):
            uuids[i] = svc.entities.create(app, COLL, props(i))["uuid"]
            if threads == 1 and (i + 1) % 2000 == 0:
                print(f"    filled {i + 1}/{n} in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)

    if threads == 1:
        work(0)
    else:
        ts = [threading.Thread(target=work, args=(s,)) for s in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    return [u for u in uuids if u], time.perf_counter() - t0


# -- repetitions ------------------------------------------------------------------------------------------
@dataclass
class Reps:
    """Up to `most` measured repetitions after `warm` warm-ups; stop early, after at least `least`,
    once an operation has used `budget_s` seconds (moto's Query is slow on big tables)."""

    most: int
    least: int
    budget_s: float
    warm: int = 1

    def run(self, op: str, via: str, sample: Callable[[int], Sample]) -> Row:
        r = Row(op, via)
        t0 = time.perf_counter()
        for i in range(self.warm + self.most):
            s = sample(i)
            if i >= self.warm or s.ms > SLOW_MS:  # a slow op is dominated by moto, not by cold caches
                r.samples.append(s)
            if len(r.samples) >= self.most:
                break
            if len(r.samples) >= self.least and time.perf_counter() - t0 > self.budget_s:
                break
        label = op if via == "core" else f"HTTP {op}"
        print(f"    {label:<30} {r.med('ms'):9.2f} ms  calls={r.med('calls'):g} read={r.med('items_read'):g} "
              f"reps={len(r.samples)}", file=sys.stderr, flush=True)
        return r


# -- one size ---------------------------------------------------------------------------------------------
def bench_size(n: int, reps: Reps, fill_threads: int, http: bool, seed: int) -> dict[str, Any]:
    from moto import mock_aws

    from chalicelib import bootstrap
    from chalicelib.core.query import Compare, Contains, Query, Within

    rnd = random.Random(seed)
    rows: list[Row] = []
    with mock_aws():
        bootstrap.reset()
        bootstrap.create_resources()
        svc = bootstrap.services()
        instrument_writes()
        _, _, sandbox = svc.tenancy.signup("bench", "bencher", "Bench", "bench@bench.test", "bench-pass-1")
        app = sandbox.uuid
        print(f"  N={n:,}: filling through Entities.create ({fill_threads} thread(s))...", file=sys.stderr, flush=True)
        uuids, fill_s = fill(svc, app, n, fill_threads)
        print(f"  N={n:,}: filled in {fill_s:.1f} s", file=sys.stderr, flush=True)
        run = svc.executor.run
        per_op = reps.warm + reps.most
        picks = rnd.sample(range(n), min(n, 3 * per_op))

        def row(op: str, make: Callable[[int], Callable[[], Any]], queries: bool = False) -> None:
            def sample(i: int) -> Sample:
                s, out = measure(make(i))
                if queries:
                    s.k = len(out.records)
                return s

            rows.append(reps.run(op, "core", sample))

        row("get by uuid", lambda i: lambda: svc.entities.get(app, COLL, uuids[picks[i]]))
        row("get by name", lambda i: lambda: svc.entities.get(app, COLL, f"thing-{picks[per_op + i]}"))

        # query parameters come from their own generators: the same sequence at every N
        eq_rnd, range_rnd, geo_rnd = random.Random(seed + 1), random.Random(seed + 2), random.Random(seed + 3)

        def eq_q(i: int) -> Callable[[], Any]:
            kind = f"k{eq_rnd.randrange(100)}"
            return lambda: run(app, COLL, Query(Compare("kind", "eq", kind), limit=LIMIT))

        row("equality query", eq_q, queries=True)

        def range_q(i: int) -> Callable[[], Any]:
            lo = range_rnd.randrange(max(1, n - 10 * LIMIT))
            return lambda: run(app, COLL, Query(Compare("n", "gte", lo), [("n", False)], limit=LIMIT))

        row("range + order by", range_q, queries=True)

        def contains_q(i: int) -> Callable[[], Any]:
            word = ANIMALS[i % len(ANIMALS)]
            return lambda: run(app, COLL, Query(Contains("title", word), limit=LIMIT))

        row("contains", contains_q, queries=True)

        def within_q(i: int) -> Callable[[], Any]:
            # centres in the middle of the grid of N = 1,000 (32 × 31 points, ~35 km square), 3 km radius:
            # about 25 matches, and the 9 geohash cells read (~15 km square) are full of points whatever N
            lat, lon = 10.155 + geo_rnd.uniform(-0.02, 0.02), 10.15 + geo_rnd.uniform(-0.02, 0.02)
            return lambda: run(app, COLL, Query(Within("location", 3000, lat, lon), limit=LIMIT))

        row("within (3 km)", within_q, queries=True)

        def page2(i: int) -> Callable[[], Any]:
            first = run(app, COLL, Query(limit=LIMIT))  # not timed
            return lambda: run(app, COLL, Query(limit=LIMIT, cursor=first.cursor))

        row("cursor page (2nd, listing)", page2, queries=True)

        print(f"  N={n:,}: filling {NESTED} (nested properties)...", file=sys.stderr, flush=True)
        shops = [svc.entities.create(app, NESTED, nested_props(i))["uuid"] for i in range(n)]
        nest_rnd = random.Random(seed + 4)

        def dotted_q(i: int) -> Callable[[], Any]:
            city = f"c{nest_rnd.randrange(100)}"
            return lambda: run(app, NESTED, Query(Compare("address.city", "eq", city), limit=LIMIT))

        row("dotted path (address.city =)", dotted_q, queries=True)

        def array_q(i: int) -> Callable[[], Any]:
            sku = f"p{nest_rnd.randrange(100)}"
            return lambda: run(app, NESTED, Query(Compare("items.*.sku", "eq", sku), limit=LIMIT))

        row("array path (items.*.sku =)", array_q, queries=True)
        row("update (nested leaf)", lambda i: lambda: svc.entities.update(
            app, NESTED, shops[picks[i]], {"address": {"city": f"moved{i}", "zip": "0"}}))

        upd = picks[2 * per_op:]
        row("update (1 property)", lambda i: lambda: svc.entities.update(app, COLL, uuids[upd[i]], {"score": 5000 + i}))
        made: list[str] = []

        def create(i: int) -> Callable[[], Any]:
            return lambda: made.append(svc.entities.create(app, COLL, props(n + i, "new-"))["uuid"])

        row("create", create)
        row("delete", lambda i: lambda: svc.entities.delete(app, COLL, made[i]))

        if http:
            rows.extend(bench_http(uuids, picks, n, reps, rnd))
        bootstrap.reset()
    return {"n": n, "fill_s": fill_s, "fill_threads": fill_threads, "rows": [r.summary() for r in rows]}


def bench_http(uuids: list[str], picks: list[int], n: int, reps: Reps, rnd: random.Random) -> list[Row]:
    """A few requests through the whole HTTP edge (routing, tenancy, auth, envelope, metering), anonymous
    on the org's sandbox app. The cost comes from the response's own X-Request-Cost header. Org and app
    are resolved through a 30 s cache: rows are measured warm, plus one row with the cache cleared."""
    from chalice.test import Client

    from app import app as chalice_app
    from chalicelib.bootstrap import services

    tenancy = services().tenancy

    base = "/usergrid/bench/sandbox/things"
    quiet = contextlib.redirect_stdout  # the edge prints one JSON log line per request
    out: list[Row] = []
    with Client(chalice_app) as c:
        def call(method: str, path: str, body: Any = None, cold: bool = False) -> Sample:
            kwargs: dict[str, Any] = {}
            if body is not None:
                kwargs = {"headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}
            with quiet(io.StringIO()):
                if cold:
                    tenancy._cache.clear()  # what a new Lambda container (or a 30 s old cache) pays
                else:  # refresh the 30 s tenancy cache untimed: slow moto queries would let it expire
                    c.http.get(f"{base}/{uuids[0]}")
            w0 = WRITES.items
            c0, t0 = time.thread_time(), time.perf_counter()
            with quiet(io.StringIO()):
                resp = getattr(c.http, method)(path, **kwargs)
            ms, cpu = (time.perf_counter() - t0) * 1000, (time.thread_time() - c0) * 1000
            if resp.status_code != 200:
                raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.body[:300]!r}")
            cost = _parse_cost(resp.headers.get("X-Request-Cost") or resp.headers.get("x-request-cost") or "")
            data = json.loads(resp.body)
            return Sample(ms, cost["calls"], cost["ops"], cost["items_read"], WRITES.items - w0, cost["rcu"],
                          cost["wcu"], k=len(data.get("entities") or []), cpu_ms=cpu)

        out.append(reps.run("GET entity by uuid", "http", lambda i: call("get", f"{base}/{uuids[picks[i]]}")))
        out.append(reps.run("GET entity, cold tenancy cache", "http",
                            lambda i: call("get", f"{base}/{uuids[picks[i]]}", cold=True)))
        out.append(reps.run("GET ?ql=kind = …", "http", lambda i: call(
            "get", f"{base}?limit={LIMIT}&ql=" + quote(f"select * where kind = 'k{rnd.randrange(100)}'"))))

        def page2(i: int) -> Sample:
            with quiet(io.StringIO()):
                first = json.loads(c.http.get(f"{base}?limit={LIMIT}").body)  # not timed
            return call("get", f"{base}?limit={LIMIT}&cursor={quote(first['cursor'])}")

        out.append(reps.run("GET 2nd page (cursor)", "http", page2))
        out.append(reps.run("POST create", "http", lambda i: call("post", base, props(n + 1000 + i, "http-"))))
    return out


def _parse_cost(header: str) -> dict[str, Any]:
    parts = dict(p.strip().split("=", 1) for p in header.split(";") if "=" in p)
    ops = {k: int(v) for k, v in (o.split(":") for o in parts.get("ops", "").split(",") if ":" in o)}
    return {"calls": int(parts.get("calls", 0)), "rcu": float(parts.get("rcu", 0)), "wcu": float(parts.get("wcu", 0)),
            "items_read": int(parts.get("items_read", 0)), "ops": ops}


# -- cross-check of the in-process meter against the wire ---------------------------------------------------
SHARED_TOOLS = Path("/work/shared/tools")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cross_check(n: int = 300) -> dict[str, Any]:
    """Run each operation once against CountingMoto (a moto server that meters DynamoDB on the wire,
    /work/shared/tools/dynamo_meter.py) and compare its counts with the app's in-process meter."""
    if not (SHARED_TOOLS / "dynamo_meter.py").exists():
        return {"error": f"{SHARED_TOOLS / 'dynamo_meter.py'} not found"}
    sys.path.insert(0, str(SHARED_TOOLS))
    from dynamo_meter import CountingMoto

    from chalicelib import bootstrap
    from chalicelib.core.query import Compare, Contains, Query, Within
    from chalicelib.storage import meter

    srv = CountingMoto(_free_port())
    os.environ["AWS_ENDPOINT_URL"] = srv.url
    rows = []
    try:
        bootstrap.reset()
        bootstrap.create_resources()
        svc = bootstrap.services()
        instrument_writes()
        uu = [svc.entities.create("xcheck", COLL, props(i))["uuid"] for i in range(n)]
        run = svc.executor.run
        ops: dict[str, Callable[[], Any]] = {
            "get by uuid": lambda: svc.entities.get("xcheck", COLL, uu[5]),
            "get by name": lambda: svc.entities.get("xcheck", COLL, "thing-7"),
            "equality query": lambda: run("xcheck", COLL, Query(Compare("kind", "eq", "k3"), limit=LIMIT)),
            "range + order by": lambda: run("xcheck", COLL, Query(Compare("n", "gte", 100), [("n", False)], limit=LIMIT)),
            "contains": lambda: run("xcheck", COLL, Query(Contains("title", "fox"), limit=LIMIT)),
            "within (3 km)": lambda: run("xcheck", COLL, Query(Within("location", 3000, 10.155, 10.05), limit=LIMIT)),
            "update (1 property)": lambda: svc.entities.update("xcheck", COLL, uu[9], {"score": 1}),
            "create": lambda: svc.entities.create("xcheck", COLL, props(n, "x-")),
            "delete": lambda: svc.entities.delete("xcheck", COLL, uu[11]),
        }
        for name, fn in ops.items():
            srv.meter.reset()
            m = meter.start()
            w0 = WRITES.items
            fn()
            wire = srv.meter.snapshot()
            rows.append({"op": name, "app": (m.total_calls, m.items_read, WRITES.items - w0),
                         "wire": (wire["n_calls"], wire["items_read"], wire["items_written"])})
    finally:
        meter._current.set(None)
        os.environ.pop("AWS_ENDPOINT_URL", None)
        bootstrap.reset()
        srv.stop()
    return {"n": n, "rows": rows, "agree": all(r["app"] == r["wire"] for r in rows)}


def cross_check_text(xc: dict[str, Any]) -> str:
    if "error" in xc:
        return f"Cross-check skipped: {xc['error']}."
    lines = [
        f"Each operation once on a {xc['n']}-entity collection served by `CountingMoto` "
        "(`/work/shared/tools/dynamo_meter.py`, which meters on the wire) — in-process meter vs wire: "
        + ("**identical for every operation**." if xc["agree"] else "**they differ** (see below)."),
        "",
        "| operation | calls (app / wire) | items read (app / wire) | items written (bench / wire) |",
        "|---|---:|---:|---:|",
    ]
    for r in xc["rows"]:
        a, w = r["app"], r["wire"]
        lines.append(f"| {r['op']} | {a[0]} / {w[0]} | {a[1]} / {w[1]} | {a[2]} / {w[2]} |")
    return "\n".join(lines)


# -- import time of app.py ----------------------------------------------------------------------------
def bench_import(runs: int = 5) -> dict[str, Any]:
    results = []
    for _ in range(runs):
        p = subprocess.run([sys.executable, "-X", "importtime", "-c", "import app"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"}
        mods = []
        for line in p.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
            if m:
                mods.append((m.group(4), int(m.group(1)), int(m.group(2)), len(m.group(3)) // 2))
        total = next((c for name, _, c, _ in mods if name == "app"), None)
        results.append((total or 0, mods))
    results.sort(key=lambda r: r[0])
    total, mods = results[len(results) // 2]
    by_self = sorted(mods, key=lambda m: -m[1])[:5]
    top_level = sorted((m for m in mods if m[3] <= 1 and m[0] != "app"), key=lambda m: -m[2])[:5]
    loaded = {m[0].split(".")[0] for m in mods}
    return {
        "runs": runs, "total_us": total, "all_us": [r[0] for r in results],
        "top_self": [(name, s) for name, s, _, _ in by_self],
        "top_cumulative": [(name, c) for name, _, c, _ in top_level],
        "loads": {pkg: pkg in loaded for pkg in ("chalice", "boto3", "botocore", "pynamodb", "moto")},
    }


# -- deployment zip -------------------------------------------------------------------------------------
def bench_package() -> dict[str, Any]:
    chalice = Path(sys.executable).parent / "chalice"
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1"}
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:  # what `make package` ships: deploy/package.py's slimmed zip
        p = subprocess.run([sys.executable, "deploy/package.py", "--stage", "dev", "--out", tmp], cwd=ROOT,
                           capture_output=True, text=True, timeout=600, env=env)
        zpath = Path(tmp) / "deployment.zip"
        if p.returncode == 0 and zpath.exists():
            out.update(_zip_facts(zpath), how="make package STAGE=dev (deploy/package.py)")
            return out
        lines = (p.stderr or p.stdout).strip().splitlines()
        out["error"] = lines[-1] if lines else f"exit {p.returncode}"
    # Fallback: package a copy with placeholder IAM policy files (the policy does not change the zip).
    with tempfile.TemporaryDirectory() as tmp:
        proj, dest = Path(tmp) / "proj", Path(tmp) / "out"
        (proj / ".chalice").mkdir(parents=True)
        shutil.copy(ROOT / "app.py", proj)
        shutil.copy(ROOT / "requirements.txt", proj)
        shutil.copytree(ROOT / "chalicelib", proj / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / ".chalice" / "config.json", proj / ".chalice")
        for f in (ROOT / ".chalice").glob("*.json"):
            shutil.copy(f, proj / ".chalice")
        cfg = json.loads((ROOT / ".chalice" / "config.json").read_text())
        for stage in cfg.get("stages", {}).values():
            pol = stage.get("iam_policy_file")
            if pol and not (proj / ".chalice" / pol).exists():
                (proj / ".chalice" / pol).write_text('{"Version": "2012-10-17", "Statement": []}')
        p = subprocess.run([str(chalice), "package", "--stage", "dev", str(dest)], cwd=proj, capture_output=True,
                           text=True, timeout=600, env=env)
        zpath = dest / "deployment.zip"
        if p.returncode == 0 and zpath.exists():
            out.update(_zip_facts(zpath), how="fallback: a copy of the project with placeholder IAM policy files")
        else:
            lines = (p.stderr or p.stdout).strip().splitlines()
            out["fallback_error"] = lines[-1] if lines else f"exit {p.returncode}"
    return out


def _zip_facts(zpath: Path) -> dict[str, Any]:
    import zipfile

    with zipfile.ZipFile(zpath) as z:
        infos = z.infolist()
    by_top: dict[str, list[int]] = {}
    for i in infos:
        top = i.filename.split("/")[0]
        if top.endswith(".dist-info"):
            top = "*.dist-info"
        acc = by_top.setdefault(top, [0, 0])
        acc[0] += i.compress_size
        acc[1] += 1
    biggest = sorted(by_top.items(), key=lambda kv: -kv[1][0])[:5]
    return {"zip_kb": round(zpath.stat().st_size / 1024), "files": len(infos),
            "unzipped_kb": round(sum(i.file_size for i in infos) / 1024),
            "biggest": [(name, round(v[0] / 1024), v[1]) for name, v in biggest]}


# -- output -------------------------------------------------------------------------------------------------
def _num(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:g}" if v == int(v) else f"{v:.1f}"


def _rng(summary: dict[str, Any], key: str) -> str:
    lo, hi = summary[f"{key}_range"]
    med = _num(summary[key])
    return med if lo == hi else f"{med} ({_num(lo)}–{_num(hi)})"


def size_table(res: dict[str, Any]) -> str:
    lines = [
        "| operation | via | reps | median ms | p90 ms | median CPU ms | calls | calls by operation | items read "
        "| items written | k | RCU (moto) | WCU (moto) |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for s in res["rows"]:
        lines.append(f"| {s['op']} | {s['via']} | {s['reps']} | {s['median_ms']:.2f} | {s['p90_ms']:.2f} | "
                     f"{s['median_cpu_ms']:.2f} | {_rng(s, 'calls')} | "
                     f"{s['ops'].replace(',', ', ')} | {_rng(s, 'items_read')} | {_num(s['items_written'])} | "
                     f"{_num(s['k'])} | {_num(s['rcu'])} | {_num(s['wcu'])} |")
    return "\n".join(lines)


def compare_table(results: list[dict[str, Any]]) -> str:
    ns = [r["n"] for r in results]
    head = (["operation"] + [f"ms N={n:,}" for n in ns] + [f"CPU ms N={n:,}" for n in ns]
            + [f"items read N={n:,}" for n in ns] + [f"calls N={n:,}" for n in ns])
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    keyed = [{(s["op"], s["via"]): s for s in r["rows"]} for r in results]
    for key in keyed[0]:
        if not all(key in k for k in keyed):
            continue
        ss = [k[key] for k in keyed]
        name = key[0] if key[1] == "core" else f"{key[0]} (HTTP)"
        cells = ([f"{s['median_ms']:.2f}" for s in ss] + [f"{s['median_cpu_ms']:.2f}" for s in ss]
                 + [_num(s["items_read"]) for s in ss] + [_num(s["calls"]) for s in ss])
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def grows_with_n(results: list[dict[str, Any]]) -> list[str]:
    """Operations whose median items read grew by more than half when N grew."""
    if len(results) < 2:
        return []
    small, large = results[0], results[-1]
    a = {(s["op"], s["via"]): s for s in small["rows"]}
    out = []
    for s in large["rows"]:
        t = a.get((s["op"], s["via"]))
        if t and s["items_read"] > 1.5 * t["items_read"] + 2:
            out.append(f"{s['op']} ({s['via']}): {_num(t['items_read'])} → {_num(s['items_read'])} items read "
                       f"(N {small['n']:,} → {large['n']:,})")
    return out


def import_text(imp: dict[str, Any]) -> str:
    if "error" in imp:
        return f"`import app` failed: {imp['error']}"
    loads = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in imp["loads"].items())
    lines = [
        f"`python -X importtime -c \"import app\"`, median of {imp['runs']} runs: **{imp['total_us'] / 1000:.1f} ms** "
        f"cumulative for `app` ({imp['total_us']:,} µs; runs: {', '.join(f'{u / 1000:.0f}' for u in imp['all_us'])} ms).",
        "",
        f"Loaded at import: {loads}.",
        "",
        "| heaviest modules (self time) | µs | | heaviest top-level imports (cumulative) | µs |",
        "|---|---:|---|---|---:|",
    ]
    for (a, sa), (b, cb) in zip(imp["top_self"], imp["top_cumulative"] + [("", 0)] * 5, strict=False):
        lines.append(f"| `{a}` | {sa:,} | | {'`' + b + '`' if b else ''} | {f'{cb:,}' if b else ''} |")
    return "\n".join(lines)


def package_text(pkg: dict[str, Any]) -> str:
    lines = []
    if "error" in pkg:
        lines.append(f"`chalice package --stage dev` on the project **fails**: `{pkg['error']}`")
        lines.append("")
    if "zip_kb" in pkg:
        lines.append(f"deployment.zip: **{pkg['zip_kb']:,} KB** ({pkg['files']:,} files, {pkg['unzipped_kb']:,} KB "
                     f"unzipped) — {pkg['how']}.")
        lines.append("")
        lines.append("| largest parts of the zip | compressed KB | files |")
        lines.append("|---|---:|---:|")
        for name, kb, files in pkg["biggest"]:
            lines.append(f"| `{name}` | {kb:,} | {files:,} |")
    elif "fallback_error" in pkg:
        lines.append(f"The fallback (a copy with placeholder policies) failed too: `{pkg['fallback_error']}`")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    from importlib.metadata import version

    vers = ", ".join(f"{p} {version(p)}" for p in ("moto", "pynamodb", "boto3", "chalice"))
    load = ""
    with contextlib.suppress(OSError, AttributeError):
        end = os.getloadavg()[0]
        load = (f", 1-minute load average {LOAD[0]:.1f} at the start and {end:.1f} at the end of the run (other "
                "processes share the machine: latencies are only comparable within one run)")
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {vers}{load}"


def report(results: list[dict[str, Any]], imp: dict[str, Any] | None, pkg: dict[str, Any] | None,
           xc: dict[str, Any] | None, args: argparse.Namespace, total_s: float) -> str:
    out = []
    for r in results:
        out.append(f"### N = {r['n']:,} entities in one collection\n")
        out.append(f"Fill: {r['n']:,} × `Entities.create` in {r['fill_s']:.1f} s "
                   f"({r['fill_s'] / r['n'] * 1000:.2f} ms per create, {r['fill_threads']} thread(s)). "
                   f"Up to {args.reps} measured repetitions per operation after 1 warm-up (kept as a repetition when it "
                   f"took over {SLOW_MS / 1000:g} s; at least "
                   f"{min(args.min_reps, args.reps)}, fewer than {args.reps} once an operation used {args.budget:g} s); "
                   f"k = entities returned (page size {LIMIT}); items read/calls show the median and, when they "
                   f"varied, (min–max).\n")
        out.append(size_table(r) + "\n")
    if len(results) > 1:
        out.append("### Side by side (medians)\n")
        out.append(compare_table(results) + "\n")
    if xc is not None:
        out.append("### Cross-check: in-process meter vs the wire\n")
        out.append(cross_check_text(xc) + "\n")
    if imp is not None:
        out.append("### Import time of app.py\n")
        out.append(import_text(imp) + "\n")
    if pkg is not None:
        out.append("### Deployment zip\n")
        out.append(package_text(pkg) + "\n")
    out.append(f"_Whole run: {total_s:.0f} s._\n")
    return "\n".join(out)


def geo_facts(n: int, lat: float = 10.155, lon: float = 10.15, radius: float = 3000) -> tuple[int, int, int, str]:
    """For the centre of the `within` queries: cells read, points in them, points in the circle."""
    from chalicelib.core import geo

    cells = geo.covering_cells(lat, lon, radius)
    pts = [(props(i)["location"]["latitude"], props(i)["location"]["longitude"]) for i in range(n)]
    in_cells = sum(1 for p in pts if any(geo.encode(*p).startswith(c) for c in cells))
    in_circle = sum(1 for p in pts if geo.distance_m(lat, lon, *p) <= radius)
    return len(cells), in_cells, in_circle, f"{len(cells[0])}"


def interpretation(results: list[dict[str, Any]], pkg: dict[str, Any] | None) -> str:
    grew = grows_with_n(results)
    big = {s["op"]: s for s in results[-1]["rows"] if s["via"] == "core"}
    small = {s["op"]: s for s in results[0]["rows"] if s["via"] == "core"}

    def reads(op: str) -> str:
        vals = [_num(r[op]["items_read"]) for r in (small, big) if op in r]
        return " / ".join(dict.fromkeys(vals)) if vals else "?"

    def writes(op: str) -> str:
        s = big.get(op)
        return f"{_num(s['calls'])} calls ({s['ops'].replace(',', ', ')}), {_num(s['items_written'])} items" if s else "?"

    ns = " and ".join(f"{r['n']:,}" for r in results)
    gf = geo_facts(results[-1]["n"])
    slow = [(op, small[op]["median_cpu_ms"], big[op]["median_cpu_ms"]) for op in big if op in small]
    qs = ("equality query", "range + order by", "contains", "cursor page (2nd, listing)")
    lat = "; ".join(f"{op} {a:.0f} → {b:.0f} ms" for op, a, b in slow if op in qs) + " of CPU"
    text = [
        f"- **Items read follow k, not N.** A page of k = {LIMIT} reads about k + 2 index entries plus the same "
        f"number of entities (one `Query` + one `BatchGetItem`) at N = {ns} alike: equality "
        f"{reads('equality query')}, range + order by {reads('range + order by')}, contains {reads('contains')}, "
        f"second listing page {reads('cursor page (2nd, listing)')} items. `within` reads every point of the "
        f"≤ 9 geohash cells around the centre ({reads('within (3 km)')} items, 9 `Query` calls + the "
        "`BatchGetItem`s): it must, to sort by distance, so it follows the density of points near the centre, "
        "which this data set keeps constant, not N. A get by uuid is 1 `GetItem`; by name 2 (the unique claim, "
        "then the entity).",
        f"- **Dotted paths read the nested index.** `address.city = 'cNN'` reads {reads('dotted path (address.city =)')} "
        f"items and `items.*.sku = 'pNN'` {reads('array path (items.*.sku =)')} (one `Query` of `address.city` / "
        "`items.sku` + one `BatchGetItem`), like a top-level equality. Before nested indexing the same page was a "
        "filter over the `created` listing: 2,000 items read in 26 calls at N = 1,000 (1,000 index entries + "
        "1,000 entities to find 10 matches), growing with N up to the 4,000-entry request budget. Updating a "
        f"nested leaf rewrites its top-level property's entries: {writes('update (nested leaf)')}.",
        f"- **`within` over-reads.** For a 3000 m radius the planner takes geohash precision {gf[3]} (cells "
        "~4.9 km square, the finest not smaller than the radius) and reads the centre cell and its 8 neighbours: "
        f"{gf[0]} cells hold ~{gf[1]} points of this grid, of which ~{gf[2]} are inside the circle, so it reads "
        f"about {gf[1] / max(1, gf[2]):.1f}× the matches (index entry + entity each). It also issues one "
        f"`BatchGetItem` per cell ({gf[0]}) where the {gf[1]} keys would fit in {-(-gf[1] // 100)} "
        "(100 keys per call).",
        "- **Latency grows with N locally, cost does not.** moto's `Query` walks the whole partition — in moto "
        "5.2.5 it is worse: `Table.query` sorts *every item of the table* (`all_items()`, all partitions and apps) "
        "and then filters on the hash key, so one `Query` costs O(T log T) in the size T of the `index` table "
        f"(~14 items per entity). Hence {lat}" + (f" between N = {results[0]['n']:,} and {results[-1]['n']:,}"
                                                  if len(results) > 1 else "") +
        ", and `within` (9 `Query` calls) is the slowest locally. On DynamoDB a `Query` costs by what it returns; "
        "items read are the number to trust. Gets and writes never query and stay flat.",
        f"- **Writes** (N = {results[-1]['n']:,}): create = {writes('create')}; update of one property = "
        f"{writes('update (1 property)')}; delete = {writes('delete')} (the last `DeleteItem` releases the name "
        "claim). Items written are what DynamoDB bills as WCU (items here are < 1 KB).",
        "- **RCU/WCU columns are what moto reports**, not DynamoDB's bill: moto reports one write unit per call "
        "whatever the number of items in a `BatchWriteItem`, and its read units are approximate. Use items read "
        "and items written as the cost model.",
    ]
    if grew:
        text.append("- **Flag — items read grew with N:** " + "; ".join(grew) + ".")
    elif len(results) > 1:
        text.append("- No operation's items read grew with N in this run (checked automatically: a flag appears "
                    "here when the largest N reads more than 1.5× + 2 the items of the smallest).")
    if pkg and "error" in pkg:
        text.append("- `chalice package` fails on the project as it is (see above); the zip size is measured on a "
                    "copy with placeholder IAM policy files.")
    if pkg and pkg.get("biggest") and pkg["biggest"][0][0] == "botocore":
        text.append("- The zip is mostly `botocore`: pynamodb depends on it, so chalice vendors it even though the "
                    "Lambda runtime already ships boto3/botocore.")
    return "\n".join(text)


def _make_note() -> str:
    with contextlib.suppress(OSError):
        mk = (ROOT / "Makefile").read_text()
        m = re.search(r"^bench:.*\n((?:\t.*\n?)+)", mk, re.M)
        if m and "--write" not in m.group(1):
            return f"the Makefile's recipe is currently `{m.group(1).strip()}` (no `--write`: it only prints)."
        if m:
            return "the Makefile's recipe does that."
    return "there is no `bench` target in the Makefile."


BEGIN = "<!-- bench/run.py --write: begin. Rewritten by that command; sections outside the markers are kept. -->"
END = "<!-- bench/run.py --write: end -->"
OWN_SECTIONS = ("Reproduce", "Results", "Interpretation")


def merge_doc(existing: str, block: str) -> str:
    """Put the generated block in place, keeping every section other benchmarks wrote by hand."""
    if BEGIN in existing and END in existing:
        head, rest = existing.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1]
    # No markers (first run, or a file written before them): keep the H2 sections that are not ours.
    kept = []
    for part in re.split(r"(?m)^(?=## )", existing)[1:]:
        title = part.splitlines()[0][3:].strip()
        if title not in OWN_SECTIONS:
            kept.append(part.rstrip() + "\n")
    return "# Benchmarks\n\n" + block + ("\n\n" + "\n".join(kept) if kept else "\n")


def write_doc(body: str, interp: str, total_s: float) -> None:
    make_note = _make_note()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"""{BEGIN}
Latency and DynamoDB cost per operation of the core, measured on moto in-process.

## Reproduce

```
make bench                                   # = .venv/bin/python bench/run.py --write (see note)
.venv/bin/python bench/run.py --write        # N = 1,000 and 10,000; prints the tables and rewrites this file
.venv/bin/python bench/run.py --quick        # N = 1,000 only, prints the tables
.venv/bin/python bench/run.py --sizes 1000,10000 --reps 25 --budget 12 --no-package
```

Note: `make bench` is meant to run `.venv/bin/python bench/run.py --write`; {make_note}
This run took {total_s:.0f} s in all (on a quiet 2-core machine the full run takes about 5 minutes, `--quick`
about one).

Machine: {machine()}. Run {when}.

How it measures: tables are created with `bootstrap.create_resources()` inside `moto.mock_aws()`;
a collection of N entities is filled through `Entities.create` (real writes: unique claim, index
entries, entity). Each operation then runs through the core services (`services().entities`,
`services().executor.run`) with the app's own meter (`chalicelib.storage.meter`: calls, items read,
moto's RCU/WCU) started around it; items written are counted from the request parameters. The rows
marked *http* go through the whole edge with `chalice.test.Client` (routing, tenancy, auth,
envelope; anonymous, on the org's sandbox app) and read the cost from the response's
`X-Request-Cost` header. The edge resolves org and app through a 30 s in-memory cache: the HTTP rows
are measured with it warm, except the "cold tenancy cache" row (a new Lambda container, or the first
request after 30 s). *Median CPU ms* is the CPU time of the
benchmark's thread (moto runs in it): it stays meaningful when other processes share the cores,
wall-clock ms do not. The in-process meter is
cross-checked once per run against `CountingMoto` (`/work/shared/tools/dynamo_meter.py`, a moto
server that meters on the wire): see the cross-check table. Latencies are in-process
wall-clock times on moto, so they include moto's own work and are not DynamoDB latencies.
The fill is sequential: moto in-process is bound by the GIL, so threads do not speed it up
(2,000 creates: 8.6 s with 1 thread, 10.0 s with 2, 9.6 s with 4).

Each entity has 6 properties (unique `name`, number `n`, `kind` among 100 values, a 4-word `title`,
`score`, `location` on a grid of points ~1.1 km apart, 32 tall, that widens with N) and owns 14 index entries
(keywords of `name` and `title` included, plus `created` and `modified`).
Queries use a page of 10: equality `kind = 'kNN'`, range `n >= x order by n`, `title contains
'<animal>'` (1 in 10 entities), `location within 3000 of …` (about 28 points whatever N; centres
in the middle of the N = 1,000 grid), and the
second page (cursor) of the newest-first listing. The dotted-path rows query a second collection
of N `shops` (`address: {{city, zip}}`, `items: [{{sku, qty}}, {{sku, qty}}]`, 9 index entries of
nested leaves each): `address.city = 'cNN'` and `items.*.sku = 'pNN'` (1 in 100 entities each);
"update (nested leaf)" replaces `address` (its 3 entries rewritten: `address.city`, `address.zip`
and the `address` presence marker).

## Results

{body}
## Interpretation

{interp}
{END}"""
    existing = DOC.read_text() if DOC.exists() else ""
    DOC.write_text(merge_doc(existing, block))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="N = 1,000 only")
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated collection sizes (default 1000,10000)")
    ap.add_argument("--reps", type=int, default=25, help="most measured repetitions per operation (default 25)")
    ap.add_argument("--min-reps", type=int, default=3, help="fewest measured repetitions per operation (default 3)")
    ap.add_argument("--budget", type=float, default=12.0,
                    help="seconds per operation after which it stops at --min-reps or more (default 12)")
    ap.add_argument("--fill-threads", type=int, default=1, help="threads filling the collection (default 1)")
    ap.add_argument("--no-http", action="store_true", help="skip the HTTP rows")
    ap.add_argument("--no-import", action="store_true", help="skip the import-time measurement")
    ap.add_argument("--no-package", action="store_true", help="skip chalice package")
    ap.add_argument("--no-cross-check", action="store_true", help="skip the meter cross-check on CountingMoto")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--write", action="store_true", help=f"rewrite {DOC.relative_to(ROOT)}")
    args = ap.parse_args()
    sizes = [1000] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    t0 = time.perf_counter()
    reps = Reps(args.reps, min(args.min_reps, args.reps), args.budget)
    results = [bench_size(n, reps, args.fill_threads, not args.no_http, args.seed) for n in sizes]
    xc = None if args.no_cross_check else cross_check()
    imp = None if args.no_import else bench_import()
    pkg = None if args.no_package else bench_package()
    body = report(results, imp, pkg, xc, args, time.perf_counter() - t0)
    interp = interpretation(results, pkg)
    print(body)
    print("## Interpretation\n")
    print(interp)
    if args.write:
        write_doc(body, interp, time.perf_counter() - t0)
        print(f"\nwrote {DOC.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
