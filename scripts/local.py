"""`make run`: moto on loopback (unless an AWS endpoint is already set), tables, a default org
and app with printed credentials, then `chalice local` on 127.0.0.1:$PORT.

Everything moto holds is in memory: stopping the server forgets the data.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT = {"organization": "local", "username": "admin", "name": "Local Admin",
           "email": "admin@local.test", "password": "localpass"}


def stage_environment(stage: str) -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"].get(stage, {}).get("environment_variables", {}))
    return env


def start_moto(port: int) -> object:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per moto call drowns the app's log

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


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


def wait_ready(url: str, timeout: float = 60) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    os.environ.setdefault("BAAS_PUBLIC_URL", f"http://127.0.0.1:{port}")  # URLs the server builds
    moto_port = int(os.environ.get("MOTO_PORT", "5005"))
    stage = os.environ.get("STAGE", "dev")
    os.environ.update(stage_environment(stage))
    moto = None
    if not any(os.environ.get(v) for v in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3")):
        for var, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local")):
            os.environ.setdefault(var, value)
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        moto = start_moto(moto_port)
        os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
        print(f"moto (DynamoDB + S3) on http://127.0.0.1:{moto_port}")
    else:
        print("using the AWS endpoint already set in the environment")
    from chalicelib.bootstrap import create_resources

    made = create_resources()
    print("created:", ", ".join(made) if made else "nothing (all tables and the bucket exist)")
    info = seed_default()
    chalice = [str(Path(sys.executable).parent / "chalice"), "local", "--host", "127.0.0.1",
               "--port", str(port), "--stage", stage]
    proc = subprocess.Popen(chalice, cwd=ROOT, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    if wait_ready(f"{base}/usergrid/status"):
        print(f"""
Serverless BaaS is up at {base}
  Usergrid API:   {base}/usergrid/{info['org']}/{info['app']}/...
  admin:          {DEFAULT['username']} / {DEFAULT['password']}  (org "{info['org']}")
  app uuid:       {info['app_uuid']}
  client_id:      {info['client_id']}
  client_secret:  {info['client_secret']}
  REST API key:   {info['rest_api_key']}
Try:
  curl -X POST {base}/usergrid/{info['org']}/sandbox/items -d '{{"name":"milk","price":3.25}}'
  curl "{base}/usergrid/{info['org']}/sandbox/items?ql=select%20*%20where%20price%3E3"
Sign up your own org:
  curl -X POST {base}/usergrid/management/organizations -d '{{"organization":"myorg","username":"me","name":"Me","email":"me@example.com","password":"pick-one"}}'
Ctrl-C stops it (moto keeps data in memory only).""", flush=True)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        return proc.wait()
    finally:
        if moto is not None:
            moto.stop()  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
