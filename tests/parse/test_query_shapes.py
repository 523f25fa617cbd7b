"""`$geoWithin {$polygon}`, `$geoIntersects {$point}` and `$containedBy`, as the Parse SDKs send them."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import geo, indexing
from chalicelib.core.planner import plan
from chalicelib.core.query import ContainedBy, InPolygon, PolygonHas, Query, matches

from .conftest import Parse


def gp(lat: float, lon: float) -> dict[str, Any]:
    return {"__type": "GeoPoint", "latitude": lat, "longitude": lon}


def names(objs: list[dict[str, Any]]) -> list[str]:
    return sorted(o["name"] for o in objs)


def test_within_polygon_on_location_and_on_another_field(rest: Parse) -> None:
    for name, lat, lon in (("oslo", 59.91, 10.75), ("bergen", 60.39, 5.32), ("rome", 41.9, 12.5)):
        rest.post("classes/Place", {"name": name, "location": gp(lat, lon), "spot": gp(lat, lon)})
    rest.post("classes/Place", {"name": "nowhere"})
    norway = [gp(58, 4), gp(58, 12), gp(62, 12), gp(62, 4)]
    assert names(rest.find("Place", {"location": {"$geoWithin": {"$polygon": norway}}})) == ["bergen", "oslo"]
    # a triangle whose bounding box holds Bergen but whose inside does not
    tri = [gp(58, 8), gp(62, 12), gp(58, 12)]
    assert names(rest.find("Place", {"location": {"$geoWithin": {"$polygon": tri}}})) == ["oslo"]
    # [longitude, latitude] pairs and a Polygon object read as Parse Server reads them; a non-indexed field
    pairs = [[4, 58], [12, 58], [12, 62], [4, 62]]
    assert names(rest.find("Place", {"spot": {"$geoWithin": {"$polygon": pairs}}})) == ["bergen", "oslo"]
    poly = {"__type": "Polygon", "coordinates": pairs}
    assert names(rest.find("Place", {"spot": {"$geoWithin": {"$polygon": poly}}})) == ["bergen", "oslo"]
    # a vertex on the point itself counts as inside (Mongo's boundary rule)
    edge = [gp(41.9, 12.5), gp(40, 12.5), gp(40, 14)]
    assert names(rest.find("Place", {"location": {"$geoWithin": {"$polygon": edge}}})) == ["rome"]


@pytest.mark.parametrize("arg", [
    [[0, 0], [1, 1]], [], {"__type": "Polygon", "coordinates": [[0, 0], [1, 1]]}, "x", 5,
    [[0, 0], [1, 1], [0, 100]], [[0, 0], [1, 1], {"latitude": 1, "longitude": 0}], [[0, 0], [1, 1], [True, 0]],
    [[0, 0]] * 1001])
def test_bad_polygons_are_107(rest: Parse, arg: Any) -> None:
    r = rest.get("classes/Place", params={"where": {"location": {"$geoWithin": {"$polygon": arg}}}})
    assert (r.status_code, r.json["code"]) == (400, 107), (arg, r.body)


def test_polygon_contains_point(rest: Parse) -> None:
    square = {"__type": "Polygon", "coordinates": [[0, 0], [0, 10], [10, 10], [10, 0]]}
    far = {"__type": "Polygon", "coordinates": [[50, 50], [50, 60], [60, 60]]}
    rest.post("classes/Zone", {"name": "square", "area": square})
    rest.post("classes/Zone", {"name": "far", "area": far})
    rest.post("classes/Zone", {"name": "none"})
    assert names(rest.find("Zone", {"area": {"$geoIntersects": {"$point": gp(5, 5)}}})) == ["square"]
    assert names(rest.find("Zone", {"area": {"$geoIntersects": {"$point": gp(52, 55)}}})) == ["far"]
    assert names(rest.find("Zone", {"area": {"$geoIntersects": {"$point": gp(10, 5)}}})) == ["square"]  # edge
    assert rest.find("Zone", {"area": {"$geoIntersects": {"$point": gp(-1, 5)}}}) == []
    for arg in ({"$point": {"latitude": 1, "longitude": 1}}, {"$point": gp(91, 0)}, {}, [1, 2], {"$point": [1, 2]}):
        r = rest.get("classes/Zone", params={"where": {"area": {"$geoIntersects": arg}}})
        assert (r.status_code, r.json["code"]) == (400, 107), (arg, r.body)


def test_contained_by(rest: Parse) -> None:
    for name, nums in (("a", [1, 2, 3]), ("b", [2, 0]), ("c", [1, 2, 3, 4]), ("empty", []), ("strs", ["1"])):
        rest.post("classes/Bag", {"name": name, "nums": nums})
    rest.post("classes/Bag", {"name": "missing"})
    got = names(rest.find("Bag", {"nums": {"$containedBy": [1, 2, 3, 4, 5]}}))
    assert got == ["a", "c", "empty", "missing"]  # MongoDB's $nor/$elemMatch/$nin: no array, nothing outside
    assert names(rest.find("Bag", {"nums": {"$containedBy": [1, 2, 3]}, "name": {"$in": ["a", "c"]}})) == ["a"]
    # pointers compare as pointers, strings exactly
    p1 = {"__type": "Pointer", "className": "T", "objectId": "x1"}
    rest.post("classes/Bag", {"name": "ptrs", "refs": [p1]})
    rest.post("classes/Bag", {"name": "case", "tags": ["Red"]})
    assert names(rest.find("Bag", {"refs": {"$containedBy": [p1]}, "name": "ptrs"})) == ["ptrs"]
    assert rest.find("Bag", {"tags": {"$containedBy": ["red"]}, "name": "case"}) == []
    for arg in (5, "x", {"a": 1}):
        r = rest.get("classes/Bag", params={"where": {"nums": {"$containedBy": arg}}})
        assert (r.status_code, r.json["code"]) == (400, 107), (arg, r.body)


def test_nodes_match_and_plan() -> None:
    ring = ((0.0, 0.0), (0.0, 10.0), (10.0, 10.0), (10.0, 0.0))
    assert geo.in_polygon(5, 5, ring) and geo.in_polygon(0, 5, ring) and not geo.in_polygon(11, 5, ring)
    assert matches(InPolygon("location", ring), {"location": gp(3, 3)})
    assert not matches(InPolygon("location", ring), {"location": "here"})
    assert matches(PolygonHas("a", 1, 1), {"a": {"coordinates": [list(p) for p in ring]}})
    assert not matches(PolygonHas("a", 1, 1), {"a": {"coordinates": [[0, 0], ["x", 1], [1, 1]]}})
    assert matches(ContainedBy("n", (1, 2)), {"n": [1, 2, 2]}) and not matches(ContainedBy("n", (1,)), {"n": [True]})
    # on `location` the geohash cells of the bounding box are read, elsewhere the created listing
    scans = plan(Query(where=InPolygon("location", ring))).scans
    assert scans and all(s.index == "location" + indexing.GEO_SUFFIX for s in scans)
    assert [s.index for s in plan(Query(where=InPolygon("spot", ring))).scans] == ["created"]
