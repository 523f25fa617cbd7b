"""Issue 15: dialects imported on first use (chalicelib/dialects/lazy.py).

The same script runs in two fresh processes: eagerly (no route manifest, as in tests and `chalice
local`) and lazily (the manifest `make package` puts in the zip). Everything a client or API
Gateway can see must be identical: the route table (paths, methods, names, content types, CORS),
every dialect's OpenAPI document, fallback 404/405s and real DynamoDB-backed requests of every
dialect. The lazy process must also import no dialect's handlers before its first request, and
only that dialect's on its first request.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import json, os, sys
from pathlib import Path
os.environ.update({"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_REGION": "us-east-1", "BAAS_TABLE_PREFIX": "lazy", "BAAS_BUCKET": "lazy-files",
                   "BAAS_SCRYPT_N": "1024", "BAAS_SECRET_KEY": "k" * 40})
for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
    os.environ.pop(var, None)
from chalicelib.dialects import lazy
if sys.argv[1] != "-":
    lazy.MANIFEST = Path(sys.argv[1])
HANDLERS = {"usergrid": "chalicelib.dialects.usergrid.data", "bea": "chalicelib.dialects.bea.objects",
            "parse": "chalicelib.dialects.parse.objects", "lightblue": "chalicelib.dialects.lightblue.crud",
            "backendless": "chalicelib.dialects.backendless.data"}
out = {"loaded": {}, "answers": []}
def loaded(stage):
    out["loaded"][stage] = sorted(d for d, m in HANDLERS.items() if m in sys.modules)
from app import app
loaded("import")

def cors(c):
    return None if c is None else c.get_access_control_headers()
out["routes"] = [[p, m, e.view_name, e.content_types, cors(e.cors), e.api_key_required]
                 for p, es in app.routes.items() for m, e in es.items()]

from chalice.test import Client
from moto import mock_aws
from chalicelib import bootstrap

def shape(r):
    try:
        body = json.loads(r.body)
    except ValueError:
        return [r.status_code, None]
    return [r.status_code, sorted(body) if isinstance(body, dict) else type(body).__name__]

with mock_aws():
    bootstrap.reset()
    bootstrap.create_resources()
    svc = bootstrap.services()
    org, _, _ = svc.tenancy.signup("acme", "boss", "Boss", "boss@acme.test", "s3cret!")
    prod = svc.tenancy.create_app(org, "prod")
    creds = svc.tenancy.credentials(prod)
    J = {"Content-Type": "application/json"}
    with Client(app) as c:
        def ask(method, path, body=None, headers=None):
            r = getattr(c.http, method)(path, headers={**J, **(headers or {})},
                                        body=json.dumps(body) if body is not None else None)
            shown = path.replace(prod.uuid, "{app}").replace(creds["rest_api_key"], "{key}")
            out["answers"].append([method, shown, *shape(r)])
            return r
        ask("post", "/usergrid/acme/sandbox/items", {"name": "milk", "n": 1})
        ask("get", "/usergrid/acme/sandbox/items/milk")
        ask("get", "/usergrid/acme/sandbox/items?ql=select * where n = 1")
        loaded("usergrid")
        bea = {"X-BEA-Application-Id": prod.uuid, "X-BEA-Authorization": creds["rest_api_key"]}
        ask("post", "/bea/1/Score", {"n": 1}, bea)
        ask("get", '/bea/1/Score?where={"n":1}&count=1', headers=bea)
        ask("patch", "/bea/1/login", headers=bea)
        loaded("bea")
        parse = {"X-Parse-Application-Id": prod.uuid, "X-Parse-REST-API-Key": creds["rest_api_key"]}
        ask("post", "/parse/classes/Score", {"n": 2}, parse)
        ask("get", "/parse/classes/Score", headers=parse)
        ask("get", "/parse/nothing/here", headers=parse)
        loaded("parse")
        ask("get", f"/backendless/{prod.uuid}/{creds['rest_api_key']}/counters/c")
        ask("put", f"/backendless/{prod.uuid}/{creds['rest_api_key']}/counters/c/increment/get")
        ask("get", "/backendless/x")
        loaded("backendless")
        ask("delete", "/lightblue/rest/data/find/customer")
        ask("post", "/lightblue/rest/data/find/customer", {"projection": {"field": "*"}})
        ask("get", "/lightblue/x")
        loaded("lightblue")
        ask("get", "/usergrid/x")
        out["openapi"] = {d: json.loads(c.http.get(f"/{d}/openapi.json").body)
                          for d in ("usergrid", "backendless", "bea", "lightblue", "parse")}
print(json.dumps(out))
"""


def _run(manifest: str) -> dict[str, Any]:
    p = subprocess.run([sys.executable, "-c", SCRIPT, manifest], cwd=ROOT, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    return dict(json.loads(p.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    manifest = tmp_path_factory.mktemp("lazy") / "routes.json"
    build = ("import sys; from pathlib import Path; import app; from chalicelib.dialects import lazy; "
             "lazy.write_manifest(Path(sys.argv[1]))")
    p = subprocess.run([sys.executable, "-c", build, str(manifest)], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-3000:]
    return _run("-"), _run(str(manifest))


def test_the_lazy_route_table_is_the_eager_one(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    eager, lazy = runs
    assert len(eager["routes"]) > 400
    assert lazy["routes"] == eager["routes"]


def test_every_dialect_answers_and_documents_itself_the_same(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    eager, lazy = runs
    assert lazy["answers"] == eager["answers"]
    statuses = {(m, p): s for m, p, s, _ in eager["answers"]}
    assert statuses[("get", "/usergrid/acme/sandbox/items/milk")] == 200
    assert statuses[("post", "/bea/1/Score")] == 201
    assert statuses[("post", "/parse/classes/Score")] == 201
    assert statuses[("get", "/backendless/x")] == 404
    assert statuses[("delete", "/lightblue/rest/data/find/customer")] == 405
    assert lazy["openapi"] == eager["openapi"]
    assert all(doc["paths"] for d, doc in lazy["openapi"].items() if d != "parse")  # Parse's: not served yet


def test_a_dialect_is_imported_by_its_first_request_only(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    eager, lazy = runs
    assert len(eager["loaded"]["import"]) == 5
    assert lazy["loaded"] == {
        "import": [],
        "usergrid": ["usergrid"],
        "bea": ["bea", "usergrid"],
        "parse": ["bea", "parse", "usergrid"],  # BEA and Parse share parselike, not each other's handlers
        "backendless": ["backendless", "bea", "parse", "usergrid"],
        "lightblue": ["backendless", "bea", "lightblue", "parse", "usergrid"],
    }


def test_in_the_package_the_collector_waits_for_the_first_response(tmp_path: Path) -> None:
    """app.py: with the route table beside it (the Lambda zip's layout) the cold start runs without
    the cyclic collector, which the first response turns back on with the start-up objects frozen."""
    import shutil

    shutil.copy(ROOT / "app.py", tmp_path / "app.py")
    shutil.copytree(ROOT / "chalicelib", tmp_path / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
    build = ("import sys; from pathlib import Path; import app; from chalicelib.dialects import lazy; "
             "lazy.write_manifest(Path(sys.argv[1]))")
    target = tmp_path / "chalicelib" / "dialects" / "routes.json"
    subprocess.run([sys.executable, "-c", build, str(target)], cwd=tmp_path, check=True, capture_output=True)
    code = ("import gc, json, sys; import app; before = gc.isenabled(); lazy = 'chalicelib.dialects.usergrid.data' not in sys.modules; "
            "from chalice.test import Client; c = Client(app.app); r = c.http.get('/status'); "
            "print(json.dumps([app.PACKAGED, lazy, before, r.status_code, gc.isenabled(), gc.get_freeze_count() > 1000]))")
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-2000:]
    assert json.loads(p.stdout.strip().splitlines()[-1]) == [True, True, False, 200, True, True]
