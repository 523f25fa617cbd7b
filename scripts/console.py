"""`make console`: Parse Dashboard for one app of a running server (local or deployed).

The dashboard is a node program (npm `parse-dashboard`, pinned in console/package.json, installed
by `make console` into console/node_modules, never into the Lambda zip). It talks from the browser
straight to `<server>/parse` with the app's master key, so this script only finds the keys: an org
admin logs in through the Usergrid management API and reads the app's credentials (`uuid` is
Parse's application id, `master_key` its master key). The keys go to the dashboard through its
environment, not its command line, so `ps` does not show them.

Settings (environment, the names `make run`'s env.sh exports, with its defaults):
  BAAS_URL                  server root           http://127.0.0.1:$PORT (PORT=8000)
  BAAS_ORG, BAAS_APP        the app to manage     local, sandbox
  BAAS_ADMIN_USER, BAAS_ADMIN_PASSWORD   an admin of the org   admin, localpass
  CONSOLE_PORT              the dashboard's port  4040 (it listens on 127.0.0.1 only)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "console" / "node_modules" / "parse-dashboard" / "bin" / "parse-dashboard"


def _call(method: str, url: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        detail = e.read().decode(errors="replace")[:300]
        raise SystemExit(f"{method} {url} answered {e.code}: {detail}") from None
    except OSError as e:
        raise SystemExit(f"cannot reach {url}: {e} (is the server up? `make run` starts one)") from None


def app_keys(base: str, org: str, app: str, admin: str, password: str) -> dict[str, str]:
    """The app's Parse keys, as its org admin reads them from the management API."""
    mgmt = f"{base}/usergrid/management"
    token = _call("POST", f"{mgmt}/token", {"grant_type": "password", "username": admin,
                                            "password": password})["access_token"]
    creds = _call("GET", f"{mgmt}/orgs/{urllib.parse.quote(org)}/apps/{urllib.parse.quote(app)}/credentials",
                  token=token)
    return {"appId": creds["uuid"], "masterKey": creds["master_key"]}


def dashboard_env(server_url: str, keys: dict[str, str], app_name: str) -> dict[str, str]:
    return {**os.environ, "PARSE_DASHBOARD_SERVER_URL": server_url, "PARSE_DASHBOARD_APP_ID": keys["appId"],
            "PARSE_DASHBOARD_MASTER_KEY": keys["masterKey"], "PARSE_DASHBOARD_APP_NAME": app_name}


def dashboard_command(port: int) -> list[str]:
    """Bound to loopback: without dashboard users (`users` in its config) only local browsers may use it.
    `--allowInsecureHTTP` lets it reach a plain-HTTP server (the local one)."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not installed: apt-get install nodejs npm")
    if not DASHBOARD.exists():
        raise SystemExit("parse-dashboard is not installed: `make console` installs it (npm ci in console/)")
    return [node, str(DASHBOARD), "--host", "127.0.0.1", "--port", str(port), "--allowInsecureHTTP", "true"]


def main() -> int:
    base = os.environ.get("BAAS_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    base = base.rstrip("/")
    org, app = os.environ.get("BAAS_ORG", "local"), os.environ.get("BAAS_APP", "sandbox")
    keys = app_keys(base, org, app, os.environ.get("BAAS_ADMIN_USER", "admin"),
                    os.environ.get("BAAS_ADMIN_PASSWORD", "localpass"))
    port = int(os.environ.get("CONSOLE_PORT", "4040"))
    server_url = f"{base}/parse"
    print(f"Parse Dashboard for {org}/{app} ({server_url}, app id {keys['appId']}) on http://127.0.0.1:{port}",
          flush=True)
    proc = subprocess.Popen(dashboard_command(port), env=dashboard_env(server_url, keys, f"{org}-{app}"))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
