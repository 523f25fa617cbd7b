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
from deploy.template import WORKER_ID, stage_names, table_name, task_function
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
    functions = f"arn:aws:lambda:*:*:function:{CONFIG['app_name']}-{stage}"
    assert {r for a, r in granted if a.startswith("lambda:")} == {
        f"arn:aws:lambda:*:*:function:{task_function(stage)}", f"{functions}-{WORKER_ID}-*"}
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


def test_lambda_may_invoke_its_stage_worker_only(stage: str) -> None:
    """The worker as `chalice deploy` names it and as a stack `<app>-<stage>` does (`<stack>-LightblueTask-<suffix>`);
    not the API function itself, not another stage's worker."""
    fn = f"arn:aws:lambda:{iam.REGION}:{iam.ACCOUNT}:function"
    policy, app = policy_of(stage), CONFIG["app_name"]
    assert iam.allows(policy, "lambda:InvokeFunction", f"{fn}:{task_function(stage)}")
    assert iam.allows(policy, "lambda:InvokeFunction", f"{fn}:{app}-{stage}-{WORKER_ID}-AB12CD")
    for other in [f"{app}-{stage}", f"{app}-{stage}-APIHandler-AB12", *(f"{app}-{s}-lightblue_task" for s in CONFIG["stages"]
                                                                      if s != stage)]:
        assert not iam.allows(policy, "lambda:InvokeFunction", f"{fn}:{other}"), other


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
