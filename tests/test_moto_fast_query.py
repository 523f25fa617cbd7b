"""scripts/moto_fast_query.py answers every Query exactly as unpatched moto does (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from scripts import moto_fast_query


@pytest.fixture
def table() -> Iterator[Any]:
    from moto import mock_aws

    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                               {"AttributeName": "sk", "AttributeType": "S"}])
        ddb.create_table(TableName="n", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                               {"AttributeName": "sk", "AttributeType": "N"}])
        for i in range(120):
            ddb.put_item(TableName="t", Item={"pk": {"S": f"p{i % 3}"}, "sk": {"S": f"s{(i * 37) % 101:03d}\x01{i}"},
                                              "v": {"N": str(i)}})
            ddb.put_item(TableName="n", Item={"pk": {"S": "a"}, "sk": {"N": str((i * 7919) % 1000 - 500)}})
        yield ddb


CASES: list[dict[str, Any]] = [
    {"TableName": "t", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p1"}}},
    {"TableName": "t", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p1"}},
     "ScanIndexForward": False, "Limit": 7},
    {"TableName": "t", "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
     "ExpressionAttributeValues": {":p": {"S": "p2"}, ":a": {"S": "s010"}, ":b": {"S": "s060"}}, "Limit": 5},
    {"TableName": "t", "KeyConditionExpression": "pk = :p AND begins_with(sk, :a)",
     "ExpressionAttributeValues": {":p": {"S": "p0"}, ":a": {"S": "s01"}}},
    {"TableName": "t", "KeyConditionExpression": "pk = :p AND sk > :a", "Select": "COUNT",
     "ExpressionAttributeValues": {":p": {"S": "p0"}, ":a": {"S": "s050"}}},
    {"TableName": "t", "KeyConditionExpression": "pk = :p", "FilterExpression": "v > :v",
     "ExpressionAttributeValues": {":p": {"S": "p1"}, ":v": {"N": "60"}}, "Limit": 9},
    {"TableName": "t", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "none"}}},
    {"TableName": "t", "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b", "ScanIndexForward": False,
     "ExpressionAttributeValues": {":p": {"S": "p2"}, ":a": {"S": "s010"}, ":b": {"S": "s060"}}, "Limit": 5},
    {"TableName": "t", "KeyConditionExpression": "pk = :p AND begins_with(sk, :a)", "Limit": 2,
     "ExpressionAttributeValues": {":p": {"S": "p1"}, ":a": {"S": "s0"}}, "ScanIndexForward": False},
    {"TableName": "t", "KeyConditionExpression": "pk = :p AND sk >= :a", "Limit": 3,
     "ExpressionAttributeValues": {":p": {"S": "p0"}, ":a": {"S": "s090"}}},
    {"TableName": "n", "KeyConditionExpression": "pk = :p AND sk < :a", "ScanIndexForward": False,
     "ExpressionAttributeValues": {":p": {"S": "a"}, ":a": {"N": "100"}}, "Limit": 11},
]


def _pages(ddb: Any, case: dict[str, Any]) -> list[Any]:
    out, start = [], None
    while True:
        got = ddb.query(**case, **({"ExclusiveStartKey": start} if start else {}))
        out.append((got.get("Items"), got["Count"], got["ScannedCount"], got.get("LastEvaluatedKey")))
        start = got.get("LastEvaluatedKey")
        if not start:
            return out


@pytest.mark.parametrize("case", CASES)
def test_patched_query_pages_exactly_as_moto(table: Any, case: dict[str, Any]) -> None:
    assert moto_fast_query.apply()
    with moto_fast_query.unpatched():
        expected = _pages(table, case)
    assert _pages(table, case) == expected
    assert len(expected) >= 1


def test_scan_and_empty_partitions_untouched(table: Any) -> None:
    moto_fast_query.apply()
    table.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "zz"}})
    assert table.scan(TableName="t")["Count"] == 120  # no empty partition was created by the lookup
