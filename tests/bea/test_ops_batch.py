"""Atomic operators (seed's counters, arrays, relations), concurrent ones, data types, and batch."""

from __future__ import annotations

import threading
from typing import Any


def test_increment_decrement(bea: Any) -> None:
    oid = bea.post("GameScore", {"score": 10}).json["objectId"]
    r = bea.put(f"GameScore/{oid}", {"score": "+=1"})
    assert r.status_code == 200 and r.json["score"] == 11
    bea.put(f"GameScore/{oid}", {"score": "-=3"})
    bea.put(f"GameScore/{oid}", {"score": {"__op": "Increment", "amount": 5}, "lives": "+=2"})
    got = bea.get(f"GameScore/{oid}").json
    assert got["score"] == 13 and got["lives"] == 2
    bea.put(f"GameScore/{oid}", {"name": "x"})
    assert bea.put(f"GameScore/{oid}", {"name": "+=1"}).json["code"] == 111


def test_array_operators_both_forms(bea: Any) -> None:
    oid = bea.post("GameScore", {"skills": ["pwnage"]}).json["objectId"]
    bea.put(f"GameScore/{oid}", {"skills": {"addUnique": "flying"}})
    bea.put(f"GameScore/{oid}", {"skills": {"addUnique": {"objects": ["flying", "kungfu"]}}})
    assert bea.get(f"GameScore/{oid}").json["skills"] == ["pwnage", "flying", "kungfu"]
    bea.put(f"GameScore/{oid}", {"skills": {"add": {"objects": ["flying"]}}})
    bea.put(f"GameScore/{oid}", {"skills": {"__op": "Add", "objects": ["x"]}})
    assert bea.get(f"GameScore/{oid}").json["skills"] == ["pwnage", "flying", "kungfu", "flying", "x"]
    bea.put(f"GameScore/{oid}", {"skills": {"remove": {"objects": ["flying", "x"]}}})
    assert bea.get(f"GameScore/{oid}").json["skills"] == ["pwnage", "kungfu"]
    bea.put(f"GameScore/{oid}", {"skills": {"__op": "Delete"}})
    assert "skills" not in bea.get(f"GameScore/{oid}").json
    bea.put(f"GameScore/{oid}", {"score": 1})
    assert bea.put(f"GameScore/{oid}", {"score": {"add": "x"}}).json["code"] == 111


def test_relation_add_unique_and_remove(bea: Any) -> None:
    a = bea.post("Player", {"n": "a"}).json["objectId"]
    b = bea.post("Player", {"n": "b"}).json["objectId"]
    oid = bea.post("GameScore", {"opponents": {"__type": "Relation", "className": "Player", "objects": [a]}}).json[
        "objectId"]
    bea.put(f"GameScore/{oid}", {"opponents": {"addUnique": b}})
    bea.put(f"GameScore/{oid}", {"opponents": {"addUnique": b}})
    opp = bea.get(f"GameScore/{oid}").json["opponents"]
    assert opp == [{"__type": "Pointer", "className": "Player", "objectId": x} for x in (a, b)]
    bea.put(f"GameScore/{oid}", {"opponents": {"remove": a}})
    assert [p["objectId"] for p in bea.get(f"GameScore/{oid}").json["opponents"]] == [b]
    bea.put(f"GameScore/{oid}", {"opponents": {"__op": "AddRelation", "objects": [
        {"__type": "Pointer", "className": "Player", "objectId": a}]}})
    assert len(bea.get(f"GameScore/{oid}").json["opponents"]) == 2


def test_concurrent_increments_and_adds_all_land(atomic_moto: Any) -> None:
    bea = atomic_moto
    oid = bea.post("GameScore", {"score": 0, "skills": []}).json["objectId"]
    errors: list[Any] = []

    def work(i: int) -> None:
        for j in range(3):
            r = bea.put(f"GameScore/{oid}", {"score": "+=1", "skills": {"add": f"s{i}-{j}"}})
            if r.status_code != 200:
                errors.append(r.body)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    got = bea.get(f"GameScore/{oid}").json
    assert got["score"] == 12 and sorted(got["skills"]) == sorted(f"s{i}-{j}" for i in range(4) for j in range(3))


def test_data_types_round_trip(bea: Any) -> None:
    values = {
        "when": {"__type": "Date", "iso": "2011-08-21T18:02:52.249Z"},
        "game": {"__type": "Pointer", "className": "Game", "objectId": "0190a0a0-0000-7000-8000-000000000000"},
        "where": {"__type": "GeoPoint", "latitude": 40.0, "longitude": -30.0},
        "pic": {"__type": "File", "name": "a.png", "url": "https://example.com/a.png"},
        "nested": {"a": {"__type": "Date", "iso": "2011-08-21T18:02:52Z"}},
        "nothing": None,
    }
    oid = bea.post("Things", values).json["objectId"]
    got = bea.get(f"Things/{oid}").json
    for k in ("when", "game", "where", "pic"):
        assert got[k] == values[k], k
    assert got["nested"]["a"] == {"__type": "Date", "iso": "2011-08-21T18:02:52.000Z"}
    for bad in ({"__type": "Date", "iso": "yesterday"}, {"__type": "GeoPoint", "latitude": 100, "longitude": 0},
                {"__type": "Pointer", "className": "Game"}):
        r = bea.post("Things", {"v": bad})
        assert r.status_code == 400 and r.json["code"] in (106, 111), r.body


def test_batch_create_get_update_delete(bea: Any) -> None:
    r = bea.post("batch", {"requests": [
        {"method": "POST", "path": "/GameScore", "body": {"score": 1337, "playerName": "Sean Plott"}},
        {"method": "POST", "path": "/1/GameScore", "body": {"score": 1338, "playerName": "ZeroCool"}}]})
    assert r.status_code == 200
    res = r.json["results"]
    assert len(res) == 2 and all(set(x["success"]) == {"createdAt", "objectId"} for x in res)
    a, b = (x["success"]["objectId"] for x in res)
    r = bea.post("batch", {"requests": [
        {"method": "GET", "path": "/GameScore", "body": {"fields": "playerName,score", "limit": 100}},
        {"method": "PUT", "path": f"/GameScore/{a}", "body": {"score": 999999}},
        {"method": "DELETE", "path": f"/GameScore/{b}"},
        {"method": "DELETE", "path": f"/GameScore/{b}"},
        {"method": "GET", "path": f"/GameScore/{a}"},
        {"method": "PUT", "path": "/GameScore/x", "body": {"bl!ng": 1}},
        {"method": "PATCH", "path": "/GameScore"}]})
    res = r.json["results"]
    assert {x["playerName"] for x in res[0]["success"]["results"]} == {"Sean Plott", "ZeroCool"}
    assert set(res[1]["success"]) == {"updatedAt", "objectId"}
    assert res[2] == {"success": {"objectId": b}}
    assert res[3] == {"error": {"code": 101, "error": "Object not found."}}
    assert res[4]["success"]["score"] == 999999
    assert res[5]["error"]["code"] == 105 and res[6]["error"]["code"] == 107


def test_batch_over_50_is_refused_before_running(bea: Any) -> None:
    reqs = [{"method": "POST", "path": "/Dot", "body": {"i": i}} for i in range(51)]
    r = bea.post("batch", {"requests": reqs})
    assert r.status_code == 400 and r.json["code"] == 107
    assert bea.query("Dot") == []
    assert bea.post("batch", {"requests": "nope"}).json["code"] == 107


def test_concurrent_batches(atomic_moto: Any) -> None:
    bea = atomic_moto
    oid = bea.post("GameScore", {"score": 0}).json["objectId"]
    out: list[Any] = []

    def work() -> None:
        r = bea.post("batch", {"requests": [{"method": "PUT", "path": f"/GameScore/{oid}", "body": {"score": "+=1"}}
                                            for _ in range(5)]})
        out.append(r.json)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all("success" in x for body in out for x in body["results"])
    assert bea.get(f"GameScore/{oid}").json["score"] == 15


def test_batch_of_creates_goes_out_in_waves_and_fails_per_object(bea: Any) -> None:
    """Consecutive creates of one class: every claim and index entry at once, then every object
    (issue 15); a taken name fails its own command only, and nothing of it stays visible."""
    reqs = [{"method": "POST", "path": "/Dot", "body": {"i": i, "name": f"d{i}", "color": "red"}} for i in range(40)]
    reqs[7]["body"]["name"] = "d3"  # taken inside the same batch
    reqs.append({"method": "GET", "path": "/Dot", "body": {"where": {"color": "red"}, "count": 1, "limit": 0}})
    reqs.append({"method": "POST", "path": "/Dot", "body": {"i": 99, "bad key!": 1}})
    r = bea.post("batch", {"requests": reqs}, headers={"X-BEA-Master-Key": bea.master_key})  # cost: privileged only
    res = r.json["results"]
    ops = dict(op.split(":") for op in r.headers["X-Request-Cost"].split("ops=")[1].split(","))
    winners = [k for k in (3, 7) if "success" in res[k]]
    assert len(winners) == 1 and res[10 - winners[0]]["error"]["code"] == 137  # the other: duplicate value
    assert all(set(res[i]["success"]) == {"createdAt", "objectId"} for i in range(40) if i not in (3, 7))
    assert res[40]["success"]["count"] == 39 and res[41]["error"]["code"] == 105
    assert int(ops["BatchWriteItem"]) <= 40 * 8 // 25 + 6  # full 25-item requests, not one per object
    found = bea.get("Dot", params={"where": {"name": "d3"}}).json["results"]
    assert [o["i"] for o in found] == [3 if winners == [3] else 7]
    assert len(bea.query("Dot", where={"color": "red"}, limit=100)) == 39
