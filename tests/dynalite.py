"""dynalite (npm), a second DynamoDB for the suite: it validates requests as DynamoDB does, where
moto lets some through (reversed BETWEEN bounds, oversized keys, out-of-range numbers).

`BAAS_TEST_BACKEND=dynalite pytest tests/usergrid tests/bea` runs those HTTP tests with DynamoDB on
dynalite and S3 (and everything else) still on moto in-process: moto only answers AWS hostnames,
so calls to the loopback endpoint in `AWS_ENDPOINT_URL_DYNAMODB` pass through to dynalite.
dynalite is installed on first use into `tests/.node/` (git-ignored) with npm, or taken from
`DYNALITE_CLI` (a path to its `cli.js`). A test that relies on moto's leniency is marked
`@pytest.mark.moto_only(reason=...)` and skipped, with its reason, on dynalite.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parent / ".node"
VERSION = "4.0.0"


def backend() -> str:
    return os.environ.get("BAAS_TEST_BACKEND", "moto").strip().lower() or "moto"


def cli() -> Path:
    given = os.environ.get("DYNALITE_CLI")
    if given:
        return Path(given)
    path = NODE_DIR / "node_modules" / "dynalite" / "cli.js"
    if path.exists():
        return path
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("BAAS_TEST_BACKEND=dynalite needs npm (or DYNALITE_CLI)")
    NODE_DIR.mkdir(exist_ok=True)
    import fcntl

    with (NODE_DIR / ".install.lock").open("w") as lock:  # pytest-xdist workers install it once, in turn
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR),
                            f"dynalite@{VERSION}"], check=True, capture_output=True, timeout=300)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dynalite exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("dynalite did not start in 30 s")


@pytest.fixture(scope="session")
def dynalite_endpoint() -> Iterator[str]:
    """One in-memory dynalite per test session (table operations take no simulated time)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("BAAS_TEST_BACKEND=dynalite needs node")
    port = _free_port()
    proc = subprocess.Popen([node, str(cli()), "--port", str(port), "--host", "127.0.0.1", "--createTableMs", "0",
                             "--deleteTableMs", "0", "--updateTableMs", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def drop_tables(endpoint: str, prefix: str) -> None:
    """Each test starts on empty tables, as with a fresh moto: delete this test's tables."""
    import boto3

    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=os.environ["AWS_DEFAULT_REGION"])
    for name in client.list_tables()["TableNames"]:
        if name.startswith(prefix + "-"):
            client.delete_table(TableName=name)
