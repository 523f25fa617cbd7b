"""`where` with every operator of the seed's table, on several data types, plus order, limit, skip,
keys, include and count. Each test builds a small data set and asks many questions of it."""

from __future__ import annotations

import time
from typing import Any

PLAYERS = [
    {"playerName": "Sean Plott", "score": 1337, "cheatMode": False, "skills": ["pwnage", "flying"],
     "when": {"__type": "Date", "iso": "2011-08-20T02:06:57.931Z"}, "varieties": [{"name": "whole", "size": 2}]},
    {"playerName": "Jang Min Chul", "score": 80075, "cheatMode": False, "skills": ["flying"],
     "when": {"__type": "Date", "iso": "2011-08-19T02:24:17.787Z"}},
    {"playerName": "Dario Wunsch", "score": 7, "cheatMode": True, "skills": ["pwnage"],
     "when": {"__type": "Date", "iso": "2012-01-01T00:00:00.000Z"}, "varieties": [{"name": "skim", "size": 1}]},
    {"playerName": "Shawn Simon", "score": 2500, "cheatMode": False,
     "when": {"__type": "Date", "iso": "2010-05-05T05:05:05.005Z"}},
]


def _seed(bea: Any) -> dict[str, str]:
    ids = {}
    for p in PLAYERS:
        r = bea.post("GameScore", p)
        assert r.status_code == 201, r.body
        ids[p["playerName"]] = r.json["objectId"]
    return ids


def names(results: list[dict[str, Any]]) -> set[str]:
    return {r["playerName"] for r in results}


def test_basic_listing_and_equality(bea: Any) -> None:
    _seed(bea)
    listed = bea.query("GameScore")
    assert [r["playerName"] for r in listed] == [p["playerName"] for p in PLAYERS]  # oldest first
    assert all({"objectId", "createdAt", "updatedAt"} <= set(r) for r in listed)
    assert names(bea.query("GameScore", {"playerName": "Sean Plott", "cheatMode": False})) == {"Sean Plott"}
    assert names(bea.query("GameScore", {"playerName": "sean plott"})) == set()  # bare value: exact
    assert names(bea.query("GameScore", {"skills": "flying"})) == {"Sean Plott", "Jang Min Chul"}
    assert names(bea.query("GameScore", {"score": 7})) == {"Dario Wunsch"}


def test_comparisons_on_numbers_strings_and_dates(bea: Any) -> None:
    _seed(bea)
    q = lambda w: names(bea.query("GameScore", w))  # noqa: E731
    assert q({"score": {"gte": 1000, "lte": 3000}}) == {"Sean Plott", "Shawn Simon"}
    assert q({"score": {"lt": 1337}}) == {"Dario Wunsch"}
    assert q({"score": {"gt": 2500}}) == {"Jang Min Chul"}
    assert q({"playerName": {"gt": "s"}}) == {"Sean Plott", "Shawn Simon"}
    assert q({"playerName": {"lte": "dario wunsch"}}) == {"Dario Wunsch"}  # strings ignore case
    d = lambda iso: {"__type": "Date", "iso": iso}  # noqa: E731
    assert q({"when": {"gte": d("2011-08-20T00:00:00.000Z")}}) == {"Sean Plott", "Dario Wunsch"}
    assert q({"when": {"lt": d("2011-01-01T00:00:00Z")}}) == {"Shawn Simon"}
    assert q({"when": d("2011-08-19T02:24:17.787Z")}) == {"Jang Min Chul"}
    assert q({"when": {"gt": "2011-01-01"}}) == set()  # a string is not a date: kinds never compare


def test_eq_ne_equals_notequals(bea: Any) -> None:
    _seed(bea)
    q = lambda w: names(bea.query("GameScore", w))  # noqa: E731
    assert q({"playerName": {"eq": "SEAN PLOTT"}}) == {"Sean Plott"}
    assert q({"playerName": {"equals": "SEAN PLOTT"}}) == set()
    assert q({"playerName": {"equals": "Sean Plott"}}) == {"Sean Plott"}
    assert q({"score": {"eq": 7}}) == {"Dario Wunsch"}
    assert q({"cheatMode": {"ne": False}}) == {"Dario Wunsch"}
    assert q({"playerName": {"ne": "sean plott"}}) == {"Jang Min Chul", "Dario Wunsch", "Shawn Simon"}
    assert "Sean Plott" in q({"playerName": {"notequals": "sean plott"}})
    assert "Sean Plott" not in q({"playerName": {"notequals": "Sean Plott"}})


def test_string_operators(bea: Any) -> None:
    _seed(bea)
    q = lambda w: names(bea.query("GameScore", w))  # noqa: E731
    assert q({"playerName": {"startswith": "sh"}}) == {"Shawn Simon"}
    assert q({"playerName": {"notstartswith": "S"}}) == {"Jang Min Chul", "Dario Wunsch"}
    assert q({"playerName": {"endswith": "SIMON"}}) == {"Shawn Simon"}
    assert q({"playerName": {"notendswith": "n"}}) == {"Sean Plott", "Jang Min Chul", "Dario Wunsch"}
    assert q({"playerName": {"like": "min"}}) == {"Jang Min Chul"}
    assert q({"playerName": {"like": ".*"}}) == set()  # like is a literal substring, not a pattern
    assert q({"playerName": {"notlike": "o"}}) == {"Jang Min Chul"}
    assert q({"skills": {"startswith": "pw"}}) == {"Sean Plott", "Dario Wunsch"}  # arrays: any element
    assert q({"playerName": {"regex": "^s.*n$", "options": "i"}}) == {"Shawn Simon"}
    assert q({"playerName": {"regex": "^S[a-z]+ P"}}) == {"Sean Plott"}
    assert q({"score": {"startswith": "1"}}) == set()  # numbers are not strings


def test_in_nin_exists_all(bea: Any) -> None:
    _seed(bea)
    q = lambda w: names(bea.query("GameScore", w))  # noqa: E731
    assert q({"score": {"in": [1, 3, 5, 7, 9]}}) == {"Dario Wunsch"}
    assert q({"playerName": {"in": ["sean plott", "Nobody"]}}) == {"Sean Plott"}
    assert q({"playerName": {"nin": ["Jonathan Walsh", "Dario Wunsch", "Shawn Simon"]}}) == {"Sean Plott", "Jang Min Chul"}
    # the seed's own example, whose operator was lost: an empty key reads as nin
    assert q({"playerName": {"": ["Jonathan Walsh", "Dario Wunsch", "Shawn Simon"]}}) == {"Sean Plott", "Jang Min Chul"}
    assert q({"skills": {"exists": True}}) == {"Sean Plott", "Jang Min Chul", "Dario Wunsch"}
    assert q({"skills": {"exists": False}}) == {"Shawn Simon"}
    assert q({"score": {"exists": True}}) == names(PLAYERS)
    assert q({"skills": {"all": ["pwnage", "flying"]}}) == {"Sean Plott"}
    assert q({"skills": {"all": ["flying"]}}) == {"Sean Plott", "Jang Min Chul"}
    assert q({"when": {"in": [{"__type": "Date", "iso": "2012-01-01T00:00:00.000Z"}]}}) == {"Dario Wunsch"}


def test_select_and_dont_select(bea: Any) -> None:
    for city, pct in (("Boston", 0.7), ("Denver", 0.2), ("Austin", 0.6)):
        bea.post("Team", {"city": city, "winPct": pct})
    for name, town in (("ann", "Boston"), ("bob", "Denver"), ("cy", "Austin"), ("di", "Paris")):
        bea.post("Fan", {"playerName": name, "hometown": town})
    sub = {"query": {"className": "Team", "where": {"winPct": {"gt": 0.5}}}, "field": "city"}
    assert names(bea.query("Fan", {"hometown": {"select": sub}})) == {"ann", "cy"}
    assert names(bea.query("Fan", {"hometown": {"dontSelect": sub}})) == {"bob", "di"}


def test_arraykey_and_arraykeyall(bea: Any) -> None:
    _seed(bea)
    q = lambda w: names(bea.query("GameScore", w))  # noqa: E731
    assert q({"varieties": {"arraykey": {"name": "whole"}}}) == {"Sean Plott"}
    assert q({"varieties": {"arraykey": {"name": "whole", "size": 1}}}) == set()
    assert q({"varieties": {"arraykeyall": [{"name": "skim"}, {"size": 1}]}}) == {"Dario Wunsch"}


def test_created_at_and_object_id(bea: Any) -> None:
    ids = _seed(bea)
    first = bea.get(f"GameScore/{ids['Sean Plott']}").json
    later = bea.query("GameScore", {"createdAt": {"gt": {"__type": "Date", "iso": first["createdAt"]}}})
    assert names(later) == {"Jang Min Chul", "Dario Wunsch", "Shawn Simon"}
    # the seed's example writes the date as {"...iso..."} (not JSON): read as the ISO string
    r = bea.get("GameScore", params={"where": '{"createdAt":{"gte":{"' + first["createdAt"] + '"}}}'})
    assert r.status_code == 200 and len(r.json["results"]) == 4
    assert names(bea.query("GameScore", {"objectId": ids["Dario Wunsch"]})) == {"Dario Wunsch"}
    assert names(bea.query("GameScore", {"objectId": {"in": [ids["Dario Wunsch"], ids["Sean Plott"]]}})) == \
        {"Dario Wunsch", "Sean Plott"}


def test_or_order_limit_skip_keys_count(bea: Any) -> None:
    _seed(bea)
    got = bea.query("GameScore", order="-score")
    assert [r["score"] for r in got] == [80075, 2500, 1337, 7]
    got = bea.query("GameScore", order="cheatMode,-playerName")
    assert [r["playerName"] for r in got] == ["Shawn Simon", "Sean Plott", "Jang Min Chul", "Dario Wunsch"]
    got = bea.query("GameScore", order="score", limit=2, skip=1)
    assert [r["score"] for r in got] == [1337, 2500]
    got = bea.query("GameScore", {"cheatMode": False}, keys="score", order="score")
    assert got[0] == {k: got[0][k] for k in ("score", "objectId", "createdAt", "updatedAt")}
    r = bea.get("GameScore", params={"where": {"cheatMode": False}, "count": 1, "limit": 0})
    assert r.json == {"results": [], "count": 3}
    r = bea.get("GameScore", params={"count": 1, "limit": 1})
    assert r.json["count"] == 4 and len(r.json["results"]) == 1
    both = bea.query("GameScore", {"$or": [{"score": 7}, {"playerName": "Shawn Simon"}]})
    assert names(both) == {"Dario Wunsch", "Shawn Simon"}


def test_limit_default_and_max(bea: Any) -> None:
    r = bea.post("batch", {"requests": [{"method": "POST", "path": "/Dot", "body": {"i": i}} for i in range(50)]})
    assert r.status_code == 200
    for i in range(3):
        bea.post("batch", {"requests": [{"method": "POST", "path": "/Dot", "body": {"i": 50 + 50 * i + j}}
                                        for j in range(50)]})
    assert len(bea.query("Dot")) == 100  # the default limit
    assert len(bea.query("Dot", limit=5000)) == 200  # at most 1,000: all 200 here
    assert len(bea.query("Dot", skip=150)) == 50


def test_include_pointers_nested_and_arrays(bea: Any) -> None:
    owner = bea.post("Person", {"name": "Owner"}).json["objectId"]
    game = bea.post("Game", {"title": "Go", "owner": {"__type": "Pointer", "className": "Person", "objectId": owner}})
    gid = game.json["objectId"]
    ptr = {"__type": "Pointer", "className": "Game", "objectId": gid}
    p1 = bea.post("Person", {"name": "p1"}).json["objectId"]
    p2 = bea.post("Person", {"name": "p2"}).json["objectId"]
    oid = bea.post("GameScore", {"score": 1, "game": ptr, "opponents": {
        "__type": "PointerArray", "className": "Person", "objects": [p1, p2]}}).json["objectId"]
    r = bea.get(f"GameScore/{oid}", params={"include": "game"})
    g = r.json["game"]
    assert g["__type"] == "Object" and g["className"] == "Game" and g["title"] == "Go" and g["objectId"] == gid
    assert g["owner"]["__type"] == "Pointer"
    r = bea.get("GameScore", params={"include": "game.owner,opponents"},
                headers={"X-BEA-Master-Key": bea.master_key})  # the cost header is for privileged callers
    res = r.json["results"][0]
    assert res["game"]["owner"]["name"] == "Owner"
    assert [o["name"] for o in res["opponents"]] == ["p1", "p2"]
    assert names_of(bea.query("GameScore", {"game": ptr})) == [oid]
    assert names_of(bea.query("GameScore", {"opponents": {"__type": "Pointer", "className": "Person",
                                                          "objectId": p2}})) == [oid]
    cost = r.headers["X-Request-Cost"]
    assert "BatchGetItem" in cost


def names_of(results: list[dict[str, Any]]) -> list[str]:
    return [r["objectId"] for r in results]


def test_bad_queries_are_102(bea: Any) -> None:
    for where in ('{"score": {"gt": 1', '[1]', '{"score": {"between": [1, 2]}}', '{"bl!ng": 1}',
                  '{"playerName": {"regex": "(a)\\\\1"}}', '{"playerName": {"regex": "(?=x)"}}',
                  '{"playerName": {"startswith": 5}}', '{"score": {"in": 5}}', '{"score": {"exists": "yes"}}'):
        r = bea.get("GameScore", params={"where": where})
        assert r.status_code == 400 and r.json["code"] == 102, (where, r.body)
    assert bea.get("GameScore", params={"limit": "x"}).json["code"] == 102
    assert bea.get("GameScore", params={"order": "bl!ng"}).json["code"] == 102


def test_hostile_regex_is_bounded(bea: Any) -> None:
    bea.post("GameScore", {"playerName": "a" * 5000 + "!"})
    for pattern in ("(a+)+$", "(a|a)*b", "(.*a){20}$", ".*.*.*.*b"):
        started = time.perf_counter()
        r = bea.get("GameScore", params={"where": {"playerName": {"regex": pattern}}})
        assert time.perf_counter() - started < 3, pattern
        assert r.status_code in (200, 400), r.body
        if r.status_code == 200:
            assert r.json["results"] == []
    big = bea.get("GameScore", params={"where": {"playerName": {"endswith": "a" * 2000}}})
    assert big.json["code"] == 102


def test_parse_polygon_and_contained_by_operators(bea: Any) -> None:
    """`$geoWithin {$polygon}`, `$geoIntersects {$point}` and `$containedBy` come with the shared parselike
    where compiler; a bad polygon is Parse's 107 here too."""
    _seed(bea)
    bea.post("Place", {"playerName": "oslo", "location": {"__type": "GeoPoint", "latitude": 59.91, "longitude": 10.75},
                       "area": {"__type": "Polygon", "coordinates": [[0, 0], [0, 10], [10, 10], [10, 0]]}})
    bea.post("Place", {"playerName": "rome", "location": {"__type": "GeoPoint", "latitude": 41.9, "longitude": 12.5}})
    poly = [[4, 58], [12, 58], [12, 62], [4, 62]]
    assert names(bea.query("Place", {"location": {"$geoWithin": {"$polygon": poly}}})) == {"oslo"}
    point = {"__type": "GeoPoint", "latitude": 5, "longitude": 5}
    assert names(bea.query("Place", {"area": {"$geoIntersects": {"$point": point}}})) == {"oslo"}
    got = names(bea.query("GameScore", {"skills": {"$containedBy": ["flying", "gaming"]}}))
    assert got == {"Jang Min Chul", "Shawn Simon"}  # Shawn has no skills: matches, as on MongoDB
    r = bea.get("Place", params={"where": {"location": {"$geoWithin": {"$polygon": poly[:2]}}}})
    assert (r.status_code, r.json["code"]) == (400, 107), r.body
