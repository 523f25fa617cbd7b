"""README tours that cannot rot (issue 14): every fenced `sh` block of README.md runs, as written and
in order, in one bash against a live `make run` server. Any answer that is not 2xx fails the test
unless its line says `# expected NNN`; an unset variable or a failing command fails it too. Only
blocks fenced as `sh no-test` (starting the server, deploying to AWS) are skipped."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from .conftest import ROOT, LocalServer

FENCE = re.compile(r"^([ \t]*)```sh([^\n]*)\n(.*?)^[ \t]*```", re.S | re.M)
EXPECTED = re.compile(r"#\s*expected (\d{3})\b")
# `curl` as the README's reader runs it, plus the status check: the body is printed unchanged
# (pipes into `json` still work) and a status the line does not expect is recorded in $FAILS.
PRELUDE = r'''set -euo pipefail
FAILS="$PWD/fails.txt"; : > "$FAILS"
curl() {
  local out code
  out=$(command curl -sS -w '\n%{http_code}' "$@") || { echo "curl failed: curl $*" >> "$FAILS"; return 1; }
  code=${out##*$'\n'}
  printf '%s\n' "${out%$'\n'*}"
  if [ -n "${EXPECT_STATUS:-}" ]; then
    [ "$code" = "$EXPECT_STATUS" ] || echo "HTTP $code, expected $EXPECT_STATUS: curl $*" >> "$FAILS"
    return 0
  fi
  case $code in 2*) ;; *) echo "HTTP $code: curl $*" >> "$FAILS";; esac
}
'''


def blocks(text: str) -> list[tuple[str, str]]:
    return [(info.strip(), textwrap.dedent(body)) for _, info, body in FENCE.findall(text)]


def script(text: str) -> str:
    out = [PRELUDE]
    for info, body in blocks(text):
        if "no-test" in info:
            continue
        for line in body.splitlines():
            m = EXPECTED.search(line)
            if m and line.lstrip().startswith("curl "):
                line = f"EXPECT_STATUS={m.group(1)} {line}"
            out.append(line)
    return "\n".join(out) + "\n"


def test_the_extractor_sees_every_block() -> None:
    text = (ROOT / "README.md").read_text()
    found = blocks(text)
    assert text.count("```sh") == len(found) >= 6
    skipped = [info for info, _ in found if "no-test" in info]
    assert len(skipped) == 4, skipped  # `make run`/`make test`, the AWS deploy, and the two console starts


def run_tour(server: LocalServer, work: Path, text: str) -> tuple[int, str, str]:
    (work / ".local").mkdir(parents=True)
    shutil.copy(server.env_file, work / ".local" / "env.sh")  # as `make run` leaves it in a clone
    (work / "tour.sh").write_text(script(text))
    bin_dir = work / "bin"  # `baas` as `make run` installs it into the venv
    bin_dir.mkdir()
    (bin_dir / "baas").write_text(f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m baas_tools \"$@\"\n")
    (bin_dir / "baas").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BAAS_"))}
    env["PATH"] = f"{bin_dir}:{env.get('PATH', '')}"
    run = subprocess.run(["bash", "tour.sh"], cwd=work, capture_output=True, text=True, timeout=600, env=env)
    fails = (work / "fails.txt").read_text() if (work / "fails.txt").exists() else "(no fails file)"
    return run.returncode, fails, f"STDERR:\n{run.stderr[-3000:]}\nSTDOUT:\n{run.stdout[-3000:]}"


def test_readme_sh_blocks_run_against_a_live_server(running_server: LocalServer, tmp_path: Path) -> None:
    rc, fails, out = run_tour(running_server, tmp_path / "work", (ROOT / "README.md").read_text())
    assert rc == 0 and not fails.strip(), f"rc={rc}\nFAILS:\n{fails}\n{out}"


def test_the_harness_catches_what_rots(running_server: LocalServer, tmp_path: Path) -> None:
    """A wrong status, a wrong expected status and an unset variable each fail the tour."""
    cases = {
        "status": "```sh\nsource .local/env.sh\ncurl $BAAS_URL/usergrid/local/sandbox/items/nope\n```\n",
        "expected": "```sh\nsource .local/env.sh\ncurl $BAAS_URL/usergrid/status   # expected 404\n```\n",
        "unset": "```sh\nsource .local/env.sh\ncurl $BAAS_URL/bea/1/GameScore/$NOT_SET\n```\n",
    }
    for name, text in cases.items():
        rc, fails, out = run_tour(running_server, tmp_path / name, text)
        assert rc != 0 or fails.strip(), (name, out)
    ok = "```sh\nsource .local/env.sh\ncurl $BAAS_URL/usergrid/local/sandbox/items/nope   # expected 404\n```\n"
    rc, fails, out = run_tour(running_server, tmp_path / "ok", ok)
    assert rc == 0 and not fails.strip(), out
