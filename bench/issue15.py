"""The figures of issue 15 in one run: cold start against boto3, the zip, round trips on the wire,
the hottest partition key while creating, and the local server over HTTP.

Each part is its own script (bench/coldstart.py, bench/roundtrips.py, bench/local_server.py); this runs
them side by side and, with --write, replaces the "Issue 15" section of docs/BENCHMARKS.md. With
--before DIR (a checkout of an older commit, e.g. `git worktree add /tmp/before <commit>`), every
figure is measured for that tree too, in the same run, and shown next to this tree's.

    .venv/bin/python bench/issue15.py [--before /tmp/before] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from docsection import write_section  # bench/ is on sys.path: scripts run as `python bench/<name>.py`

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"


def _json(cmd: list[str], cwd: Path) -> dict[str, Any]:
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=3600)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[-1]}
    text = p.stdout
    return dict(json.loads(text[text.index("{"):]))


def _zip(tree: Path) -> Path:
    out = Path(tempfile.mkdtemp(prefix="issue15-pkg-"))
    subprocess.run([sys.executable, "deploy/package.py", "--stage", "dev", "--out", str(out)], cwd=tree, check=True,
                   capture_output=True, env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"})
    return out / "deployment.zip"


def measure(tree: Path, runs: int, reps: int) -> dict[str, Any]:
    here = Path(__file__).resolve().parent
    cold = _json([sys.executable, str(here / "coldstart.py"), "--zip", str(_zip(tree)), "--runs", str(runs)], ROOT)
    rt = _json([sys.executable, str(here / "roundtrips.py"), "--root", str(tree), "--reps", str(reps)], ROOT)
    local = _json([sys.executable, str(here / "local_server.py"), "--root", str(tree), "--reps", "10"], ROOT)
    return {"cold": cold, "rt": rt, "local": local}


def _cell(side: dict[str, Any] | None, path: list[str]) -> str:
    v: Any = side
    for p in path:
        v = v.get(p) if isinstance(v, dict) else None
    return "–" if v is None else str(v)


def table(after: dict[str, Any], before: dict[str, Any] | None) -> str:
    rows: list[tuple[str, list[str]]] = [
        ("cold start, ours / bare boto3 + GetItem (wall ms)", ["cold", "ratio"]),
        ("cold start, ours / bare boto3 + GetItem (CPU ms)", ["cold", "cpu_ratio"]),
        ("cold start, ours (wall ms)", ["cold", "ours_ms"]),
        ("deployment.zip (KB)", ["cold", "zip_kb"]),
    ]
    for op in (after.get("rt", {}).get("ops") or {}):
        rows.append((f"round trips / calls: {op}", ["rt", "ops", op, "round_trips"]))
    rows.append(("hottest partition key while creating (index)", ["rt", "hot_key"]))
    rows.append(("creates/s into one collection before that key passes 1,000 WCU/s", ["rt", "creates_per_s_bound"]))
    for k in (after.get("local", {}).get("p50_ms") or {}):
        rows.append((f"local server p50 ms: {k}", ["local", "p50_ms", k]))
    lines = ["| figure | before | after |", "|---|---|---|"]
    for label, path in rows:
        b, a = _cell(before, path), _cell(after, path)
        if path[:2] == ["rt", "ops"]:
            calls = path[:3] + ["calls"]
            b, a = f"{b} / {_cell(before, calls)}", f"{a} / {_cell(after, calls)}"
        lines.append(f"| {label} | {b if before else '–'} | {a} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--before", type=Path, help="a checkout of the tree to compare with")
    ap.add_argument("--runs", type=int, default=5, help="cold starts per side")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each round-trip request")
    ap.add_argument("--write", action="store_true", help=f"replace the issue 15 section of {DOC.name}")
    args = ap.parse_args()
    before = measure(args.before.resolve(), args.runs, args.reps) if args.before else None
    after = measure(ROOT, args.runs, args.reps)
    body = ("## Issue 15: cold start, round trips, hot keys, local server\n\n"
            "`make bench` (`.venv/bin/python bench/issue15.py --write`; before/after: `--before <checkout>`).\n\n"
            + table(after, before))
    print(body)
    print(json.dumps({"before": before, "after": after}, indent=1), file=sys.stderr)
    if args.write:
        write_section("issue15", body)


if __name__ == "__main__":
    main()
