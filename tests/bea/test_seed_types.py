"""Issue 13, BEA items: `Null`, `GEOPoint`, `DateTime` and `Time` values (seed 003 lines 119-139), and
what DELETE on an object URL does to its media (seed 003 lines 18, 36 and 108-110)."""

from __future__ import annotations

from typing import Any


def _date(iso: str, t: str = "DateTime") -> dict[str, str]:
    return {"__type": t, "iso": iso}


# -- Null (seed 003 line 139: "Null" is a field type) ---------------------------------------
def test_null_is_stored_and_read_back(bea: Any) -> None:
    r = bea.post("Thing", {"a": None, "b": 1})
    assert r.status_code == 201, r.body
    oid = r.json["objectId"]
    got = bea.get(f"Thing/{oid}").json
    assert "a" in got and got["a"] is None and got["b"] == 1
    assert bea.put(f"Thing/{oid}", {"b": None}).status_code == 200
    got = bea.get(f"Thing/{oid}").json
    assert "b" in got and got["b"] is None
    # Parse's way to remove a field
    assert bea.put(f"Thing/{oid}", {"a": {"__op": "Delete"}}).status_code == 200
    got = bea.get(f"Thing/{oid}").json
    assert "a" not in got and got["b"] is None
    # a query sees the null too
    assert [o["objectId"] for o in bea.query("Thing", {"b": {"$exists": True}})] == [oid]


def test_null_in_queries(bea: Any) -> None:
    # Parse: `{"f": null}` matches a null or a missing f; `$ne: null` a present, non-null one
    null = bea.post("Thing", {"f": None}).json["objectId"]
    gone = bea.post("Thing", {"g": 1}).json["objectId"]
    one = bea.post("Thing", {"f": 1}).json["objectId"]
    assert {o["objectId"] for o in bea.query("Thing", {"f": None})} == {null, gone}
    assert [o["objectId"] for o in bea.query("Thing", {"f": {"$ne": None}})] == [one]
    assert [o["objectId"] for o in bea.query("Thing", {"f": {"$exists": False}})] == [gone]
    assert {o["objectId"] for o in bea.query("Thing", {"f": {"$exists": True}})} == {null, one}
    assert [o["objectId"] for o in bea.query("Thing", {"f": {"$gt": 0}})] == [one]


def test_null_in_batch_create(bea: Any) -> None:
    r = bea.post("batch", {"requests": [{"method": "POST", "path": "/1/Thing", "body": {"a": None, "n": i}}
                                        for i in range(2)]})
    assert r.status_code == 200, r.body
    oid = r.json["results"][0]["success"]["objectId"]
    assert bea.get(f"Thing/{oid}").json["a"] is None


# -- GEOPoint (seed 003 line 135) -------------------------------------------------------------
def test_geopoint_seed_spelling(bea: Any) -> None:
    r = bea.post("Place", {"location": {"__type": "GEOPoint", "latitude": 40.0, "longitude": -30.0}})
    assert r.status_code == 201, r.body
    got = bea.get(f"Place/{r.json['objectId']}").json
    # stored and answered as Parse's GeoPoint: one spelling, so every query and SDK reads it
    assert got["location"] == {"__type": "GeoPoint", "latitude": 40.0, "longitude": -30.0}
    near = bea.query("Place", {"location": {"$nearSphere": {"__type": "GEOPoint", "latitude": 40.0, "longitude": -30.0},
                                            "$maxDistanceInKilometers": 10}})
    assert [o["objectId"] for o in near] == [r.json["objectId"]]
    bad = bea.post("Place", {"location": {"__type": "GEOPoint", "latitude": 100, "longitude": 0}})
    assert bad.status_code == 400 and bad.json["code"] == 111


# -- DateTime and Time (seed 003 lines 128, 136) ---------------------------------------------------
def test_datetime_is_stored_and_ordered(bea: Any) -> None:
    ids = []
    for iso in ("2020-01-01T10:00:00.000Z", "2021-06-01T10:00:00.000Z", "2022-01-01T00:00:00.000Z"):
        r = bea.post("Event", {"at": _date(iso)})
        assert r.status_code == 201, r.body
        ids.append(r.json["objectId"])
    got = bea.get(f"Event/{ids[0]}").json
    assert got["at"] == {"__type": "DateTime", "iso": "2020-01-01T10:00:00.000Z"}
    later = bea.query("Event", {"at": {"$gt": _date("2021-01-01T00:00:00.000Z")}}, order="at")
    assert [o["objectId"] for o in later] == ids[1:]
    # a DateTime is an instant: it compares with a Date too
    assert [o["objectId"] for o in bea.query("Event", {"at": {"$lt": _date("2021-01-01T00:00:00Z", "Date")}})] == ids[:1]
    bad = bea.post("Event", {"at": _date("yesterday")})
    assert bad.status_code == 400 and bad.json["code"] == 111


def test_time_is_stored_and_ordered(bea: Any) -> None:
    ids = []
    for t in ("08:30:00", "12:00:00.5", "23:59:59.999"):
        r = bea.post("Shift", {"starts": {"__type": "Time", "iso": t}})
        assert r.status_code == 201, r.body
        ids.append(r.json["objectId"])
    assert bea.get(f"Shift/{ids[1]}").json["starts"] == {"__type": "Time", "iso": "12:00:00.500"}
    after = bea.query("Shift", {"starts": {"$gte": {"__type": "Time", "iso": "12:00:00.500"}}}, order="-starts")
    assert [o["objectId"] for o in after] == [ids[2], ids[1]]
    # read through the `exists` and `order` index scans too (they bound every value kind)
    assert [o["objectId"] for o in bea.query("Shift", {"starts": {"$exists": True}}, order="starts")] == ids
    assert [o["objectId"] for o in bea.query("Shift", order="-starts")] == ids[::-1]
    for bad in ("25:00:00", "noon", "12:00:00+02:00", "12:00:00\n", 1200):
        r = bea.post("Shift", {"starts": {"__type": "Time", "iso": bad}})
        assert r.status_code == 400 and r.json["code"] == 111, (bad, r.body)


# -- Media on DELETE (seed 003 lines 18, 36, 108-110) -----------------------------------------------
def test_delete_object_url_deletes_object_and_media(bea: Any) -> None:
    from chalicelib.bootstrap import services

    r = bea.post("Photo", raw=b"img", headers={"Content-Type": "image/png"}, params={"name": "a.png"})
    oid = r.json["objectId"]
    blobs = services().files().blobs  # the app's own bucket and client, whatever an earlier test configured
    prefix = f"{bea.app_id}/bea-media/photos/{oid}/"
    assert blobs.s3.list_objects_v2(Bucket=blobs.bucket, Prefix=prefix)["KeyCount"] == 1
    # the seed's "Deleting Media For Objects" URL is the object URL: object and media go together
    r = bea.delete(f"Photo/{oid}/")
    assert r.status_code == 201 and r.json == {"objectId": oid}
    assert r.headers["Location"].endswith(f"/1/Photo/{oid}")
    assert bea.get(f"Photo/{oid}").status_code == 404
    assert blobs.s3.list_objects_v2(Bucket=blobs.bucket, Prefix=prefix)["KeyCount"] == 0


def test_delete_class_url_needs_an_object_id(bea: Any) -> None:
    # the seed's example `DELETE /1/GameScore` answers for one object: without its id nothing is deleted
    oid = bea.post("GameScore", {"score": 1}).json["objectId"]
    r = bea.delete("GameScore")
    assert r.status_code == 400 and r.json["code"] == 104
    assert bea.get(f"GameScore/{oid}").status_code == 200
