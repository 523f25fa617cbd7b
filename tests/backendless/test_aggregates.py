"""Backendless aggregates on find (issue 13, seed 002's `property` and `groupBy` parameters of
findObjects, and Backendless' aggregate functions): Count/Sum/Avg/Min/Max with `as`, groupBy, having."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote


def _seed(bl: Any) -> None:
    rows = [("ann", "oslo", 30), ("bob", "oslo", 40), ("cy", "rome", 20), ("di", "rome", 50), ("ed", "rome", 35),
            ("fy", "lima", None)]
    r = bl("POST", "/data/bulk/Person", [{"name": n, "city": c, **({"age": a} if a is not None else {})}
                                          for n, c, a in rows])
    assert r.status_code == 200, r.body


def _get(bl: Any, query: str) -> Any:
    r = bl("GET", "/data/Person?" + query)
    assert r.status_code == 200, r.body
    return r.json


def test_aggregates_without_group(bl: Any) -> None:
    _seed(bl)
    got = _get(bl, "property=Count(objectId)")
    assert got == [{"count": 6, "___class": "Person"}]
    q = "&".join("property=" + quote(p) for p in ("Count(age) as n", "Sum(age)", "Avg(age)", "Min(age)", "Max(age)"))
    (row,) = _get(bl, q)
    assert row["n"] == 5 and row["sum"] == 175 and row["avg"] == 35 and row["min"] == 20 and row["max"] == 50
    (row,) = _get(bl, "property=Count(objectId)&where=" + quote("city = 'rome'"))
    assert row["count"] == 3


def test_group_by_having_and_sort(bl: Any) -> None:
    _seed(bl)
    q = "property=city&property=" + quote("Count(objectId) as people") + "&property=" + quote("Avg(age)") + \
        "&groupBy=city&sortBy=" + quote("people desc")
    got = _get(bl, q)
    assert [(g["city"], g["people"]) for g in got] == [("rome", 3), ("oslo", 2), ("lima", 1)]
    assert got[1]["avg"] == 35 and got[2]["avg"] is None
    got = _get(bl, q + "&having=" + quote("Count(objectId) > 1"))
    assert [g["city"] for g in got] == ["rome", "oslo"]
    got = _get(bl, q + "&having=" + quote("people >= 3"))
    assert [g["city"] for g in got] == ["rome"]
    r = bl("POST", "/data/Person/find", {"property": ["city", "Max(age) as oldest"], "groupBy": ["city"],
                                         "sortBy": ["oldest"]})
    assert [(g["city"], g["oldest"]) for g in r.json] == [("oslo", 40), ("rome", 50), ("lima", None)]


def test_bad_aggregates_are_400(bl: Any) -> None:
    for q in ("property=" + quote("Sum(*)"), "property=" + quote("Foo(age)"),
              "property=" + quote("Count(objectId)") + "&having=" + quote("Sum(age) > 1"),
              "property=name&having=" + quote("count > 1")):
        r = bl("GET", "/data/Person?" + q)
        assert r.status_code == 400, (q, r.body)
        assert "code" in r.json and "message" in r.json


def test_push_options_are_refused_not_pretended(bl: Any) -> None:
    """Seed 002's PublishMessageRequest: pushPolicy/pushBroadcast/pushSinglecast. Nothing delivers
    push here, so a publish asking for push is an error and publishes nothing."""
    sub = bl("POST", "/messaging/news/subscribe").json["subscriptionId"]
    for body in ({"message": "m", "pushPolicy": "ALSO"}, {"message": "m", "pushPolicy": "ONLY"},
                 {"message": "m", "pushBroadcast": 1}, {"message": "m", "pushSinglecast": ["dev1"]}):
        r = bl("POST", "/messaging/news", body)
        assert r.status_code == 400 and r.json["code"] == 5050, r.body
    assert bl("GET", f"/messaging/news/{sub}").json["messages"] == []
    assert bl("POST", "/messaging/news", {"message": "m", "pushPolicy": "NONE"}).status_code == 200


def test_cache_get_of_a_missing_key_is_null(bl: Any) -> None:
    """The SDK's Cache.get resolves to null for a missing key (it would reject on a 404)."""
    r = bl("GET", "/cache/nothing-here")
    assert r.status_code == 200 and r.val is None
