"""Cold start of the Lambda package against boto3's own, measured side by side in one run.

A moto server on loopback stands in for DynamoDB. Each run starts two fresh processes, in turn:

- **ours**: the unzipped `deployment.zip` first on `sys.path` (botocore from the venv, as Lambda's
  runtime provides it), `import app`, then one API Gateway event `GET /usergrid/local/sandbox/items/milk`
  through the Chalice handler: the first DynamoDB-backed response (tenancy, entity read);
- **boto3**: `import boto3`, one DynamoDB client, one `GetItem`.

Both run with PYTHONDONTWRITEBYTECODE=1 (Lambda's /var/task is read-only: a `.pyc` that does not ship
is compiled again on every cold start). Wall time is taken around each process, interpreter start
included, up to the moment the process has its answer (Lambda freezes a container after it answers,
it does not tear the interpreter down), and so is the CPU time (user + sys) of each process until
then, which a shared machine disturbs less; the ratio of medians is the figure. `process_ratio`
and `process_cpu_ratio` time the whole processes, exit included.

    .venv/bin/python bench/coldstart.py                       # builds the package (make package) first
    .venv/bin/python bench/coldstart.py --zip build/dev/deployment.zip --runs 7
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OURS = r"""
import sys
from app import app
event = {"resource": "/usergrid/{org}/{app}/{collection}/{entity}", "path": "/usergrid/local/sandbox/items/milk",
         "httpMethod": "GET", "headers": {"Host": "localhost"}, "multiValueHeaders": {"Host": ["localhost"]},
         "queryStringParameters": None, "multiValueQueryStringParameters": None,
         "pathParameters": {"org": "local", "app": "sandbox", "collection": "items", "entity": "milk"},
         "stageVariables": None, "body": None, "isBase64Encoded": False,
         "requestContext": {"resourcePath": "/usergrid/{org}/{app}/{collection}/{entity}", "httpMethod": "GET",
                            "stage": "api", "requestId": "cold", "identity": {"sourceIp": "127.0.0.1"}}}
class Ctx:
    aws_request_id = "cold"; function_name = "api_handler"; memory_limit_in_mb = 512
    def get_remaining_time_in_millis(self): return 29000
resp = app(event, Ctx())
assert resp["statusCode"] == 200, resp
"""

BOTO3 = r"""
import os, boto3
c = boto3.client("dynamodb")
c.get_item(TableName=os.environ["BAAS_TABLE_PREFIX"] + "-entities", Key={"pk": {"S": "x"}})
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BAAS_", "PYTHON"))}
    env.update({"AWS_ACCESS_KEY_ID": "cold", "AWS_SECRET_ACCESS_KEY": "cold", "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint, "BAAS_TABLE_PREFIX": "cold",
                "BAAS_BUCKET": "cold-files", "PYTHONDONTWRITEBYTECODE": "1",
                "BAAS_SECRET_KEY": "c" * 40})  # set in production (else one GetItem more, local runs only)
    return env


def _seed(env: dict[str, str]) -> None:
    os.environ.update(env)
    from chalicelib import bootstrap

    bootstrap.reset()
    bootstrap.create_resources()
    svc = bootstrap.services()
    svc.tenancy.signup(organization="local", username="admin", name="Admin", email="a@cold.test",
                       password="coldpass")
    app = svc.tenancy.app("local", "sandbox")
    svc.entities.create(app.uuid, "items", {"name": "milk", "price": 3})


# Printed by each process once it has its answer: Lambda's cold start ends there (a container is
# frozen, not torn down), so the interpreter's exit is not part of the figure.
ANSWERED = "\nimport time as _t; print('ANSWERED', _t.time(), _t.process_time())\n"


def _run(code: str, cwd: Path, env: dict[str, str]) -> tuple[float, float, float, float]:
    """(wall ms, CPU ms) of one fresh process until its answer, then the same for the whole process
    (exit included); CPU (user + sys) holds up when the machine is shared."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, t = time.time(), time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code + ANSWERED], cwd=cwd, env={**env, "PYTHONPATH": str(cwd)},
                       capture_output=True, text=True, timeout=120)
    ms = (time.perf_counter() - t) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    _, done, done_cpu = next(line for line in p.stdout.splitlines() if line.startswith("ANSWERED")).split()
    return (float(done) - started) * 1000, float(done_cpu) * 1000, ms, cpu


def measure(zpath: Path, runs: int = 5) -> dict[str, Any]:
    """Median wall ms of `ours` and `boto3` (alternating runs) and their ratio."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = _env(f"http://127.0.0.1:{port}")
    saved = dict(os.environ)
    try:
        _seed(env)
        with tempfile.TemporaryDirectory() as tmp:
            with zipfile.ZipFile(zpath) as z:
                z.extractall(tmp)
            ours: list[tuple[float, float]] = []
            bare: list[tuple[float, float]] = []
            _run(BOTO3, Path(tmp), env)  # warm the OS file cache for both sides alike
            _run(OURS, Path(tmp), env)
            for _ in range(runs):
                bare.append(_run(BOTO3, Path(tmp), env))
                ours.append(_run(OURS, Path(tmp), env))
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()
    def med(side: list[tuple[float, float, float, float]], i: int) -> float:
        return statistics.median(x[i] for x in side)

    o, b, oc, bc = med(ours, 0), med(bare, 0), med(ours, 1), med(bare, 1)
    return {"ours_ms": round(o), "boto3_ms": round(b), "ratio": round(o / b, 2),
            "ours_cpu_ms": round(oc), "boto3_cpu_ms": round(bc), "cpu_ratio": round(oc / bc, 2), "runs": runs,
            "process_ratio": round(med(ours, 2) / med(bare, 2), 2),  # whole processes, exit included
            "process_cpu_ratio": round(med(ours, 3) / med(bare, 3), 2),
            "zip_kb": round(zpath.stat().st_size / 1024)}


def build_zip() -> Path:
    from deploy.package import package

    out = Path(tempfile.mkdtemp(prefix="coldstart-pkg-"))
    return package("dev", out) / "deployment.zip"


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--zip", type=Path, help="an existing deployment.zip (default: build one)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(json.dumps(measure(args.zip or build_zip(), args.runs)))


if __name__ == "__main__":
    main()
