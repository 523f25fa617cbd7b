"""The official Parse JS SDK (npm `parse` 8.6.0, unmodified) against a live local server.

The SDK speaks the body-key style (text/plain POST with `_method`, `_ApplicationId`, ...) for API
calls and the X-Parse-* header style for Buffer uploads and file deletes; the script also speaks
the header style itself (fetch with X-Parse-* headers, as the REST guide, the mobile SDKs and the
Dashboard's API console do) on the same socket, and every route's header style is covered through
chalice.test in the other files. Skipped (with the reason)
when node is missing or the SDK can neither be found (PARSE_SDK=.../node_modules/parse) nor installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import live_server  # noqa: F401  (fixture)

SCRIPT = Path(__file__).with_name("sdk_e2e.mjs")
VERSION = "8.6.0"


def _sdk(tmp: Path) -> str:
    for cand in (os.environ.get("PARSE_SDK"), "/tmp/parse-sdk/node_modules/parse"):
        if cand and (Path(cand) / "package.json").exists() and \
                json.loads((Path(cand) / "package.json").read_text())["version"] == VERSION:
            return cand
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed and no Parse SDK found (set PARSE_SDK)")
    try:
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(tmp), f"parse@{VERSION}"],
                       capture_output=True, timeout=300, check=True)
    except (subprocess.SubprocessError, OSError):
        pytest.skip("the npm registry is not reachable: cannot install the Parse SDK")
    return str(tmp / "node_modules" / "parse")


def test_official_parse_sdk_end_to_end(live_server: str, org: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    sdk = _sdk(tmp_path)
    creds = org["credentials"]
    proc = subprocess.run([node, str(SCRIPT), sdk, f"{live_server}/parse", creds["uuid"], creds["rest_api_key"],
                           creds["master_key"]], capture_output=True, text=True, timeout=600)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith('{"ok"')]
    assert lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(lines[-1])
    assert result["failures"] == [], json.dumps(result["failures"], indent=1)
    assert len(result["checks"]) == 11
