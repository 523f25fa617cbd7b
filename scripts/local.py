"""`make run`: moto on loopback (unless an AWS endpoint is already set), tables, a default org
and app with printed credentials, then `chalice local` on 127.0.0.1:$PORT.

Behaves like a service one keeps open all day (issue 14):
- data lasts: moto's state is journaled and snapshotted under $BAAS_LOCAL_DIR (default `.local/`,
  git-ignored; baas_tools/persist.py says how), so tables, objects, sent mail, orgs, apps and keys
  survive a restart, `kill -9` included; `--reset` (`make reset`) starts empty;
- credentials are stable (keys derive from the secret stored with the data) and are printed as
  `export` lines and written to $BAAS_LOCAL_DIR/env.sh for the README tours to `source`;
- a busy port is an error (exit 2) before anything is started; SIGINT/SIGTERM stop `chalice local`
  and snapshot the data; `chalice local` also dies with this process if it is killed outright;
- chalice's reloader is off (a file written in the project folder would restart the server on
  every line); `RELOAD=1` turns it back on.
- sent emails: GET $BAAS_MOTO_URL/_local/mail (or `baas mail`).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT = {"organization": "local", "username": "admin", "name": "Local Admin",
           "email": "admin@local.test", "password": "localpass"}


def stage_environment(stage: str) -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"].get(stage, {}).get("environment_variables", {}))
    return env


def port_busy(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class Moto:
    """moto's WSGI app on loopback, its mutations journaled into `folder` (baas_tools.persist)."""

    def __init__(self, port: int, folder: Path) -> None:
        import logging

        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        from baas_tools.persist import Store, sent_mail

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per moto call drowns the app's log
        from scripts.local_chalice import nodelay_werkzeug
        from scripts.moto_fast_query import apply
        from scripts.moto_s3_conditions import apply as conditional_copies

        apply()  # a Query reads its range of its partition, not the whole table (scripts/moto_fast_query.py)
        conditional_copies()  # CopyObject honours If-None-Match / If-Match as S3 does
        nodelay_werkzeug()  # the app's keep-alive calls to moto would wait on delayed ACKs
        app = DomainDispatcherApplication(create_backend_app)
        self.store = Store(folder)
        self.loaded = self.store.load(app)
        self.server = make_server("127.0.0.1", port, self.store.wrap(app, {"/_local/mail": sent_mail}), True,
                                  request_handler=MotoRequestHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.store.close()  # final snapshot: the next start reads one file, replays nothing


def seed_default() -> dict[str, str]:
    """Create the default org, admin and sandbox app once; return what a user needs to call them."""
    from chalicelib.bootstrap import services
    from chalicelib.core.errors import DuplicateUnique

    svc = services()
    try:
        svc.tenancy.signup(**DEFAULT)
    except DuplicateUnique:
        pass
    app = svc.tenancy.app(DEFAULT["organization"], "sandbox")
    creds = svc.tenancy.credentials(app)
    return {"org": DEFAULT["organization"], "app": "sandbox", "app_uuid": app.uuid, **creds}


def wait_ready(url: str, proc: subprocess.Popen[bytes], stopping: threading.Event, timeout: float = 90) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None and not stopping.is_set():
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return dict(json.load(r))


def environment_lines(base: str, moto_url: str | None, info: dict[str, str]) -> list[tuple[str, str]]:
    """What a shell (README tours, SDK configs, the `baas` CLI) needs, as (variable, value)."""
    ug = f"{base}/usergrid"
    admin = post_json(f"{ug}/management/token", {"grant_type": "password", "username": DEFAULT["username"],
                                                 "password": DEFAULT["password"]})["access_token"]
    app_token = post_json(f"{ug}/{info['org']}/{info['app']}/token", {
        "grant_type": "client_credentials", "client_id": info["client_id"],
        "client_secret": info["client_secret"]})["access_token"]
    lines = [("BAAS_URL", base), ("BAAS_ORG", info["org"]), ("BAAS_APP", info["app"]),
             ("APP_UUID", info["app_uuid"]), ("CLIENT_ID", info["client_id"]),
             ("CLIENT_SECRET", info["client_secret"]), ("REST_API_KEY", info["rest_api_key"]),
             ("MASTER_KEY", info["master_key"]), ("BAAS_ADMIN_USER", DEFAULT["username"]),
             ("BAAS_ADMIN_PASSWORD", DEFAULT["password"]), ("ADMIN_TOKEN", admin), ("APP_TOKEN", app_token)]
    if moto_url:
        lines.append(("BAAS_MOTO_URL", moto_url))
    return lines


def write_env(path: Path, lines: list[tuple[str, str]]) -> None:
    text = "# Written by `make run`: `source` it to use the README tours, the SDKs and the `baas` CLI.\n"
    text += "".join(f"export {k}={shlex.quote(v)}\n" for k, v in lines)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.chmod(0o600)  # tokens and keys
    os.replace(tmp, path)


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it is inside it (the README's `.local/env.sh`)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _die_with_parent() -> None:
    """In the child: get SIGTERM when this process dies, even by `kill -9` (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


def stop_child(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # chalice local and anything it started
        proc.wait(timeout=10)
    except (ProcessLookupError, PermissionError):
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reset", action="store_true", help="forget the stored local data and start empty")
    args = parser.parse_args(argv)
    port = int(os.environ.get("PORT", "8000"))
    os.environ.setdefault("BAAS_PUBLIC_URL", f"http://127.0.0.1:{port}")  # URLs the server builds
    moto_port = int(os.environ.get("MOTO_PORT", "5005"))
    stage = os.environ.get("STAGE", "dev")
    folder = Path(os.environ.get("BAAS_LOCAL_DIR") or ROOT / ".local").resolve()
    os.environ.update(stage_environment(stage))
    # Only a DynamoDB endpoint given (dynalite, DynamoDB Local): moto still serves S3, SES and the rest.
    use_moto = not os.environ.get("AWS_ENDPOINT_URL")
    dynamodb = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    for p in [port, moto_port] if use_moto else [port]:
        if port_busy(p):
            print(f"error: port {p} on 127.0.0.1 is already in use (another `make run`?). Stop that server, "
                  f"or pick other ports: make run PORT=8001 MOTO_PORT=5006", file=sys.stderr)
            return 2
    if args.reset and folder.exists():
        shutil.rmtree(folder)
        print(f"reset: removed {folder}")
    folder.mkdir(parents=True, exist_ok=True)

    moto: Moto | None = None
    stopping = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if use_moto:
        for var, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local")):
            os.environ.setdefault(var, value)
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        moto = Moto(moto_port, folder)
        os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
        print(f"moto ({'S3, SES' if dynamodb else 'DynamoDB, S3, SES'}) on http://127.0.0.1:{moto_port}, data in {folder} "
              f"(restored in {moto.loaded['snapshot_s'] + moto.loaded['replay_s']:.2f} s, "
              f"{moto.loaded['replayed']} journal records replayed)" + (f"; DynamoDB on {dynamodb}" if dynamodb else ""), flush=True)
    else:
        print("using the AWS endpoint already set in the environment")
    proc: subprocess.Popen[bytes] | None = None
    try:
        from chalicelib.bootstrap import create_resources

        made = create_resources()
        print("created:", ", ".join(made) if made else "nothing (all tables and the bucket exist)")
        info = seed_default()
        chalice = [sys.executable, str(ROOT / "scripts" / "local_chalice.py"), "--host", "127.0.0.1",
                   "--port", str(port), "--stage", stage]  # `chalice local` with TCP_NODELAY
        if os.environ.get("RELOAD", "") not in ("1", "true", "yes"):
            chalice.append("--no-autoreload")
        proc = subprocess.Popen(chalice, cwd=ROOT, env=os.environ.copy(), start_new_session=True,
                                preexec_fn=_die_with_parent)
        base = f"http://127.0.0.1:{port}"
        if not wait_ready(f"{base}/usergrid/status", proc, stopping):
            if stopping.is_set():
                return 0
            print(f"error: chalice local did not come up on {base}", file=sys.stderr)
            return 1
        moto_url = f"http://127.0.0.1:{moto_port}" if moto else None
        lines = environment_lines(base, moto_url, info)
        write_env(folder / "env.sh", lines)
        print("\n".join(f"export {k}={shlex.quote(v)}" for k, v in lines))
        print(f"""
Serverless BaaS is up at {base} (org "{info['org']}", app "{info['app']}", admin {DEFAULT['username']} / {DEFAULT['password']})
The lines above are in {folder / 'env.sh'}:  source {_shown(folder / 'env.sh')}
  Parse API at {base}/parse (application id $APP_UUID, master key $MASTER_KEY); `make console` opens
  Parse Dashboard for this app on http://127.0.0.1:4040
Try:
  curl -X POST {base}/usergrid/{info['org']}/sandbox/items -d '{{"name":"milk","price":3.25}}'
  curl "{base}/usergrid/{info['org']}/sandbox/items?ql=select%20*%20where%20price%3E3"
Sent emails: curl {moto_url or '<moto>'}/_local/mail   ·   Data is kept in {folder} (make reset starts empty).
Ctrl-C stops it.""", flush=True)
        while not stopping.is_set() and proc.poll() is None:
            stopping.wait(0.5)
        return 0 if stopping.is_set() else (proc.returncode or 1)
    finally:
        if proc is not None:
            stop_child(proc)
        if moto is not None:
            moto.stop()
            print("stopped; data saved in", folder, flush=True)


if __name__ == "__main__":
    sys.exit(main())
