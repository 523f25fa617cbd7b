"""A small patch to moto 5.2.5 so a DynamoDB Query costs what its partition holds, not the table.

moto's `Table.query` (without an index) calls `Table.all_items()`, which lists and sorts *every item
of the table* by (hash, range) DynamoType keys, then keeps the items of the queried hash key: ~215 ms
per Query at 1,000 entities (12,000 index items), 2.5 s at 10,000. DynamoDB reads only the partition.

The patch: while a table Query without an index runs, `all_items()` returns only the items of the
queried partition that meet the key condition (sorted by the range keys' Python values, what DynamoType
compares: str, number, bytes; the range found by bisection), so moto's own sort meets sorted input and
its loop walks the matches, not the partition. Everything else (key conditions, paging, limits, filters,
ScannedCount) is moto's unchanged code. Scans, index queries and every other caller of `all_items`
are untouched (the scope is per thread and per call).

Applied only by the local server (scripts/local.py) and the tests (tests/conftest.py), never by the
app: chalicelib does not import it. Tested in tests/test_moto_fast_query.py against unpatched moto.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_scope = threading.local()
_applied = False


def apply() -> bool:
    """Patch moto's Table once; returns False when this moto has no such method (left alone)."""
    global _applied
    if _applied:
        return True
    try:
        from moto.dynamodb.models.table import Table
    except ImportError:
        return False
    if not hasattr(Table, "query") or not hasattr(Table, "all_items"):
        return False
    original_query, original_all_items = Table.query, Table.all_items

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(_scope, "off", False) or kwargs.get("index_name") or hash_key is None or not self.range_key_attr:
            return original_query(self, hash_key, *args, **kwargs)
        previous = getattr(_scope, "target", None)
        comparison = args[0] if args else kwargs.get("range_comparison")
        values = args[1] if len(args) > 1 else kwargs.get("range_objs") or []
        _scope.target = (self, hash_key, comparison, [v.cast_value for v in values])
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _scope.target = previous

    def all_items(self: Any) -> Any:
        target = getattr(_scope, "target", None)
        if target is None or target[0] is not self:
            return original_all_items(self)
        part = self.items.get(target[1])  # .get: the defaultdict must not grow an empty partition
        if not part:
            return []
        items = sorted(part.values(), key=lambda item: item.range_key.cast_value)
        return _in_range(items, target[2], target[3])

    Table.query, Table.all_items = query, all_items
    _applied = True
    return True


def _in_range(items: list[Any], comparison: str | None, values: list[Any]) -> list[Any]:
    """The items (sorted by range key) that meet the key condition, found by bisection; moto checks each
    again, so this only spares it walking the rest of the partition."""
    if not comparison:
        return items
    keys = [i.range_key.cast_value for i in items]
    lo, hi = 0, len(items)
    try:
        if comparison in ("EQ", "="):
            lo, hi = bisect_left(keys, values[0]), bisect_right(keys, values[0])
        elif comparison in ("LT", "<"):
            hi = bisect_left(keys, values[0])
        elif comparison in ("LE", "<="):
            hi = bisect_right(keys, values[0])
        elif comparison in ("GT", ">"):
            lo = bisect_right(keys, values[0])
        elif comparison in ("GE", ">="):
            lo = bisect_left(keys, values[0])
        elif comparison == "BETWEEN":
            lo, hi = bisect_left(keys, values[0]), bisect_right(keys, values[1])
        elif comparison == "BEGINS_WITH" and isinstance(values[0], str):
            lo = bisect_left(keys, values[0])
            hi = lo
            while hi < len(keys) and keys[hi].startswith(values[0]):
                hi += 1
    except TypeError:  # values of another type than the keys: let moto decide (it raises or matches none)
        return items
    # One neighbour on each side, which moto skips: a page that fills its Limit on the last match still
    # gets its LastEvaluatedKey, as moto (and DynamoDB) give it when more of the partition follows.
    return items[max(lo - 1, 0):hi + 1]


@contextmanager
def unpatched() -> Iterator[None]:
    """moto's own Query on this thread (the test compares both)."""
    _scope.off = True
    try:
        yield
    finally:
        _scope.off = False
