"""The suite's DynamoDB backend is the one asked for: on `BAAS_TEST_BACKEND=dynalite` the app's
tables live in dynalite (asked over plain HTTP, which moto cannot intercept), not in moto."""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

import pytest

from tests.dynalite import backend


@pytest.mark.skipif(backend() != "dynalite", reason="checks the dynalite backend; run with BAAS_TEST_BACKEND=dynalite")
def test_tables_are_on_dynalite(api: Any) -> None:
    endpoint = os.environ["AWS_ENDPOINT_URL_DYNAMODB"]
    assert api.post("/usergrid/management/organizations", {
        "organization": "acme", "username": "boss", "name": "Boss", "email": "b@acme.test", "password": "pw"}
    ).status_code == 200
    names = _call(endpoint, "ListTables", {})["TableNames"]
    prefix = os.environ["BAAS_TABLE_PREFIX"]
    assert f"{prefix}-entities" in names and f"{prefix}-tenants" in names
    assert _call(endpoint, "Scan", {"TableName": f"{prefix}-tenants"})["Count"] > 0  # the signup's writes went there


def _call(endpoint: str, target: str, body: dict[str, Any]) -> Any:
    """A signed DynamoDB call sent with urllib: moto patches botocore's sending, not urllib."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    req = AWSRequest("POST", endpoint, data=json.dumps(body).encode(), headers={
        "X-Amz-Target": f"DynamoDB_20120810.{target}", "Content-Type": "application/x-amz-json-1.0"})
    SigV4Auth(Credentials("testing", "testing"), "dynamodb", "us-east-1").add_auth(req)
    sent = urllib.request.Request(endpoint, data=req.body, headers=dict(req.headers.items()))
    with urllib.request.urlopen(sent, timeout=10) as r:
        return json.loads(r.read())


def test_backend_is_known() -> None:
    assert backend() in ("moto", "dynalite")
