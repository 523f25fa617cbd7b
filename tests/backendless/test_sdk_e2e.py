"""The official Backendless JS SDK (8.x), unmodified, against a live `chalice local` + moto server.

Skipped (with the reason) when `node` is missing or the SDK cannot be found or installed: set
BL_SDK to an installed `node_modules/backendless`, or let the test `npm install backendless@8`
into a temporary folder when the npm registry is reachable.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("sdk_e2e.mjs")
SERVER = r"""
import json, os, subprocess, sys
sys.path.insert(0, os.getcwd())
from pathlib import Path
from scripts.local import Moto, seed_default
moto_port, port = int(sys.argv[1]), sys.argv[2]
moto = Moto(moto_port, Path(sys.argv[3]))  # data kept in the test's own folder
os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
from chalicelib.bootstrap import create_resources
create_resources()
print(json.dumps(seed_default()), flush=True)
cmd = [os.path.join(os.path.dirname(sys.executable), "chalice"), "local", "--host", "127.0.0.1",
       "--port", port, "--no-autoreload"]
sys.exit(subprocess.call(cmd))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sdk(tmp: Path) -> str:
    for cand in (os.environ.get("BL_SDK"), "/tmp/bl-sdk/node_modules/backendless"):
        if cand and (Path(cand) / "package.json").exists():
            return cand
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed and no Backendless SDK found (set BL_SDK)")
    try:
        subprocess.run([npm, "view", "backendless@8", "version"], capture_output=True, timeout=20, check=True)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(tmp), "backendless@8"],
                       capture_output=True, timeout=240, check=True)
    except (subprocess.SubprocessError, OSError):
        pytest.skip("the npm registry is not reachable: cannot install the Backendless SDK")
    return str(tmp / "node_modules" / "backendless")


def test_official_sdk_end_to_end(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    sdk = _sdk(tmp_path)
    moto_port, port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    # chalice local applies the dev stage of .chalice/config.json (table prefix baas-dev) over this env
    env.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "",
                "AWS_DEFAULT_REGION": "us-east-1", "BAAS_TABLE_PREFIX": "baas-dev", "BAAS_BUCKET": "baas-dev-files"})
    env.pop("AWS_SESSION_TOKEN")
    log = (tmp_path / "server.log").open("w")
    (tmp_path / "data").mkdir()
    proc = subprocess.Popen([sys.executable, "-u", "-c", SERVER, str(moto_port), str(port), str(tmp_path / "data")],
                            cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
    try:
        info: dict[str, Any] = json.loads(proc.stdout.readline() if proc.stdout else "{}")
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/status", timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    pytest.fail("chalice local did not start")
                time.sleep(0.3)
        run = subprocess.run([node, str(SCRIPT)], capture_output=True, text=True, timeout=180, env={
            **os.environ, "BL_APP_ID": info["app_uuid"], "BL_API_KEY": info["rest_api_key"],
            "BL_SERVER_URL": f"{base}/backendless", "BL_SDK": sdk})
        server_log = (tmp_path / "server.log").read_text()[-3000:]
        assert run.returncode == 0 and "ALL OK" in run.stdout, run.stdout + run.stderr + server_log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
