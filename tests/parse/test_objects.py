"""Objects and queries through /parse/classes, in both request styles."""

from __future__ import annotations

from typing import Any

from .conftest import Parse

DATE = {"__type": "Date", "iso": "2026-01-02T03:04:05.678Z"}


def test_crud_types_and_atomic_ops(parse: Parse) -> None:
    body = {"score": 10, "name": "Ann", "when": DATE, "tags": ["a"], "loc": {"__type": "GeoPoint", "latitude": 1.5,
            "longitude": 2.5}, "blob": {"__type": "Bytes", "base64": "aGk="},
            "area": {"__type": "Polygon", "coordinates": [[0, 0], [0, 1], [1, 1]]},
            "obj": {"a": {"b": 1}}}
    r = parse.post("classes/GameScore", body)
    assert r.status_code == 201, r.body
    oid = r.json["objectId"]
    assert r.headers["Location"].endswith(f"/parse/classes/GameScore/{oid}")
    assert r.json["createdAt"].endswith("Z")
    got = parse.get(f"classes/GameScore/{oid}").json
    for k, v in body.items():
        assert got[k] == v, k
    assert got["updatedAt"] == got["createdAt"]
    r = parse.put(f"classes/GameScore/{oid}", {"score": {"__op": "Increment", "amount": 5},
                                               "tags": {"__op": "AddUnique", "objects": ["a", "b"]},
                                               "name": {"__op": "Delete"}})
    assert r.status_code == 200, r.body
    assert r.json["score"] == 15 and r.json["tags"] == ["a", "b"] and "updatedAt" in r.json
    r = parse.put(f"classes/GameScore/{oid}", {"tags": {"__op": "Remove", "objects": ["a"]},
                                               "n": {"__op": "Increment", "amount": 1},
                                               "more": {"__op": "Add", "objects": [1, 1]}})
    assert r.json["tags"] == ["b"] and r.json["n"] == 1 and r.json["more"] == [1, 1]
    got = parse.get(f"classes/GameScore/{oid}", params={"keys": "score,tags", "excludeKeys": "tags"}).json
    assert set(got) == {"objectId", "createdAt", "updatedAt", "score"}
    assert parse.delete(f"classes/GameScore/{oid}").json == {}
    r = parse.get(f"classes/GameScore/{oid}")
    assert (r.status_code, r.json) == (404, {"code": 101, "error": "Object not found."})


def test_bad_input_is_parse_4xx(rest: Parse) -> None:
    assert rest.post("classes/GameScore", {"_bad": 1}).json["code"] == 105
    assert rest.post("classes/9bad", {}).json["code"] == 103
    assert rest.post("classes/GameScore", {"d": {"__type": "Date", "iso": "nope"}}).json["code"] == 111
    assert rest.put("classes/GameScore/not-an-id", {}).status_code == 404
    r = rest.get("classes/GameScore", params={"where": {"a": {"$regex": "(", "$options": "i"}}})
    assert (r.status_code, r.json["code"]) == (400, 102)
    r = rest.post("classes/GameScore", raw="{not json")
    assert r.status_code == 400


def test_find_with_sdk_operators(parse: Parse) -> None:
    ids = {}
    for i, (name, tags) in enumerate([("ann", ["x"]), ("bob", ["x", "y"]), ("cy", [])]):
        ids[name] = parse.post("classes/Player", {"name": name, "n": i, "tags": tags, "meta": {"lvl": i}}).json["objectId"]
    names = lambda res: sorted(o["name"] for o in res)  # noqa: E731
    assert names(parse.find("Player", {"n": {"$gte": 1}})) == ["bob", "cy"]
    assert names(parse.find("Player", {"n": {"$lt": 1}})) == ["ann"]
    assert names(parse.find("Player", {"n": {"$ne": 1}})) == ["ann", "cy"]
    assert names(parse.find("Player", {"name": {"$in": ["ann", "cy"]}})) == ["ann", "cy"]
    assert names(parse.find("Player", {"name": {"$nin": ["ann"]}})) == ["bob", "cy"]
    assert names(parse.find("Player", {"tags": {"$all": ["x", "y"]}})) == ["bob"]
    assert names(parse.find("Player", {"tags": "y"})) == ["bob"]
    assert names(parse.find("Player", {"name": {"$regex": "^B", "$options": "i"}})) == ["bob"]
    assert names(parse.find("Player", {"meta.lvl": 2})) == ["cy"]
    assert names(parse.find("Player", {"$or": [{"n": 0}, {"n": 2}]})) == ["ann", "cy"]
    assert names(parse.find("Player", {"$nor": [{"n": 0}, {"n": 2}]})) == ["bob"]
    assert names(parse.find("Player", {"gone": {"$exists": False}, "n": {"$exists": True}})) == ["ann", "bob", "cy"]
    assert names(parse.find("Player", {"objectId": ids["bob"]})) == ["bob"]
    res = parse.find("Player", None, order="-n", limit=2, skip=1)
    assert [o["name"] for o in res] == ["bob", "ann"]
    r = parse.get("classes/Player", params={"where": {}, "limit": 0, "count": 1})
    assert r.json == {"results": [], "count": 3}
    r = parse.get("classes/Player", params={"where": {"n": {"$gt": 0}}, "count": 1, "limit": 1})
    assert r.json["count"] == 2 and len(r.json["results"]) == 1
    res = parse.find("Player", None, keys="name", order="name")
    assert [set(o) for o in res][0] == {"objectId", "createdAt", "updatedAt", "name"}


def test_pointers_include_and_subqueries(parse: Parse) -> None:
    team = parse.post("classes/Team", {"city": "Oslo", "coach": None}).json["objectId"]
    league = parse.post("classes/League", {"name": "top"}).json["objectId"]
    parse.put(f"classes/Team/{team}", {"league": {"__type": "Pointer", "className": "League", "objectId": league}})
    ptr = {"__type": "Pointer", "className": "Team", "objectId": team}
    parse.post("classes/Member", {"name": "m1", "team": ptr})
    parse.post("classes/Member", {"name": "m2"})
    res = parse.find("Member", {"team": ptr}, include="team.league")
    assert len(res) == 1 and res[0]["team"]["__type"] == "Object" and res[0]["team"]["city"] == "Oslo"
    assert res[0]["team"]["league"]["name"] == "top"
    inq = {"team": {"$inQuery": {"className": "Team", "where": {"city": "Oslo"}}}}
    assert [o["name"] for o in parse.find("Member", inq)] == ["m1"]
    notin = {"team": {"$notInQuery": {"className": "Team", "where": {"city": "Oslo"}}}}
    assert [o["name"] for o in parse.find("Member", notin)] == ["m2"]
    sel = {"name": {"$select": {"query": {"className": "Member", "where": {"team": {"$exists": True}}}, "key": "name"}}}
    assert [o["name"] for o in parse.find("Member", sel)] == ["m1"]


def test_relations_and_related_to(rest: Parse) -> None:
    a = rest.post("classes/Book", {"t": "a"}).json["objectId"]
    b = rest.post("classes/Book", {"t": "b"}).json["objectId"]
    shelf = rest.post("classes/Shelf", {"books": {"__op": "AddRelation", "objects": [
        {"__type": "Pointer", "className": "Book", "objectId": a},
        {"__type": "Pointer", "className": "Book", "objectId": b}]}}).json["objectId"]
    assert rest.get(f"classes/Shelf/{shelf}").json["books"] == {"__type": "Relation", "className": "Book"}
    rel = {"$relatedTo": {"object": {"__type": "Pointer", "className": "Shelf", "objectId": shelf}, "key": "books"}}
    assert sorted(o["t"] for o in rest.find("Book", rel)) == ["a", "b"]
    rest.put(f"classes/Shelf/{shelf}", {"books": {"__op": "RemoveRelation", "objects": [
        {"__type": "Pointer", "className": "Book", "objectId": a}]}})
    assert [o["t"] for o in rest.find("Book", rel)] == ["b"]
    # the SDK's Batch op: one save that adds and removes members
    rest.put(f"classes/Shelf/{shelf}", {"books": {"__op": "Batch", "ops": [
        {"__op": "AddRelation", "objects": [{"__type": "Pointer", "className": "Book", "objectId": a}]},
        {"__op": "RemoveRelation", "objects": [{"__type": "Pointer", "className": "Book", "objectId": b}]}]}})
    assert [o["t"] for o in rest.find("Book", rel)] == ["a"]


def test_geo_queries(rest: Parse) -> None:
    for name, lat, lon in (("oslo", 59.91, 10.75), ("bergen", 60.39, 5.32), ("rome", 41.9, 12.5)):
        rest.post("classes/Place", {"name": name, "location": {"__type": "GeoPoint", "latitude": lat, "longitude": lon}})
    here = {"__type": "GeoPoint", "latitude": 59.9, "longitude": 10.7}
    near = rest.find("Place", {"location": {"$nearSphere": here, "$maxDistanceInKilometers": 400}})
    assert [o["name"] for o in near] == ["oslo", "bergen"]
    box = {"location": {"$within": {"$box": [{"__type": "GeoPoint", "latitude": 59, "longitude": 4},
                                             {"__type": "GeoPoint", "latitude": 61, "longitude": 6}]}}}
    assert [o["name"] for o in rest.find("Place", box)] == ["bergen"]
    sphere = {"location": {"$geoWithin": {"$centerSphere": [[10.7, 59.9], 0.01]}}}
    assert [o["name"] for o in rest.find("Place", sphere)] == ["oslo"]


def test_batch(parse: Parse) -> None:
    r = parse.post("batch", {"requests": [
        {"method": "POST", "path": "/parse/classes/Item", "body": {"n": 1}},
        {"method": "POST", "path": "/parse/classes/Item", "body": {"n": 2}},
        {"method": "GET", "path": "/parse/classes/Item/00000000-0000-4000-8000-000000000000"}]})
    assert r.status_code == 200, r.body
    ok1, ok2, err = r.json
    assert "objectId" in ok1["success"] and "createdAt" in ok2["success"]
    assert err == {"error": {"code": 101, "error": "Object not found."}}
    oid = ok1["success"]["objectId"]
    r = parse.post("batch", {"requests": [
        {"method": "PUT", "path": f"/parse/classes/Item/{oid}", "body": {"n": {"__op": "Increment", "amount": 2}}},
        {"method": "DELETE", "path": f"/parse/classes/Item/{ok2['success']['objectId']}"}]})
    assert r.json[0]["success"]["n"] == 3 and r.json[1] == {"success": {}}


def test_acl_hides_objects_as_101(rest: Parse) -> Any:
    r = rest.post("users", {"username": "u1", "password": "pw"})
    uid, tok = r.json["objectId"], r.json["sessionToken"]
    assert tok.startswith("r:")
    r = rest.post("classes/Note", {"t": "secret", "ACL": {uid: {"read": True, "write": True}}}, session=tok)
    oid = r.json["objectId"]
    assert rest.get(f"classes/Note/{oid}", session=tok).json["ACL"] == {uid: {"read": True, "write": True}}
    other = rest.post("users", {"username": "u2", "password": "pw"}).json["sessionToken"]
    r = rest.get(f"classes/Note/{oid}", session=other)
    assert (r.status_code, r.json["code"]) == (404, 101)
    assert rest.put(f"classes/Note/{oid}", {"t": "x"}, session=other).json["code"] == 101
    assert rest.find("Note", None, session=other) == []
    assert len(rest.get("classes/Note", master=True).json["results"]) == 1
