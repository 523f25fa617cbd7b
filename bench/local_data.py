"""Local data that lasts (issue 14), measured end to end as a user meets it:

1. `make run` (scripts/local.py) on free ports with its data folder in a temporary directory;
2. `baas import` of N synthetic entities (JSON Lines, 6 properties each) -> import rate;
3. `baas export` of the same app -> export rate;
4. `kill -9` of the server, then a start: restart time from the journal alone, disk use;
5. SIGTERM (shutdown snapshot), then a start: restart time from the snapshot, disk use.

Run: .venv/bin/python bench/local_data.py [--entities 10000]   (prints a Markdown table)
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


class Server:
    def __init__(self, folder: Path, log: Path) -> None:
        self.folder, self.log = folder, log
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BAAS_"))}
        self.env.update(PORT=str(free_port()), MOTO_PORT=str(free_port()), BAAS_LOCAL_DIR=str(folder),
                        PYTHONUNBUFFERED="1")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        (self.folder / "env.sh").unlink(missing_ok=True)
        started = time.perf_counter()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "local.py")], cwd=ROOT,
                                         env=self.env, stdout=log, stderr=subprocess.STDOUT)
        while not (self.folder / "env.sh").exists():
            if self.proc.poll() is not None:
                raise SystemExit(f"server died: see {self.log}")
            time.sleep(0.1)
        return time.perf_counter() - started

    def stop(self, sig: int) -> float:
        assert self.proc is not None
        started = time.perf_counter()
        self.proc.send_signal(sig)
        self.proc.wait(timeout=600)
        return time.perf_counter() - started

    def restored(self) -> str:
        """moto's own share of the last start: snapshot load + journal replay (scripts/local.py prints it)."""
        lines = [x for x in self.log.read_text().splitlines() if "restored in" in x]
        return lines[-1].split("(restored in ", 1)[1].rstrip(")") if lines else "?"

    def variables(self) -> dict[str, str]:
        out = {}
        for line in (self.folder / "env.sh").read_text().splitlines():
            if line.startswith("export "):
                k, _, v = line[7:].partition("=")
                out[k] = shlex.split(v)[0]
        return out


def baas(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "baas_tools", *args], cwd=ROOT, env={**os.environ, **env}, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def synthetic(path: Path, n: int) -> None:
    base = 1_700_000_000_000
    with path.open("w") as f:
        for i in range(n):
            ms = base + i
            h = f"{ms:012x}7000{0x8000 | (i >> 48) & 0x3FFF:04x}{i & 0xFFFFFFFFFFFF:012x}"
            uuid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
            f.write(json.dumps({"collection": "things", "uuid": uuid, "entity": {
                "name": f"thing-{i}", "price": i % 100, "color": ["red", "green", "blue"][i % 3],
                "tags": ["a", f"t{i % 10}"], "in_stock": i % 2 == 0, "created": ms, "modified": ms}}) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entities", type=int, default=10_000)
    n = ap.parse_args().entities
    tmp = Path(tempfile.mkdtemp(prefix="baas-bench-"))
    server = Server(tmp / "data", tmp / "server.log")
    rows: list[tuple[str, str]] = []
    first = server.start()
    rows.append(("first start (empty)", f"{first:.1f} s"))
    env = server.variables()
    data = tmp / "in.jsonl"
    synthetic(data, n)
    t = baas(env, "import", str(data), "--app", "bench", "--format", "jsonl")
    rows.append((f"`baas import` {n:,} entities", f"{t:.0f} s = {n / t:.0f} entities/s ({data.stat().st_size / t / 1e3:.0f} KB/s)"))
    out = tmp / "out.jsonl"
    t = baas(env, "export", "--app", "bench", "-o", str(out))
    rows.append((f"`baas export` {n:,} entities", f"{t:.0f} s = {n / t:.0f} entities/s ({out.stat().st_size / t / 1e3:.0f} KB/s)"))
    journal = du(server.folder)
    server.stop(signal.SIGKILL)
    t = server.start()
    rows.append(("restart after `kill -9` (no snapshot: the journal is replayed)",
                 f"{t:.1f} s until up, of which moto {server.restored()}; disk {journal / 1e6:.0f} MB (snapshot + journal)"))
    t = server.stop(signal.SIGTERM)
    snap = du(server.folder)
    rows.append(("SIGTERM (writes the snapshot, empties the journal)", f"{t:.1f} s"))
    t = server.start()
    rows.append(("restart from the snapshot", f"{t:.1f} s until up, of which moto {server.restored()}; "
                 f"disk {snap / 1e6:.0f} MB (snapshot)"))
    server.stop(signal.SIGTERM)
    print(f"\n| {n:,} entities (`python bench/local_data.py --entities {n}`) | measured |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")
    print(f"\nlog: {server.log}")


if __name__ == "__main__":
    main()
