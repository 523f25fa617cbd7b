"""The in-memory aggregation stages (core/aggregate.py): what each does, and how bad stages fail."""

from __future__ import annotations

import pytest

from chalicelib.core.aggregate import distinct, run
from chalicelib.core.errors import InvalidQuery

DOCS = [
    {"objectId": "a", "player": "ann", "score": 10, "tags": ["x", "y"], "at": {"__type": "Date", "iso": "2020-01-02T00:00:00.000Z"}},
    {"objectId": "b", "player": "bob", "score": 30, "tags": ["y"], "at": {"__type": "Date", "iso": "2020-01-01T00:00:00.000Z"}},
    {"objectId": "c", "player": "ann", "score": 20, "tags": [], "at": {"__type": "Date", "iso": "2020-01-03T00:00:00.000Z"}},
    {"objectId": "d", "player": "cy"},
]


def test_group_with_every_accumulator() -> None:
    got = run(DOCS, [{"$match": {"score": {"$exists": True}}},
                     {"$group": {"_id": "$player", "total": {"$sum": "$score"}, "avg": {"$avg": "$score"},
                                 "lo": {"$min": "$score"}, "hi": {"$max": "$score"}, "n": {"$count": {}},
                                 "first": {"$min": "$at"}, "ones": {"$sum": 1}}},
                     {"$sort": {"total": -1}}])
    assert got == [
        {"objectId": "ann", "total": 30, "avg": 15, "lo": 10, "hi": 20, "n": 2, "ones": 2,
         "first": {"__type": "Date", "iso": "2020-01-02T00:00:00.000Z"}},
        {"objectId": "bob", "total": 30, "avg": 30, "lo": 30, "hi": 30, "n": 1, "ones": 1,
         "first": {"__type": "Date", "iso": "2020-01-01T00:00:00.000Z"}},
    ]


def test_group_by_null_counts_everything_and_sort_skip_limit_project() -> None:
    assert run(DOCS, [{"$group": {"_id": None, "n": {"$sum": 1}}}]) == [{"objectId": None, "n": 4}]
    got = run(DOCS, [{"$sort": {"score": 1}}, {"$skip": 1}, {"$limit": 2}, {"$project": {"score": 1}}])
    assert got == [{"objectId": "a", "score": 10}, {"objectId": "c", "score": 20}]  # missing sorts first
    assert run(DOCS, [{"$project": {"player": 0, "tags": 0, "at": 0}}, {"$limit": 1}]) == [{"objectId": "a", "score": 10}]
    assert run(DOCS, [{"$match": {"$or": [{"player": "cy"}, {"score": {"$gte": 25}}]}}, {"$count": "n"}]) == [{"n": 2}]
    assert run(DOCS, [{"$match": {"tags": "y"}}, {"$project": {"objectId": 1}}]) == [{"objectId": "a"}, {"objectId": "b"}]
    assert run(DOCS, [{"$unwind": "$tags"}, {"$group": {"_id": "$tags", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}]) == [
        {"objectId": "x", "n": 1}, {"objectId": "y", "n": 2}]


def test_distinct_counts_array_elements_once() -> None:
    assert distinct(DOCS, "player") == ["ann", "bob", "cy"]
    assert distinct(DOCS, "tags") == ["x", "y"]


@pytest.mark.parametrize("stages", [
    [{"$group": {"objectId": "$player"}}], [{"$group": {"n": {"$sum": 1}}}], [{"group": {}}],
    [{"$match": {}, "$sort": {}}], [{"$sort": {"a": 2}}], [{"$limit": -1}], [{"$skip": "1"}],
    [{"$group": {"_id": None, "x": {"$median": "$a"}}}], [{"$match": {"a": {"$near": 1}}}], [{"$out": "x"}],
])
def test_bad_stages_are_invalid_queries(stages: list[dict[str, object]]) -> None:
    with pytest.raises(InvalidQuery):
        run(DOCS, stages)
