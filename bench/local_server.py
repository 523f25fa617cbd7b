"""The local server (`make run`) over HTTP: p50 latency with keep-alive, 1 and 8 clients (issue 15).

Starts `scripts/local.py` of a project tree (this one, or another checkout for a before/after) on free
ports, logging to a temporary file outside the project, fills the open `sandbox` app with N entities
(default 1,000; 50 colours, so an equality query matches N / 50 = 20), then measures per client
connection (http.client, one keep-alive connection each): GET of an entity by name, POST of a new
entity, and the equality query `color = 'c7'` returning 20. The server is stopped by its pid.

    .venv/bin/python bench/local_server.py
    .venv/bin/python bench/local_server.py --root /tmp/main --n 1000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Conn:
    def __init__(self, port: int) -> None:
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any, float]:
        data = json.dumps(body).encode() if body is not None else None
        t = time.perf_counter()
        self.c.request(method, path, body=data, headers={"Content-Type": "application/json"})
        r = self.c.getresponse()
        raw = r.read()
        ms = (time.perf_counter() - t) * 1000
        return r.status, json.loads(raw) if raw[:1] in (b"{", b"[") else raw, ms


def start(root: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port, moto = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "BAAS_"))}
    env.update(PORT=str(port), MOTO_PORT=str(moto), STAGE="dev", PYTHONUNBUFFERED="1")
    out = log.open("wb")
    proc = subprocess.Popen([sys.executable, str(root / "scripts" / "local.py")], cwd=root, env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 180
    while time.time() < deadline:
        if "is up at" in log.read_text(errors="replace"):
            return proc, port
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    stop(proc)
    raise RuntimeError(f"local server did not start; see {log}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT to the server's own process group (local.py and the chalice it started), then wait."""
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)


def measure(port: int, n: int, reps: int) -> dict[str, Any]:
    base = "/usergrid/local/sandbox"
    coll = f"bench{int(time.time())}"
    c = Conn(port)
    for k in range(0, n, 100):
        status, body, _ = c.call("POST", f"{base}/{coll}", [
            {"name": f"e{i}", "color": f"c{i % 50}", "n": i} for i in range(k, min(n, k + 100))])
        assert status == 200, body
    q = quote("select * where color = 'c7'")
    status, body, _ = c.call("GET", f"{base}/{coll}/?ql={q}&limit=20")
    assert status == 200 and len(body["entities"]) == n // 50, body
    ops = {
        "get by name": lambda c, i: c.call("GET", f"{base}/{coll}/e{(i * 37) % n}"),
        "create": lambda c, i: c.call("POST", f"{base}/{coll}", {"name": f"new{i}-{threading.get_ident()}",
                                                                   "color": "z", "n": i}),
        "equality query of 20": lambda c, i: c.call("GET", f"{base}/{coll}?ql={q}&limit=20"),
    }
    out: dict[str, Any] = {}
    for clients in (1, 8):
        for name, op in ops.items():
            times: list[float] = []
            lock = threading.Lock()

            def work(w: int, op: Any = op, times: list[float] = times, lock: threading.Lock = lock) -> None:
                conn = Conn(port)
                op(conn, w * 1000)  # warm this connection
                for i in range(reps):
                    status, body, ms = op(conn, w * 1000 + i + 1)
                    assert status == 200, body
                    with lock:
                        times.append(ms)

            threads = [threading.Thread(target=work, args=(w,)) for w in range(clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            out[f"{name}, {clients} client{'s' if clients > 1 else ''}"] = round(statistics.median(times), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--root", type=Path, default=ROOT)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    log = Path(tempfile.mkdtemp(prefix="baas-local-bench-")) / "server.log"
    proc, port = start(args.root.resolve(), log)
    try:
        print(json.dumps({"n": args.n, "p50_ms": measure(port, args.n, args.reps)}, indent=1))
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
