"""scripts/moto_s3_conditions.py: moto's CopyObject honours If-None-Match / If-Match as S3 does."""

from __future__ import annotations

from typing import Any

import pytest


def test_moto_copy_honours_target_conditions(aws: Any) -> None:
    """A copy onto an existing key with `If-None-Match: *`, or onto another version with `If-Match`, is 412."""
    import boto3
    from botocore.exceptions import ClientError

    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="cond")
    s3.put_object(Bucket="cond", Key="a", Body=b"a")
    s3.put_object(Bucket="cond", Key="b", Body=b"b")
    src = {"Bucket": "cond", "Key": "a"}
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket="cond", Key="b", CopySource=src, IfNoneMatch="*")
    assert e.value.response["Error"]["Code"] == "PreconditionFailed"
    with pytest.raises(ClientError):
        s3.copy_object(Bucket="cond", Key="b", CopySource=src, IfMatch='"0000"')
    etag = s3.head_object(Bucket="cond", Key="b")["ETag"]
    s3.copy_object(Bucket="cond", Key="b", CopySource=src, IfMatch=etag)
    s3.copy_object(Bucket="cond", Key="c", CopySource=src, IfNoneMatch="*")
    assert s3.get_object(Bucket="cond", Key="b")["Body"].read() == b"a"
    assert s3.get_object(Bucket="cond", Key="c")["Body"].read() == b"a"

