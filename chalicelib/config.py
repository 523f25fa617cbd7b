"""Settings from the environment, read once per process.

Endpoints are never configured here: boto3/botocore read the standard AWS_ENDPOINT_URL,
AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_S3 variables themselves, so the same code
runs on moto, DynamoDB Local or real AWS. pynamodb builds its own botocore client and
does not read them, so bootstrap passes the DynamoDB endpoint to its models.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from .core.budget import DEFAULT, Limits


@dataclass(frozen=True)
class Settings:
    table_prefix: str
    bucket: str
    region: str
    dynamodb_endpoint: str | None
    s3_endpoint: str | None
    open_signup: bool
    token_ttl_s: int
    secret_key: str
    max_body_bytes: int
    mail_daily_quota: int = 200  # recipients per app and UTC day (BAAS_MAIL_DAILY_QUOTA)
    mail_max_recipients: int = 10  # per email (BAAS_MAIL_MAX_RECIPIENTS)
    public_url: str = ""  # the API's public root, e.g. https://api.example.com (BAAS_PUBLIC_URL)
    cost_header_for_all: bool = False  # X-Request-Cost to every caller: benchmarks only (BAAS_COST_HEADER=all)
    limits: Limits = DEFAULT  # what one request may cost (core/budget.py); BAAS_BUDGET_* per stage


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in ("1", "true", "yes", "on")


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        table_prefix=os.environ.get("BAAS_TABLE_PREFIX", "baas-dev"),
        bucket=os.environ.get("BAAS_BUCKET", "baas-dev-files"),
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        dynamodb_endpoint=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL") or None,
        s3_endpoint=os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None,
        open_signup=_flag("BAAS_OPEN_SIGNUP", True),
        token_ttl_s=int(os.environ.get("BAAS_TOKEN_TTL", "604800")),
        secret_key=os.environ.get("BAAS_SECRET_KEY", ""),
        max_body_bytes=int(os.environ.get("BAAS_MAX_BODY_BYTES", str(1_000_000))),
        mail_daily_quota=int(os.environ.get("BAAS_MAIL_DAILY_QUOTA", "200")),
        mail_max_recipients=int(os.environ.get("BAAS_MAIL_MAX_RECIPIENTS", "10")),
        public_url=os.environ.get("BAAS_PUBLIC_URL", "").rstrip("/"),
        cost_header_for_all=os.environ.get("BAAS_COST_HEADER", "").strip().lower() == "all",
        limits=Limits(
            calls=int(os.environ.get("BAAS_BUDGET_CALLS", DEFAULT.calls)),
            items=int(os.environ.get("BAAS_BUDGET_ITEMS", DEFAULT.items)),
            seconds=float(os.environ.get("BAAS_BUDGET_SECONDS", DEFAULT.seconds)),
            branches=int(os.environ.get("BAAS_BUDGET_BRANCHES", DEFAULT.branches)),
            bulk=int(os.environ.get("BAAS_BUDGET_BULK", DEFAULT.bulk)),
            page_bytes=int(os.environ.get("BAAS_BUDGET_PAGE_BYTES", DEFAULT.page_bytes)),
            related=int(os.environ.get("BAAS_BUDGET_RELATED", DEFAULT.related)),
        ),
    )
