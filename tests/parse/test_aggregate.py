"""`/parse/aggregate/{Class}`: pipelines and distinct over an indexed match, bounded."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import aggregate

from .conftest import Parse


@pytest.fixture
def scores(rest: Parse) -> Parse:
    rows = [("ann", 10, "red"), ("bob", 30, "blue"), ("ann", 20, "blue"), ("cy", 5, "red"), ("bob", 1, "red")]
    reqs = [{"method": "POST", "path": "/parse/classes/Score", "body": {"player": p, "score": s, "team": t}}
            for p, s, t in rows]
    r = rest.post("batch", {"requests": reqs})
    assert r.status_code == 200 and all("success" in x for x in r.json), r.body
    return rest


def _agg(p: Parse, **params: Any) -> Any:
    return p.get("aggregate/Score", params=params, master=True)


def test_group_sum_sort(scores: Parse) -> None:
    r = _agg(scores, pipeline=[{"$group": {"_id": "$player", "total": {"$sum": "$score"}, "n": {"$sum": 1},
                                           "best": {"$max": "$score"}, "avg": {"$avg": "$score"},
                                           "low": {"$min": "$score"}}},
                               {"$sort": {"total": -1}}, {"$limit": 2}])
    assert r.status_code == 200, r.body
    assert r.json["results"] == [{"objectId": "bob", "total": 31, "n": 2, "best": 30, "avg": 15.5, "low": 1},
                                 {"objectId": "ann", "total": 30, "n": 2, "best": 20, "avg": 15, "low": 10}]


def test_leading_match_and_where_narrow_the_read(scores: Parse) -> None:
    r = _agg(scores, pipeline=[{"$match": {"team": "red"}}, {"$group": {"_id": None, "n": {"$count": {}}}}])
    assert r.json["results"] == [{"objectId": None, "n": 3}], r.body
    r = _agg(scores, pipeline={"$match": {"score": {"$gte": 10}}, "$project": {"player": 1}},
             where={"team": "blue"})
    assert sorted(x["player"] for x in r.json["results"]) == ["ann", "bob"], r.body
    assert all(set(x) == {"objectId", "player"} for x in r.json["results"])
    r = _agg(scores, pipeline=[{"$sort": {"score": 1}}, {"$skip": 1}, {"$limit": 1}, {"$project": {"score": 1}}])
    assert [x["score"] for x in r.json["results"]] == [5]


def test_distinct(scores: Parse) -> None:
    assert sorted(_agg(scores, distinct="player").json["results"]) == ["ann", "bob", "cy"]
    assert sorted(_agg(scores, distinct="player", where={"score": {"$gt": 9}}).json["results"]) == ["ann", "bob"]


def test_body_key_style_aggregate(scores: Parse) -> None:
    body = Parse(scores.c, scores.app_id, scores.key, scores.master_key, "body")
    r = body.get("aggregate/Score", params={"pipeline": [{"$group": {"_id": "$team", "n": {"$sum": 1}}},
                                                          {"$sort": {"_id": 1}}]}, master=True)
    assert r.json["results"] == [{"objectId": "blue", "n": 2}, {"objectId": "red", "n": 3}], r.body


def test_master_only_and_bad_pipelines(scores: Parse) -> None:
    r = scores.get("aggregate/Score", params={"distinct": "player"})
    assert r.status_code == 403 and r.json == {"error": "Permission denied"}
    for pipeline in ([{"$group": {"objectId": "$player"}}], [{"$group": {"n": {"$sum": 1}}}], [{"group": {}}],
                     [{"$out": "x"}], [{"$sort": {"a": 1}, "$limit": 1}], "not json", [{"$limit": -1}]):
        r = _agg(scores, pipeline=pipeline)
        assert r.status_code == 400 and r.json["code"] in (102, 107), (pipeline, r.body)


def test_a_match_wider_than_the_budget_is_refused(scores: Parse, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aggregate, "MAX_DOCS", 3)
    r = _agg(scores, pipeline=[{"$group": {"_id": None, "n": {"$sum": 1}}}])
    assert r.status_code == 400 and r.json["code"] == 102 and "at most 3" in r.json["error"], r.body
    r = _agg(scores, pipeline=[{"$match": {"team": "blue"}}, {"$group": {"_id": None, "n": {"$sum": 1}}}])
    assert r.json["results"] == [{"objectId": None, "n": 2}], r.body  # narrowed by the index: within budget
