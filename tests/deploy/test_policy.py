"""The hand-kept .chalice/policy-<stage>.json against what the code really asks AWS for.

A missing action shows up as AccessDenied only once deployed; an extra one is privilege nobody
uses. The workload (tests/deploy/workload.py) runs once; its calls are checked under each
stage's own table and bucket names.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from chalicelib.storage.models import ALL_MODELS
from deploy.template import stage_names, table_name
from tests.deploy import iam
from tests.deploy.conftest import CONFIG, ROOT, policy_of
from tests.deploy.workload import storage_methods

LOG_ACTIONS = {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}


def test_policy_allows_every_call_of_the_workload(stage: str, needed: set[tuple[str, str]]) -> None:
    policy = policy_of(stage)
    missing = sorted(p for p in needed if not iam.allows(policy, *p))
    assert not missing, f"policy-{stage}.json denies what the code does: {missing}"


def test_policy_grants_no_action_the_code_does_not_use(stage: str, needed: set[tuple[str, str]]) -> None:
    used = {action.lower() for action, _ in needed} | {a.lower() for a in LOG_ACTIONS}
    unused = sorted({a for a, _ in iam.granted(policy_of(stage)) if a.lower() not in used})
    assert not unused, f"policy-{stage}.json grants actions no code path uses: {unused}"


def test_policy_resources_are_exactly_the_stage_tables_and_bucket(stage: str) -> None:
    prefix, bucket = stage_names(stage)
    tables = {f"arn:aws:dynamodb:*:*:table/{table_name(prefix, m)}" for m in ALL_MODELS}
    tables |= {f"arn:aws:dynamodb:*:*:table/{table_name(prefix, m)}/index/*" for m in ALL_MODELS if m._indexes}
    granted = iam.granted(policy_of(stage))
    assert {r for a, r in granted if a.startswith("dynamodb:")} == tables
    assert {r for a, r in granted if a.startswith("s3:")} == {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"}
    assert all(r != "*" for a, r in granted), "no action on every resource"


def test_lambda_may_write_its_logs_and_no_one_elses(stage: str) -> None:
    """Log groups of `chalice deploy` (/aws/lambda/<app>-<stage>) and of a stack named <app>-<stage>
    (/aws/lambda/<stack>-APIHandler-<suffix>); docs/DEPLOY.md names the stack so."""
    logs = f"arn:aws:logs:{iam.REGION}:{iam.ACCOUNT}:log-group:/aws/lambda"
    group = f"{logs}/{CONFIG['app_name']}-{stage}"
    policy = policy_of(stage)
    for action, resource in [("logs:CreateLogGroup", group), ("logs:CreateLogStream", f"{group}:log-stream:x"),
                             ("logs:PutLogEvents", f"{group}-APIHandler-AB12:log-stream:x")]:
        assert iam.allows(policy, action, resource), (action, resource)
    assert not iam.allows(policy, "logs:PutLogEvents", f"{logs}/another-function:log-stream:x")


def test_workload_reaches_every_storage_method(recording: Any) -> None:
    """A storage method the workload never runs could need an action the policy lacks: add it to the workload."""
    missed = sorted(set(storage_methods().values()) - recording.reached)
    assert not missed, f"extend tests/deploy/workload.py to call: {missed}"


def test_every_aws_client_in_the_code_is_exercised(recording: Any) -> None:
    """A boto3 client for a new service (SES, SQS...) anywhere in storage must show up in the recording."""
    made = set()
    for path in (ROOT / "chalicelib" / "storage").rglob("*.py"):
        made |= set(re.findall(r"""boto3\.(?:client|resource)\(\s*["']([\w-]+)["']""", Path(path).read_text()))
    seen = {c.service for c in recording.calls}
    assert made <= seen, f"clients never used by the workload: {sorted(made - seen)}"
