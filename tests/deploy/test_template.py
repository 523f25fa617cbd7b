"""deploy/template.py declares exactly the tables the models name and the bucket, as the issue asks."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import TTLAttribute

from chalicelib.storage import models
from deploy.template import build, stage_names, table_name


def _of_type(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == kind]


def test_every_model_has_its_table(stage: str) -> None:
    prefix, _ = stage_names(stage)
    tables = {t["TableName"]: t for t in _of_type(build(stage), "AWS::DynamoDB::Table")}
    assert set(tables) == {table_name(prefix, m) for m in models.ALL_MODELS}
    for model in models.ALL_MODELS:
        t = tables[table_name(prefix, model)]
        keys = {k["AttributeName"]: k["KeyType"] for k in t["KeySchema"]}
        assert keys == {a.attr_name: "HASH" if a.is_hash_key else "RANGE"
                        for a in model.get_attributes().values() if a.is_hash_key or a.is_range_key}
        assert t["KeySchema"][0]["KeyType"] == "HASH"
        assert {d["AttributeName"] for d in t["AttributeDefinitions"]} >= set(keys)
        assert len(t.get("GlobalSecondaryIndexes", [])) + len(t.get("LocalSecondaryIndexes", [])) == len(model._indexes)
        assert t["BillingMode"] == "PAY_PER_REQUEST"
        assert t["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
        assert t.get("TimeToLiveSpecification") == ({"AttributeName": ttl[0], "Enabled": True} if ttl else None)


def test_ttl_agrees_with_the_models_ttl_table() -> None:
    """bootstrap.create_resources turns TTL on from TTL_ATTRIBUTES; the template reads TTLAttribute."""
    declared = getattr(models, "TTL_ATTRIBUTES", None)
    if declared is not None:
        from deploy.template import ttl_attribute

        assert {m: ttl_attribute(m) for m in models.ALL_MODELS if ttl_attribute(m)} == declared


def test_bucket_is_private_encrypted_and_answers_browsers(stage: str) -> None:
    _, bucket = stage_names(stage)
    (b,) = _of_type(build(stage), "AWS::S3::Bucket")
    assert b["BucketName"] == bucket
    assert set(b["PublicAccessBlockConfiguration"].values()) == {True} and len(b["PublicAccessBlockConfiguration"]) == 4
    (rule,) = b["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    (cors,) = b["CorsConfiguration"]["CorsRules"]
    assert set(cors["AllowedMethods"]) == {"GET", "PUT", "POST", "HEAD"} and cors["AllowedOrigins"] == ["*"]


def test_task_objects_expire_with_their_status(stage: str) -> None:
    """Requests and results of async tasks live under core/tasks.py's PREFIX for as long as the status TTL."""
    from chalicelib.core.tasks import PREFIX, TTL_S

    (b,) = _of_type(build(stage), "AWS::S3::Bucket")
    (rule,) = b["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and rule["Prefix"] == PREFIX and rule["ExpirationInDays"] * 86_400 == TTL_S


def test_template_holds_everything_the_code_touches(stage: str, needed: set[tuple[str, str]]) -> None:
    """Every table and the bucket the workload used, under this stage's names, is declared."""
    template = build(stage)
    tables = {t["TableName"] for t in _of_type(template, "AWS::DynamoDB::Table")}
    buckets = {b["BucketName"] for b in _of_type(template, "AWS::S3::Bucket")}
    arns = {arn for _, arn in needed}
    used_tables = {a.split(":table/")[1].split("/")[0] for a in arns if ":table/" in a}
    used_buckets = {a.split(":::")[1].split("/")[0] for a in arns if a.startswith("arn:aws:s3:::")}
    assert used_tables and used_tables <= tables
    assert used_buckets and used_buckets <= buckets
