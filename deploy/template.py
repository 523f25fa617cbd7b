"""The stage's DynamoDB tables and S3 bucket as a CloudFormation template, derived from the models.

Every table comes from `chalicelib.storage.models.ALL_MODELS` (keys, indexes and TTL read off the
pynamodb classes) and is named `<BAAS_TABLE_PREFIX>-<TABLE_SUFFIXES[model]>` exactly as bootstrap
names it at run time; the bucket is the stage's BAAS_BUCKET. Both values come from the stage's
environment in .chalice/config.json, so a table or bucket is never declared twice.

    python deploy/template.py --stage prod > resources.json

The output deploys alone (`aws cloudformation deploy`); with --merge it also takes
BAAS_SECRET_KEY as a stack parameter and is meant for `chalice package --merge-template`
(see deploy/package.py and docs/DEPLOY.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: `python deploy/template.py`
    sys.path.insert(0, str(ROOT))

from pynamodb.attributes import TTLAttribute  # noqa: E402
from pynamodb.models import Model  # noqa: E402

from chalicelib.storage.models import ALL_MODELS, TABLE_SUFFIXES  # noqa: E402

BUCKET_ID = "FilesBucket"
FUNCTION_ID = "APIHandler"  # chalice's logical id for the REST API's Lambda function
WORKER_NAME = "lightblue_task"  # the async-task worker (chalicelib/dialects/lightblue/worker.py)
WORKER_ID = "LightblueTask"  # chalice's logical id for it (to_cfn_resource_name of WORKER_NAME)
TASK_FUNCTION_VAR = "BAAS_TASK_FUNCTION"
TASK_PREFIX = "_tasks/"  # chalicelib.core.tasks.PREFIX: requests and results of async tasks
TASK_EXPIRY_DAYS = 1  # as the task status TTL (core/tasks.py TTL_S)
SECRET_PARAMETER = "BaasSecretKey"
API_ID = "RestAPI"  # chalice's logical id for the REST API (AWS::Serverless::Api)
# Answers API Gateway gives itself, before any Lambda runs (throttling, payload too large, a path no
# route covers, an integration timeout): they carry the headers every Lambda answer carries
# (dialects/http.py install_edge), and browsers may read them (CORS), or an SDK sees an opaque
# network error instead of a 429 or 413. A path outside every dialect's prefix gets a 404 rather
# than API Gateway's 403 "Missing Authentication Token" (no dialect owns it, so the body is neutral).
EDGE_HEADERS = {"X-Content-Type-Options": "'nosniff'", "Access-Control-Allow-Origin": "'*'"}
GATEWAY_RESPONSES: dict[str, dict[str, Any]] = {
    "DEFAULT_4XX": {"ResponseParameters": {"Headers": EDGE_HEADERS}},
    "DEFAULT_5XX": {"ResponseParameters": {"Headers": EDGE_HEADERS}},
    "MISSING_AUTHENTICATION_TOKEN": {
        "StatusCode": "404", "ResponseParameters": {"Headers": EDGE_HEADERS},
        "ResponseTemplates": {"application/json": '{"code": 404, "error": "not_found", "message": "Unknown route"}'},
    },
}
# Browsers upload and download straight to S3 through presigned URLs, so the bucket answers CORS.
CORS_RULES = [{
    "AllowedMethods": ["GET", "PUT", "POST", "HEAD"], "AllowedOrigins": ["*"], "AllowedHeaders": ["*"],
    "ExposedHeaders": ["ETag"], "MaxAge": 3000,
}]


def stage_environment(stage: str, project_dir: Path = ROOT) -> dict[str, str]:
    """The stage's environment variables as chalice merges them (stage values override top-level ones)."""
    config = json.loads((project_dir / ".chalice" / "config.json").read_text())
    if stage not in config.get("stages", {}):
        raise SystemExit(f"unknown stage {stage!r}: .chalice/config.json has {sorted(config.get('stages', {}))}")
    return {**config.get("environment_variables", {}), **config["stages"][stage].get("environment_variables", {})}


def stage_names(stage: str, project_dir: Path = ROOT) -> tuple[str, str]:
    """(table prefix, bucket) of a stage; both must be set, a deploy never falls back to dev names."""
    env = stage_environment(stage, project_dir)
    missing = [k for k in ("BAAS_TABLE_PREFIX", "BAAS_BUCKET") if not env.get(k)]
    if missing:
        raise SystemExit(f"stage {stage!r} sets no {', '.join(missing)} in .chalice/config.json")
    return env["BAAS_TABLE_PREFIX"], env["BAAS_BUCKET"]


def task_function(stage: str, project_dir: Path = ROOT) -> str:
    """The worker's name as `chalice deploy` makes it (`<app>-<stage>-lightblue_task`), which the stage
    gives the API function as BAAS_TASK_FUNCTION (`lambda_functions.api_handler` in .chalice/config.json)."""
    config = json.loads((project_dir / ".chalice" / "config.json").read_text())
    functions = config["stages"][stage].get("lambda_functions", {})
    name = functions.get("api_handler", {}).get("environment_variables", {}).get(TASK_FUNCTION_VAR)
    if not name:
        raise SystemExit(f"stage {stage!r} sets no {TASK_FUNCTION_VAR} for api_handler in .chalice/config.json")
    return str(name)


def table_name(prefix: str, model: type[Model]) -> str:
    return f"{prefix}-{TABLE_SUFFIXES[model]}"


def logical_id(model: type[Model]) -> str:
    return "".join(part.capitalize() for part in TABLE_SUFFIXES[model].replace("_", "-").split("-")) + "Table"


def _keys(key_schema: list[dict[str, str]]) -> list[dict[str, str]]:
    # CloudFormation wants HASH before RANGE; pynamodb lists them in attribute order.
    return sorted(({"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in key_schema),
                  key=lambda k: k["KeyType"] != "HASH")


def _index(index: dict[str, Any]) -> dict[str, Any]:
    return {"IndexName": index["index_name"], "KeySchema": _keys(index["key_schema"]),
            "Projection": dict(index["projection"])}


def ttl_attribute(model: type[Model]) -> str | None:
    ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
    return ttl[0] if ttl else None  # pynamodb allows one TTLAttribute per model


def table_resource(model: type[Model], prefix: str) -> dict[str, Any]:
    schema = model._get_schema()
    props: dict[str, Any] = {
        "TableName": table_name(prefix, model),
        "AttributeDefinitions": [dict(a) for a in schema["attribute_definitions"]],
        "KeySchema": _keys(schema["key_schema"]),
        "BillingMode": "PAY_PER_REQUEST",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    }
    if schema["global_secondary_indexes"]:
        props["GlobalSecondaryIndexes"] = [_index(i) for i in schema["global_secondary_indexes"]]
    if schema["local_secondary_indexes"]:
        props["LocalSecondaryIndexes"] = [_index(i) for i in schema["local_secondary_indexes"]]
    ttl = ttl_attribute(model)
    if ttl:
        props["TimeToLiveSpecification"] = {"AttributeName": ttl, "Enabled": True}
    # Data outlives a stack: deleting or replacing the stack keeps the table.
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": props}


def bucket_resource(bucket: str) -> dict[str, Any]:
    return {
        "Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
        "Properties": {
            "BucketName": bucket,
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "CorsConfiguration": {"CorsRules": CORS_RULES},
            # Task requests and results are read for a day at most, like their status items' TTL.
            "LifecycleConfiguration": {"Rules": [{
                "Id": "ExpireTaskObjects", "Status": "Enabled", "Prefix": TASK_PREFIX,
                "ExpirationInDays": TASK_EXPIRY_DAYS,
            }]},
        },
    }


def build(stage: str, project_dir: Path = ROOT) -> dict[str, Any]:
    prefix, bucket = stage_names(stage, project_dir)
    resources: dict[str, Any] = {logical_id(m): table_resource(m, prefix) for m in ALL_MODELS}
    if len(resources) != len(ALL_MODELS):
        raise SystemExit("two models share a table suffix: check TABLE_SUFFIXES")
    resources[BUCKET_ID] = bucket_resource(bucket)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"serverless-baas {stage}: DynamoDB tables and the files bucket (generated from the models)",
        "Resources": resources,
    }


def build_merge(stage: str, project_dir: Path = ROOT) -> dict[str, Any]:
    """`build` plus what only makes sense merged into chalice's template: BAAS_SECRET_KEY as a
    NoEcho stack parameter set on the function, so the secret is in neither git nor the template,
    and BAAS_TASK_FUNCTION as a Ref to the worker, whose name CloudFormation picks
    (`<stack>-LightblueTask-<suffix>`, not the `chalice deploy` name the stage config gives), and
    API Gateway's own answers (GATEWAY_RESPONSES) on chalice's REST API."""
    template = build(stage, project_dir)
    template["Parameters"] = {SECRET_PARAMETER: {
        "Type": "String", "NoEcho": True, "MinLength": 32,
        "Description": "BAAS_SECRET_KEY: derives app keys; keep it across deploys (changing it changes every app key)",
    }}
    template["Resources"][FUNCTION_ID] = {"Properties": {"Environment": {"Variables": {
        "BAAS_SECRET_KEY": {"Ref": SECRET_PARAMETER}, TASK_FUNCTION_VAR: {"Ref": WORKER_ID}}}}}
    template["Resources"][API_ID] = {"Properties": {"GatewayResponses": GATEWAY_RESPONSES}}
    return template


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--merge", action="store_true", help="the variant for chalice package --merge-template")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    text = json.dumps((build_merge if args.merge else build)(args.stage), indent=2) + "\n"
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
