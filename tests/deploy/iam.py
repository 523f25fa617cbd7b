"""Botocore operations -> IAM (action, resource ARN) pairs, and a tiny evaluator for our policy files.

The evaluator knows Allow/Deny statements with Action and Resource (strings or lists, `*` and `?`
wildcards), which is all a hand-kept Lambda policy should use; NotAction, NotResource and
Condition are refused so that a policy the evaluator cannot judge never passes by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import unquote

REGION, ACCOUNT = "us-east-1", "123456789012"

# S3 operations whose IAM action is not `s3:<OpName>` (CopyObject reads the source, writes the target).
S3_ACTIONS: dict[str, list[str]] = {
    "HeadObject": ["s3:GetObject"], "GetObject": ["s3:GetObject"], "PutObject": ["s3:PutObject"],
    "DeleteObject": ["s3:DeleteObject"], "DeleteObjects": ["s3:DeleteObject"],
    "ListObjectsV2": ["s3:ListBucket"], "ListObjects": ["s3:ListBucket"], "HeadBucket": ["s3:ListBucket"],
    "CreateMultipartUpload": ["s3:PutObject"], "UploadPart": ["s3:PutObject"],
    "CompleteMultipartUpload": ["s3:PutObject"], "AbortMultipartUpload": ["s3:AbortMultipartUpload"],
    "CopyObject": ["s3:GetObject", "s3:PutObject"], "UploadPartCopy": ["s3:GetObject", "s3:PutObject"],
}
BUCKET_LEVEL = {"ListObjectsV2", "ListObjects", "HeadBucket"}


@dataclass(frozen=True)
class Call:
    """One botocore operation as the code asked for it (presigned URLs included)."""

    service: str  # botocore service name: dynamodb, s3, ses
    op: str  # botocore operation name: GetItem, PutObject, SendEmail
    params: dict[str, Any]


def _table_arn(table: str, index: str | None = None) -> str:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}"
    return f"{arn}/index/{index}" if index else arn


def _dynamodb(call: Call) -> list[tuple[str, str]]:
    action, p = f"dynamodb:{call.op}", call.params
    if "RequestItems" in p:  # BatchGetItem, BatchWriteItem
        return [(action, _table_arn(t)) for t in p["RequestItems"]]
    if "TransactItems" in p:  # TransactWriteItems (ConditionCheck, Put, Update, Delete), TransactGetItems
        out = []
        for item in p["TransactItems"]:
            for kind, body in item.items():
                act = {"ConditionCheck": "ConditionCheckItem", "Put": "PutItem", "Update": "UpdateItem",
                       "Delete": "DeleteItem", "Get": "GetItem"}[kind]
                out += [(action, _table_arn(body["TableName"])), (f"dynamodb:{act}", _table_arn(body["TableName"]))]
        return out
    return [(action, _table_arn(p["TableName"], p.get("IndexName")))] if "TableName" in p else [(action, "*")]


def _s3(call: Call) -> list[tuple[str, str]]:
    p = call.params
    if call.op not in S3_ACTIONS:
        raise KeyError(f"no IAM mapping for s3 {call.op}: add it to tests/deploy/iam.py S3_ACTIONS")
    bucket = f"arn:aws:s3:::{p.get('Bucket')}"
    if call.op in BUCKET_LEVEL:
        return [(a, bucket) for a in S3_ACTIONS[call.op]]
    if call.op == "DeleteObjects":
        return [("s3:DeleteObject", f"{bucket}/{o['Key']}") for o in p["Delete"]["Objects"]]
    if call.op in ("CopyObject", "UploadPartCopy"):
        src = p["CopySource"]  # botocore has already turned a dict into "bucket/quoted-key[?versionId=]"
        src = f"{src['Bucket']}/{src['Key']}" if isinstance(src, dict) else unquote(src.split("?versionId=")[0])
        src_arn = f"arn:aws:s3:::{src}"
        return [("s3:GetObject", src_arn), ("s3:PutObject", f"{bucket}/{p['Key']}")]
    return [(a, f"{bucket}/{p.get('Key')}") for a in S3_ACTIONS[call.op]]


def _ses(call: Call) -> list[tuple[str, str]]:
    sender = parseaddr(call.params.get("Source") or call.params.get("FromEmailAddress") or "")[1]
    return [(f"ses:{call.op}", f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{sender or '*'}")]


def function_arn(name: str) -> str:
    return name if name.startswith("arn:") else f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def _lambda(call: Call) -> list[tuple[str, str]]:
    action = {"Invoke": "lambda:InvokeFunction"}.get(call.op)
    if action is None:
        raise KeyError(f"no IAM mapping for lambda {call.op}: add it to tests/deploy/iam.py _lambda")
    return [(action, function_arn(str(call.params["FunctionName"])))]


def required(call: Call) -> list[tuple[str, str]]:
    """The (IAM action, resource ARN) pairs the role needs for this call."""
    mapper = {"dynamodb": _dynamodb, "s3": _s3, "ses": _ses, "lambda": _lambda}.get(call.service)
    return mapper(call) if mapper else [(f"{call.service}:{call.op}", "*")]


def _pattern(glob: str, case_sensitive: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(f"^{body}$", 0 if case_sensitive else re.IGNORECASE)


def _list(v: str | list[str]) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    st = policy["Statement"]
    out = st if isinstance(st, list) else [st]
    for s in out:
        unsupported = {"NotAction", "NotResource", "NotPrincipal", "Condition"} & set(s)
        if unsupported:
            raise ValueError(f"statement {s.get('Sid')!r} uses {sorted(unsupported)}; keep the policy to Action/Resource")
    return out


def _matches(stmt: dict[str, Any], action: str, resource: str) -> bool:
    return (any(_pattern(a, False).match(action) for a in _list(stmt["Action"]))
            and any(_pattern(r, True).match(resource) for r in _list(stmt["Resource"])))


def allows(policy: dict[str, Any], action: str, resource: str) -> bool:
    """IAM's rule for one identity policy: an explicit Deny wins, else some Allow must match."""
    stmts = statements(policy)
    if any(s["Effect"] == "Deny" and _matches(s, action, resource) for s in stmts):
        return False
    return any(s["Effect"] == "Allow" and _matches(s, action, resource) for s in stmts)


def granted(policy: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (action pattern, resource pattern) the policy allows."""
    return [(a, r) for s in statements(policy) if s["Effect"] == "Allow"
            for a in _list(s["Action"]) for r in _list(s["Resource"])]
