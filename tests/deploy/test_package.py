"""`deploy/package.py` per stage, with no AWS credentials, then cfn-lint on what it wrote.

Packaging runs once per stage per process (module fixture); chalice's dependency zip is cached
in .chalice/deployments/ and pip reads only the build/wheels/ wheelhouse, so this stays fast.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from deploy.template import SECRET_PARAMETER, stage_environment
from tests.deploy.conftest import ROOT, policy_of

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
    (role,) = [r for r in sam["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert [p["PolicyDocument"] for p in role["Properties"]["Policies"]] == [policy_of(stage)]
    (fn,) = [r for r in sam["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    assert fn["Properties"]["Environment"]["Variables"] == {
        **stage_environment(stage), "BAAS_SECRET_KEY": {"Ref": SECRET_PARAMETER}}
    assert sam["Parameters"][SECRET_PARAMETER]["NoEcho"] is True


def test_zip_holds_the_app_and_its_requirements_only(packaged: Path) -> None:
    names = zipfile.ZipFile(packaged / "deployment.zip").namelist()
    assert "app.py" in names and "chalicelib/bootstrap.py" in names and "pynamodb/models.py" in names
    assert not [n for n in names if n.startswith(("deploy/", "tests/", "bench/", "scripts/", "moto/"))]


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
