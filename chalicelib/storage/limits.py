"""DynamoDB's own limits, checked on every call before it is made.

moto accepts what DynamoDB refuses (a 2,100-byte partition key, a 39-digit Number, a 401 KB item),
so a limit we only meet in production is a 500 there and a pass in tests. A botocore
`before-parameter-build` hook on the DynamoDB client sees every request in wire form, whichever
model or code path built it, and turns a breach into a core error (a 4xx in the dialect's format)
before anything is sent. It also charges the call to the request's budget (core/budget.py).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ..core import budget
from ..core.errors import InvalidInput, TooLarge

MAX_PARTITION_KEY = 2048  # bytes of UTF-8
MAX_SORT_KEY = 1024
MAX_ITEM = 400 * 1024  # every attribute: names and values
MAX_DIGITS = 38
MAX_MAGNITUDE = Decimal("9.9999999999999999999999999999999999999E+125")
MIN_MAGNITUDE = Decimal("1E-130")


class KeyTooLong(InvalidInput):
    default_message = "an identifier in this request is too long"


class ItemTooLarge(TooLarge):
    default_message = "the item is larger than DynamoDB's 400 KB"


def _bytes(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass"))


def check_key(key: dict[str, Any]) -> None:
    for name, limit in (("pk", MAX_PARTITION_KEY), ("sk", MAX_SORT_KEY)):
        value = key.get(name)
        if isinstance(value, dict) and isinstance(value.get("S"), str) and _bytes(value["S"]) > limit:
            raise KeyTooLong(f"an identifier in this request is too long ({_bytes(value['S'])} bytes; "
                             f"DynamoDB keys stop at {limit})")


def check_number(raw: str) -> None:
    try:
        d = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput("not a number") from None
    if not d.is_finite():
        raise InvalidInput(f"the number {raw[:40]} is out of DynamoDB's range")
    significant = "".join(map(str, d.as_tuple().digits)).strip("0")  # no context rounding (normalize() would)
    if len(significant) > MAX_DIGITS or (d and not MIN_MAGNITUDE <= abs(d) <= MAX_MAGNITUDE):
        raise InvalidInput(f"the number {raw[:40]} is out of DynamoDB's range")


def size(value: dict[str, Any]) -> int:
    """DynamoDB's size of one attribute value (wire form), numbers included."""
    ((kind, v),) = value.items()
    if kind == "S":
        return _bytes(v)
    if kind == "N":
        check_number(v)
        return len(v) // 2 + 2
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(_bytes(k) + size(x) + 1 for k, x in v.items())
    if kind == "L":
        return 3 + sum(size(x) + 1 for x in v)
    if kind in ("SS", "NS", "BS"):
        for x in v if kind == "NS" else ():
            check_number(x)
        return sum(_bytes(x) if kind == "SS" else len(x) for x in v)
    return 0


def check_item(item: dict[str, Any]) -> None:
    check_key(item)
    total = sum(_bytes(name) + size(value) for name, value in item.items())
    if total > MAX_ITEM:
        raise ItemTooLarge(f"the item is {total} bytes with every attribute; DynamoDB stops at {MAX_ITEM}")


def check_request(op: str, params: dict[str, Any]) -> None:
    """Every key, item and number of one DynamoDB request."""
    if "Key" in params:
        check_key(params["Key"])
    if "Item" in params:
        check_item(params["Item"])
    if "ExclusiveStartKey" in params:
        check_key(params["ExclusiveStartKey"])
    for value in (params.get("ExpressionAttributeValues") or {}).values():
        if op == "Query" and isinstance(value.get("S"), str) and _bytes(value["S"]) > MAX_PARTITION_KEY:
            raise KeyTooLong()
        size(value)
    for table in (params.get("RequestItems") or {}).values():
        if isinstance(table, dict):  # BatchGetItem
            for key in table.get("Keys", []):
                check_key(key)
        else:  # BatchWriteItem
            for req in table:
                if "PutRequest" in req:
                    check_item(req["PutRequest"]["Item"])
                elif "DeleteRequest" in req:
                    check_key(req["DeleteRequest"]["Key"])


def _before(params: Any = None, model: Any = None, **_: Any) -> None:
    if model is None or not isinstance(params, dict):
        return
    budget.charge(calls=1)
    check_request(model.name, params)


def instrument(client: Any) -> None:
    """Attach the limits hook to a botocore DynamoDB client once."""
    if not getattr(client, "_baas_limited", False):
        client.meta.events.register("before-parameter-build.dynamodb", _before)
        client._baas_limited = True
