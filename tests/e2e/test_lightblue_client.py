"""The Python Lightblue client (PyPI `python-lightblue`), unmodified, against a real HTTP server.

As in test_usergrid_sdk.py, chalice's local dev server runs in a thread with moto in-process, so
the client's requests cross a real socket. The client sends its own body shape (`objectType` and
`version` beside the query, `from`/`maxResults` for paging, a list of projections) and reads
`status == "COMPLETE"`, `matchCount`, `modifiedCount` and `processed` from the responses.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("lightblue.service")

import requests  # noqa: E402

ENTITY = "device"
VERSION = "1.0.0"

# A Lightblue metadata document as lightblue-rest stores them: `_id` a uid identity, `objectType`
# a required string (every Lightblue schema declares both), an enum, an index, nested fields.
META: dict[str, Any] = {
    "entityInfo": {
        "name": ENTITY, "defaultVersion": VERSION,
        "enums": [{"name": "states", "values": ["active", "retired", "lost"]}],
        "indexes": [{"name": "serial", "unique": True, "fields": [{"field": "serial", "dir": "$asc"}]}],
        "datastore": {"backend": "mongo", "datasource": "mongodata", "collection": ENTITY},
    },
    "schema": {
        "name": ENTITY, "version": {"value": VERSION, "changelog": "initial version"},
        "status": {"value": "active"},
        "access": {"insert": ["anyone"], "find": ["anyone"], "update": ["anyone"], "delete": ["anyone"]},
        "fields": {
            "_id": {"type": "uid", "constraints": {"identity": True}},
            "objectType": {"type": "string", "constraints": {"required": True, "minLength": 1}},
            "serial": {"type": "string", "constraints": {"required": True}},
            "model": {"type": "string"},
            "state": {"type": "string", "constraints": {"enum": "states"}},
            "rank": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "owner": {"type": "object", "fields": {"login": {"type": "string"}, "site": {"type": "string"}}},
        },
    },
}


@pytest.fixture
def server(live_server: str) -> str:
    return f"{live_server}"


def _app_token(base: str) -> str:
    """Sign up an org and app through the Usergrid management API; a client_credentials app token."""
    ug = f"{base}/usergrid"
    requests.post(f"{ug}/management/organizations", json={
        "organization": "lborg", "username": "lbadmin", "name": "Admin", "email": "a@lb.test", "password": "pw"})
    tok = requests.post(f"{ug}/management/token", json={"grant_type": "password", "username": "lbadmin",
                                                        "password": "pw"}).json()["access_token"]
    auth = {"Authorization": f"Bearer {tok}"}
    requests.post(f"{ug}/management/orgs/lborg/apps", json={"name": "app1"}, headers=auth)
    creds = requests.get(f"{ug}/management/orgs/lborg/apps/app1/credentials", headers=auth).json()["credentials"]
    r = requests.post(f"{ug}/lborg/app1/token", json={"grant_type": "client_credentials", **creds})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


@pytest.fixture
def entity(server: str) -> Any:
    """A LightBlueEntity for `device` 1.0.0 over a session carrying the app token; metadata created."""
    from lightblue.entity import LightBlueEntity
    from lightblue.service import LightBlueService

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {_app_token(server)}"
    r = session.put(f"{server}/lightblue/rest/metadata/{ENTITY}/{VERSION}", json=META)
    assert r.status_code == 200, r.text
    service = LightBlueService(data_url=f"{server}/lightblue/rest/data/",
                               metadata_url=f"{server}/lightblue/rest/metadata", custom_session=session)
    return LightBlueEntity(service, ENTITY, VERSION)


def _devices(n: int) -> list[dict[str, Any]]:
    return [{"objectType": ENTITY, "serial": f"SN{i:03d}", "model": "x1" if i % 2 else "z9",
             "state": "active", "rank": i, "tags": ["lab"], "owner": {"login": f"u{i % 3}", "site": "brno"}}
            for i in range(n)]


def _serials(response: Any) -> list[str]:
    return sorted(d["serial"] for d in response["processed"])


def _q(field: str, op: str, rvalue: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "rvalue": rvalue}


def test_entity_schema_insert_find_page(entity: Any) -> None:
    schema = entity.get_schema()
    assert schema["entityInfo"]["name"] == ENTITY
    assert schema["schema"]["version"]["value"] == VERSION
    assert set(schema["schema"]["fields"]) >= {"_id", "objectType", "serial"}

    r = entity.insert_data(_devices(7))
    assert entity.check_response(r) and r["modifiedCount"] == 7
    assert all(d["objectType"] == ENTITY and d["_id"] for d in r["processed"])
    ids = {d["serial"]: d["_id"] for d in r["processed"]}
    # a required field missing: Lightblue answers ERROR with the document in dataErrors -> None
    assert entity.insert_data({"objectType": ENTITY, "model": "x1"}) is None

    # find_all selects with `objectType = <entity>`, as every Lightblue document carries its entity name
    everything = entity.find_all()
    assert entity.check_response(everything) and everything["matchCount"] == 7
    assert _serials(everything) == [f"SN{i:03d}" for i in range(7)]
    one = entity.find_item(_q("_id", "=", ids["SN003"]))
    assert one["matchCount"] == 1 and one["processed"][0]["owner"] == {"login": "u0", "site": "brno"}

    # projection (a list of field projections), from and maxResults
    proj = [{"field": "serial", "include": True}, {"field": "owner", "include": True, "recursive": True}]
    r = entity.find_item(_q("model", "=", "x1"), projection=proj)
    assert r["matchCount"] == 3 and _serials(r) == ["SN001", "SN003", "SN005"]
    assert all(set(d) == {"serial", "owner"} for d in r["processed"])
    page = entity.find_all(projection=[{"field": "serial", "include": True}], from_=2, max_results=2)
    assert page["matchCount"] == 7 and len(page["processed"]) == 2
    rest = entity.find_all(projection=[{"field": "serial", "include": True}], from_=6, max_results=5)
    assert len(rest["processed"]) == 1
    assert entity.find_all(from_=7, max_results=5)["processed"] == []

    # find_paginated: from 0 by page_size until a page comes back empty; pages neither overlap nor skip
    pages = entity.find_paginated(3, entity.find_all, projection=[{"field": "serial", "include": True}])
    assert sorted(d["serial"] for d in pages) == [f"SN{i:03d}" for i in range(7)]
    ranked = entity.find_paginated(2, entity.find_item, _q("rank", ">=", 3))
    assert sorted(d["rank"] for d in ranked) == [3, 4, 5, 6]


def test_entity_update_delete(entity: Any) -> None:
    entity.insert_data(_devices(5))
    r = entity.update_item(_q("serial", "=", "SN001"), {"$set": {"state": "lost", "owner.site": "praha"}})
    assert entity.check_response(r) and r["matchCount"] == 1 and r["modifiedCount"] == 1
    doc = entity.find_item(_q("serial", "=", "SN001"))["processed"][0]
    assert doc["state"] == "lost" and doc["owner"] == {"login": "u1", "site": "praha"}
    r = entity.update_item(_q("model", "=", "z9"), [{"$append": {"tags": "spare"}}, {"$add": {"rank": 10}}])
    assert r["matchCount"] == 3 and r["modifiedCount"] == 3
    z9 = entity.find_item(_q("model", "=", "z9"))["processed"]
    assert sorted(d["rank"] for d in z9) == [10, 12, 14] and all(d["tags"] == ["lab", "spare"] for d in z9)
    # a value outside the enum is refused per document (dataErrors): status ERROR -> None
    assert entity.update_item(_q("serial", "=", "SN002"), {"$set": {"state": "broken"}}) is None

    r = entity.delete_item(_q("state", "=", "lost"))
    assert entity.check_response(r) and r["modifiedCount"] == 1
    assert entity.find_all()["matchCount"] == 4
    r = entity.delete_all()
    assert entity.check_response(r) and r["modifiedCount"] == 4
    assert entity.find_all()["matchCount"] == 0
    assert entity.delete_all()["modifiedCount"] == 0


def test_query_builder(entity: Any) -> None:
    from lightblue.query import IncompleteQuery, LightBlueQuery, LockedQuery

    LightBlueQuery.insert(_devices(6), entity)
    # pairs, triples and keyword equalities, ANDed
    q = LightBlueQuery(entity, ("rank", ">", 1), model="x1")
    q._add_to_projection("serial", recursive=["owner"])
    r = q.find()
    assert r["matchCount"] == 2 and _serials(r) == ["SN003", "SN005"]
    assert all(set(d) == {"serial", "owner"} for d in r["processed"])
    # a raw query beside the triples; no query at all is find_all
    q = LightBlueQuery(entity, ("model", "z9"))
    q.add_raw_query({"field": "owner.login", "op": "$in", "values": ["u0", "u1"]})
    assert _serials(q.find()) == ["SN000", "SN004"]
    assert LightBlueQuery(entity).find()["matchCount"] == 6

    # update: one operator at a time (see test_query_builder_combined_update)
    q = LightBlueQuery(entity, serial="SN000")
    q._add_to_update(_set={"state": "retired"})
    assert q.update()["modifiedCount"] == 1
    with pytest.raises(LockedQuery):
        q.update()
    q._refresh()
    q._add_to_update(unset=["tags", "owner.site"])
    assert q.update()["modifiedCount"] == 1
    q._refresh()
    q._add_to_update(append={"tags": "rma"})
    assert q.update()["modifiedCount"] == 1
    doc = LightBlueQuery(entity, serial="SN000").find()["processed"][0]
    assert doc["state"] == "retired" and doc["tags"] == ["rma"] and doc["owner"] == {"login": "u0"}
    with pytest.raises(IncompleteQuery):
        LightBlueQuery(entity, serial="SN000").update()

    # delete needs a query
    with pytest.raises(IncompleteQuery):
        LightBlueQuery(entity).delete()
    r = LightBlueQuery(entity, ("rank", ">=", 4)).delete()
    assert r["modifiedCount"] == 2
    assert sorted(d["rank"] for d in LightBlueQuery(entity).find()["processed"]) == [0, 1, 2, 3]


def test_query_builder_combined_update(entity: Any) -> None:
    """LightBlueQuery._update puts $set, $unset and $append in ONE object, e.g.
    `{"$set": {...}, "$unset": [...]}`. Lightblue's grammar (language_specification/update.md) has one
    operator per partial update, a list for several, and lightblue-core's SetExpression.fromJson
    refuses an object of more than one key (INVALID_SET_EXPRESSION): a client bug, which the real
    server answers with an error as this one does; update_item then returns None.
    """
    from lightblue.query import LightBlueQuery

    entity.insert_data(_devices(2))
    q = LightBlueQuery(entity, serial="SN001")
    q._add_to_update(_set={"state": "lost"}, unset=["tags"])
    assert q._update == {"$set": {"state": "lost"}, "$unset": ["tags"]}
    assert q.update() is None
    assert LightBlueQuery(entity, serial="SN001").find()["processed"][0]["state"] == "active"
    # the same change as Lightblue spells it: a list of single-operator updates
    r = entity.update_item({"field": "serial", "op": "=", "rvalue": "SN001"},
                           [{"$set": {"state": "lost"}}, {"$unset": ["tags"]}])
    assert r["modifiedCount"] == 1
    doc = LightBlueQuery(entity, serial="SN001").find()["processed"][0]
    assert doc["state"] == "lost" and "tags" not in doc


@pytest.mark.filterwarnings("ignore:The dpath.util package is being deprecated:DeprecationWarning")
def test_generic_selection(entity: Any) -> None:
    """selection.py (first, all, exist, update_with, unset_fields) reads responses with dpath.util,
    deprecated in dpath 2 (the client's, not ours: hence the filter)."""
    from lightblue.selection import LightBlueGenericSelection

    def sel(*args: Any, **kwargs: Any) -> Any:
        return LightBlueGenericSelection(*args, interface=entity, **kwargs)

    entity.insert_data(_devices(4))
    first = sel(serial="SN002").with_lb_id().first
    assert set(first) == {"_id"}
    assert sel(("_id", first["_id"])).first["serial"] == "SN002"
    assert sel(serial="SN002").exist and not sel(serial="nope").exist
    assert sel(serial="nope").first is None and sel(serial="nope").all == []
    assert sorted(d["serial"] for d in sel(model="z9").all) == ["SN000", "SN002"]
    assert sel(model="z9").find(count=2, selector="/matchCount") == 2
    assert sel(model="z9").find(count=3, fallback="wrong count") == "wrong count"
    assert sel(model="x1").update_with({"state": "retired"})["modifiedCount"] == 2
    response, n = sel(serial="SN001").unset_fields(["owner.site", "tags"])
    assert response["modifiedCount"] == 1 and n == 2
    doc = sel(serial="SN001").first
    assert doc["state"] == "retired" and doc["owner"] == {"login": "u1"} and "tags" not in doc
    assert sel(model="x1").delete()["modifiedCount"] == 2
    assert [d["serial"] for d in sel().all] in (["SN000", "SN002"], ["SN002", "SN000"])
