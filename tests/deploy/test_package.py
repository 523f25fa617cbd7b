"""`deploy/package.py` per stage, with no AWS credentials, then cfn-lint on what it wrote.

Packaging runs once per stage per process (module fixture); chalice's dependency zip is cached
in .chalice/deployments/ and pip reads only the build/wheels/ wheelhouse, so this stays fast.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from deploy.template import (
    API_ID,
    FUNCTION_ID,
    SECRET_PARAMETER,
    TASK_FUNCTION_VAR,
    WORKER_ID,
    WORKER_NAME,
    stage_environment,
    task_function,
)
from tests.deploy.conftest import CONFIG, ROOT, policy_of

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def packaged(stage: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(f"package-{stage}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    done = subprocess.run([sys.executable, "deploy/package.py", "--stage", stage, "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_package_merges_resources_role_and_environment(stage: str, packaged: Path) -> None:
    sam = json.loads((packaged / "sam.json").read_text())
    resources = json.loads((packaged / "resources.json").read_text())["Resources"]
    assert {k: sam["Resources"][k] for k in resources} == resources
    roles = [r for r in sam["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert len(roles) == 2  # chalice gives each function its role, both from the stage's policy file
    assert all([p["PolicyDocument"] for p in role["Properties"]["Policies"]] == [policy_of(stage)] for role in roles)
    functions = {k: r["Properties"] for k, r in sam["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
    assert set(functions) == {FUNCTION_ID, WORKER_ID}
    assert functions[FUNCTION_ID]["Environment"]["Variables"] == {
        **stage_environment(stage), "BAAS_SECRET_KEY": {"Ref": SECRET_PARAMETER}, TASK_FUNCTION_VAR: {"Ref": WORKER_ID}}
    assert sam["Parameters"][SECRET_PARAMETER]["NoEcho"] is True


def test_api_gateway_answers_carry_nosniff_and_cors(packaged: Path) -> None:
    """API Gateway's own 4xx/5xx (throttled, too large, timeout) are not Lambda answers, so
    install_edge cannot add headers to them: the template does."""
    api = json.loads((packaged / "sam.json").read_text())["Resources"][API_ID]
    assert api["Type"] == "AWS::Serverless::Api"
    responses = api["Properties"]["GatewayResponses"]
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX", "MISSING_AUTHENTICATION_TOKEN"):
        headers = responses[kind]["ResponseParameters"]["Headers"]
        assert headers["X-Content-Type-Options"] == "'nosniff'"
        assert headers["Access-Control-Allow-Origin"] == "'*'"
    unknown = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert unknown["StatusCode"] == "404"
    assert json.loads(unknown["ResponseTemplates"]["application/json"])["code"] == 404


def test_worker_is_the_lightblue_task_handler_with_its_own_timeout(stage: str, packaged: Path) -> None:
    """The worker runs what API Gateway's 29 s cannot; core/tasks.py reads a RUNNING task as
    timed out once RUN_LIMIT_S has passed, so the worker's timeout may not exceed it."""
    from chalicelib.core.tasks import RUN_LIMIT_S

    worker = json.loads((packaged / "sam.json").read_text())["Resources"][WORKER_ID]["Properties"]
    assert worker["Handler"] == "chalicelib.dialects.lightblue.worker.task_worker"
    assert worker["Timeout"] == CONFIG["stages"][stage]["lambda_functions"][WORKER_NAME]["lambda_timeout"] == RUN_LIMIT_S
    assert TASK_FUNCTION_VAR not in worker["Environment"]["Variables"]  # it starts no task itself
    assert task_function(stage) == f"{CONFIG['app_name']}-{stage}-{WORKER_NAME}"  # chalice deploy's name


def test_zip_holds_the_app_and_its_requirements_only(packaged: Path) -> None:
    names = zipfile.ZipFile(packaged / "deployment.zip").namelist()
    assert "app.py" in names and "chalicelib/bootstrap.py" in names and "pynamodb/models.py" in names
    assert "bcrypt/__init__.py" in names  # verifies imported Parse users' hashes (chalicelib/hashes.py)
    assert not [n for n in names if n.startswith(("deploy/", "tests/", "bench/", "scripts/", "moto/",
                                                   "baas_tools/", "click/", "rich/"))]  # the CLI stays out


def test_zip_leaves_out_what_lambda_provides_and_ships_pyc(packaged: Path) -> None:
    """Lambda's Python runtime has botocore (and boto3); /var/task is read-only, so modules ship compiled."""
    z = zipfile.ZipFile(packaged / "deployment.zip")
    names = z.namelist()
    assert not [n for n in names if n.split("/")[0] in ("botocore", "boto3", "urllib3", "dateutil", "jmespath")]
    tag = sys.implementation.cache_tag
    assert f"chalicelib/__pycache__/bootstrap.{tag}.pyc" in names and f"__pycache__/app.{tag}.pyc" in names
    assert f"pynamodb/__pycache__/models.{tag}.pyc" in names
    assert (packaged / "deployment.zip").stat().st_size <= 2_000_000


def test_zip_carries_the_route_table_so_each_dialect_loads_on_first_use(packaged: Path) -> None:
    """dialects/lazy.py: the Lambda registers stubs from it (tests/test_lazy_routes.py checks them)."""
    table = json.loads(zipfile.ZipFile(packaged / "deployment.zip").read("chalicelib/dialects/routes.json"))
    dialects = {r[0] for r in table["routes"]}
    assert dialects == {"usergrid", "backendless", "bea", "lightblue", "parse"}
    assert len(table["routes"]) > 400
    assert not (ROOT / "chalicelib" / "dialects" / "routes.json").exists()  # never in the tree: tests stay eager


@pytest.fixture(scope="module")
def lint(packaged: Path) -> list[dict[str, Any]]:
    """cfn-lint on both templates in one run (its start-up is a good part of its time)."""
    done = subprocess.run([str(BIN / "cfn-lint"), "--format", "json", "--include-checks", "I", "--",
                           str(packaged / "sam.json"), str(packaged / "resources.json")], capture_output=True, text=True)
    assert done.stdout.strip(), done.stderr  # it exits non-zero on any match, warnings too: judge the matches
    return list(json.loads(done.stdout))


@pytest.mark.parametrize("name", ["sam.json", "resources.json"])
def test_cfn_lint_finds_no_errors(lint: list[dict[str, Any]], name: str) -> None:
    """Errors fail; warnings and informational matches are allowed and shown with -rA."""
    matches = [m for m in lint if Path(m["Filename"]).name == name]
    for m in matches:
        print(f"{m['Level']} {m['Rule']['Id']} {m['Message']}")
    assert not [m for m in matches if m["Level"] == "Error"]


def _api_paths(packaged: Path) -> dict[str, Any]:
    api = json.loads((packaged / "sam.json").read_text())["Resources"][API_ID]
    return dict(api["Properties"]["DefinitionBody"]["paths"])


def test_api_has_every_route_and_each_dialects_catch_all(packaged: Path) -> None:
    """What dialects/fallback.py relies on behind API Gateway, checked on the template (no AWS needed):
    every route of the app's table is a resource with its methods, each dialect has one greedy
    `{proxy+}` resource, with every method proxied to the API function and its `proxy` parameter
    declared, under a chain of variable resources; and no resource has two variable children, which
    API Gateway refuses at deploy time. Whether API Gateway then falls back from a literal branch to
    its variable sibling for a path no route has is its routing and is not checked here."""
    from app import app
    from chalicelib.dialects.fallback import GREEDY, METHODS

    paths = _api_paths(packaged)
    for route, entries in app.routes.items():
        assert route in paths, route
        assert {m.lower() for m in entries} <= set(paths[route]), route
    for prefix in ("/usergrid", "/backendless", "/bea", "/lightblue", "/parse"):
        (greedy,) = [p for p in paths if p.startswith(prefix + "/") and p.endswith("/" + GREEDY)]
        parts = greedy.split("/")
        assert all(p.startswith("{") for p in parts[2:]), greedy
        for i in range(3, len(parts)):
            assert "/".join(parts[:i]) in paths, greedy  # each shorter unknown path has its resource too
        for method in METHODS:
            op = paths[greedy][method.lower()]
            integration = op["x-amazon-apigateway-integration"]
            assert integration["type"] == "aws_proxy" and "${APIHandler.Arn}" in integration["uri"]["Fn::Sub"]
            declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert declared == {v.rstrip("+") for v in re.findall(r"\{([\w+]+)\}", greedy)}, (greedy, method)
    children: dict[str, set[str]] = {}
    for path in paths:
        parent, _, last = path.rpartition("/")
        if last.startswith("{"):
            children.setdefault(parent, set()).add(last)
        for i in range(2, len(path.split("/"))):  # the parents API Gateway creates on the way
            head = path.split("/")
            if head[i].startswith("{"):
                children.setdefault("/".join(head[:i]), set()).add(head[i])
    assert {p: c for p, c in children.items() if len(c) > 1} == {}
