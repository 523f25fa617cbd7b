"""Backendless relations (seed 002 `loadRelations` on find; Backendless' REST docs "Relations API":
set = POST, add = PUT, delete = DELETE `/data/<table>/<parentObjectId>/<relationName>`, children as a
JSON array of objectIds or `?whereClause=`, a new column declared as `name:Table:1` / `name:Table:n`;
"Single Step Retrieval" `loadRelations=a,a.b`, "Retrieval with Relation Depth" `relationsDepth`,
"Relation Paging" `GET .../<relationName>?pageSize&offset`). The JS SDK 8 sends exactly these."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.core.relations import MAX_DEPTH

from .conftest import Bl


@pytest.fixture
def master(org: dict[str, Any]) -> dict[str, str]:
    return {"master-key": org["credentials"]["master_key"]}


def _new(bl: Bl, table: str, **props: Any) -> str:
    r = bl("POST", f"/data/{table}", props)
    assert r.status_code == 200, r.body
    return str(r.json["objectId"])


def _ops(r: Any) -> dict[str, int]:
    """DynamoDB calls by operation, from the cost header (privileged callers get it)."""
    ops = dict(p.split("=", 1) for p in r.headers["X-Request-Cost"].split("; "))["ops"]
    return {k: int(v) for k, v in (o.split(":") for o in ops.split(",") if o)}


def test_one_to_one_set_load_and_delete(bl: Bl) -> None:
    city = _new(bl, "City", name="Oslo")
    other = _new(bl, "City", name="Bergen")
    person = _new(bl, "Person", name="Ann")
    r = bl("POST", f"/data/Person/{person}/home:City:1", [city])  # set; declares the column
    assert (r.status_code, r.val) == (200, 1), r.body
    plain = bl("GET", f"/data/Person/{person}").json
    assert "home" not in plain  # a relation column appears only when loaded
    got = bl("GET", f"/data/Person/{person}?loadRelations=home").json
    assert got["home"]["objectId"] == city and got["home"]["___class"] == "City" and got["home"]["name"] == "Oslo"
    # add to an occupied one-to-one is an error; set replaces
    r = bl("PUT", f"/data/Person/{person}/home", [other])
    assert r.status_code == 400 and set(r.json) >= {"code", "message"}
    assert bl("POST", f"/data/Person/{person}/home", [other]).val == 1
    assert bl("GET", f"/data/Person/{person}?loadRelations=home").json["home"]["name"] == "Bergen"
    assert [o["name"] for o in bl("GET", f"/data/Person/{person}/home").json] == ["Bergen"]  # two-step retrieval
    # saving the loaded object back (the SDK's save) leaves the relation alone, a null too
    loaded = bl("GET", f"/data/Person/{person}?loadRelations=home").json
    assert bl("PUT", f"/data/Person/{person}", {**loaded, "name": "Anne"}).status_code == 200
    assert bl("PUT", "/data/Person", {"objectId": person, "home": None}).status_code == 200
    assert bl("GET", f"/data/Person/{person}?loadRelations=home").json["home"]["objectId"] == other
    # delete: 0 for a child it does not hold, 1 for the one it holds; then it loads as null
    assert bl("DELETE", f"/data/Person/{person}/home", [city]).val == 0
    assert bl("DELETE", f"/data/Person/{person}/home", [other]).val == 1
    assert bl("GET", f"/data/Person/{person}?loadRelations=home").json["home"] is None


def test_one_to_many_add_set_delete_and_paging(bl: Bl) -> None:
    kids = [_new(bl, "Kid", n=i) for i in range(5)]
    parent = _new(bl, "Parent", name="p")
    assert bl("PUT", f"/data/Parent/{parent}/kids:Kid:n", kids[:3]).val == 3  # add, declaring the column
    assert bl("PUT", f"/data/Parent/{parent}/kids", kids[2:4] + ["no-such-id"]).val == 1  # held and unknown: not counted
    got = bl("GET", f"/data/Parent/{parent}?loadRelations=kids").json["kids"]
    assert [k["n"] for k in got] == [0, 1, 2, 3] and all(k["___class"] == "Kid" for k in got)  # order added
    page = bl("GET", f"/data/Parent/{parent}/kids?pageSize=2&offset=1").json
    assert [k["n"] for k in page] == [1, 2]
    desc = bl("GET", f"/data/Parent/{parent}/kids?sortBy=n%20desc&where=n%20%3E%200").json
    assert [k["n"] for k in desc] == [3, 2, 1]
    small = bl("GET", f"/data/Parent/{parent}?loadRelations=kids&relationsPageSize=2").json["kids"]
    assert len(small) == 2
    # set by a where clause replaces the members; delete by objectIds
    assert bl("POST", f"/data/Parent/{parent}/kids?whereClause=n%20%3E%3D%203", None).val == 1  # 3 held already
    assert sorted(k["n"] for k in bl("GET", f"/data/Parent/{parent}/kids").json) == [3, 4]
    assert bl("DELETE", f"/data/Parent/{parent}/kids", [kids[3], kids[0]]).val == 1
    assert [k["n"] for k in bl("GET", f"/data/Parent/{parent}?loadRelations=kids").json["kids"]] == [4]


def test_find_loads_a_page_of_relations_in_one_batch(bl: Bl, master: dict[str, str]) -> None:
    """k parents with to-one and to-many relations: the related objects of the whole page are read
    together (one batched read per level), so the cost does not grow with one read per object."""
    tags = [_new(bl, "Tag", t=f"t{i}") for i in range(3)]
    for i in range(6):
        city = _new(bl, "Town", name=f"c{i}")
        shop = _new(bl, "Store", n=i)
        bl("POST", f"/data/Store/{shop}/town:Town:1", [city])
        bl("PUT", f"/data/Store/{shop}/tags:Tag:n", tags)
    r = bl("GET", "/data/Store?sortBy=n&pageSize=6&loadRelations=town,tags", headers=master)
    assert r.status_code == 200, r.body
    assert [(s["n"], s["town"]["name"], len(s["tags"])) for s in r.json] == [(i, f"c{i}", 3) for i in range(6)]
    # 6 member Queries (one per parent, sent together) and ONE BatchGetItem for the 6 towns and 3 tags
    ops, plain = _ops(r), _ops(bl("GET", "/data/Store?sortBy=n&pageSize=6", headers=master))
    assert ops["BatchGetItem"] == plain["BatchGetItem"] + 1 and "GetItem" not in ops, (ops, plain)
    assert ops["Query"] == plain["Query"] + 6, (ops, plain)


def test_relations_depth_and_nested_paths(bl: Bl) -> None:
    country = _new(bl, "Country", name="NO")
    city = _new(bl, "City", name="Oslo")
    person = _new(bl, "Person", name="Ann")
    bl("POST", f"/data/City/{city}/country:Country:1", [country])
    bl("POST", f"/data/Person/{person}/home:City:1", [city])
    one = bl("GET", f"/data/Person/{person}?relationsDepth=1").json
    assert one["home"]["name"] == "Oslo" and "country" not in one["home"]
    two = bl("GET", f"/data/Person/{person}?relationsDepth=2").json
    assert two["home"]["country"]["name"] == "NO"
    nested = bl("GET", "/data/Person?loadRelations=home.country&where=name%3D'Ann'").json
    assert nested[0]["home"]["country"]["___class"] == "Country"
    body = bl("POST", "/data/Person/find", {"where": "name = 'Ann'", "loadRelations": ["home"]}).json
    assert body[0]["home"]["name"] == "Oslo" and "country" not in body[0]["home"]
    r = bl("GET", f"/data/Person/{person}?relationsDepth={MAX_DEPTH + 1}")
    assert r.status_code == 400 and r.json["code"] == 1017 and "relationsDepth" in r.json["message"]


def test_a_related_object_the_caller_may_not_read_is_not_revealed(bl: Bl, user: dict[str, Any],
                                                                   master: dict[str, str]) -> None:
    """Users may read only themselves: a relation to another user loads without it (a to-one as null),
    and the relation routes neither list it nor count it."""
    bob = bl("POST", "/users/register", {"email": "bob@acme.test", "password": "pw-bob"}).json["objectId"]
    team = _new(bl, "Team", name="t")
    r = bl("PUT", f"/data/Team/{team}/members:Users:n", [user["objectId"], bob], headers=master)
    assert r.val == 2, r.body
    bl("POST", f"/data/Team/{team}/captain:Users:1", [bob], headers=master)
    as_app = bl("GET", f"/data/Team/{team}?loadRelations=members,captain", headers=master).json
    assert {m["objectId"] for m in as_app["members"]} == {user["objectId"], bob}
    assert as_app["captain"]["___class"] == "Users" and "password" not in as_app["captain"]
    tok = user["user-token"]
    mine = bl("GET", f"/data/Team/{team}?loadRelations=members,captain", token=tok).json
    assert [m["objectId"] for m in mine["members"]] == [user["objectId"]] and mine["captain"] is None
    assert [m["objectId"] for m in bl("GET", f"/data/Team/{team}/members", token=tok).json] == [user["objectId"]]
    assert bl("GET", f"/data/Team/{team}/captain", token=tok).json == []
    assert b"bob@acme.test" not in bl("GET", "/data/Team?loadRelations=members,captain", token=tok).body
    # naming an unreadable child in a change does nothing and counts nothing
    other = _new(bl, "Team", name="u")
    assert bl("PUT", f"/data/Team/{other}/members", [bob], token=tok).val == 0


def test_bad_input_gets_backendless_errors(bl: Bl) -> None:
    person = _new(bl, "Person", name="Ann")
    city = _new(bl, "City", name="Oslo")
    for path, body in [
        (f"/data/Person/{person}/nosuch", [city]),  # neither an existing column nor name:Table:card
        (f"/data/Person/{person}/home:City:2", [city]),  # bad cardinality
        (f"/data/Person/{person}/home:City", [city]),
        (f"/data/Person/{person}/home:City:1", {"objectId": city}),  # not an array
        (f"/data/Person/{person}/home:City:1", [1, 2]),  # not objectId strings
        (f"/data/Person/{person}/home:City:1", None),  # no children at all
        (f"/data/Person/{person}/home:City:1", [city, _new(bl, "City", name="x")]),  # two for a one-to-one
    ]:
        r = bl("POST", path, body)
        assert r.status_code == 400 and set(r.json) >= {"code", "message"}, (path, r.body)
    bl("POST", f"/data/Person/{person}/home:City:1", [city])
    r = bl("POST", f"/data/Person/{person}/home:City:n", [city])  # disagrees with the column
    assert r.status_code == 400 and "one-to-one" in r.json["message"]
    r = bl("POST", f"/data/Person/{person}/name:City:1", [city])  # a plain column is not a relation
    assert r.status_code == 400
    for q in ("loadRelations=nosuch", "loadRelations=home..x", "relationsDepth=x", "relationsDepth=-1",
              "relationsPageSize=0", f"relationsPageSize={10**6}"):
        r = bl("GET", f"/data/Person/{person}?{q}")
        assert r.status_code == 400 and set(r.json) >= {"code", "message"}, (q, r.body)
        assert bl("GET", f"/data/Person?{q}").status_code == 400, q
    assert bl("GET", f"/data/Person/{person}/nosuch").status_code == 400
    r = bl("GET", "/data/Person?where=name%3D'nobody'&loadRelations=nosuch")  # nothing matches: still a 400
    assert (r.status_code, r.json["code"]) == (400, 1017)
    assert bl("GET", "/data/Person?where=name%3D'nobody'&loadRelations=home").json == []
    r = bl("GET", f"/data/Person/{'0' * 8}-0000-7000-8000-{'0' * 12}/home")
    assert (r.status_code, r.json["code"]) == (404, 1000)
    assert bl("POST", f"/data/Person/{person}/home:Bad-Name!:1", [city]).status_code == 400
    for reserved in ("created", "objectId", "ownerId", "uuid", "name", "a.b", "_x"):  # system or unique columns
        r = bl("POST", f"/data/Person/{person}/{reserved}:City:1", [city])
        assert r.status_code == 400 and set(r.json) >= {"code", "message"}, (reserved, r.body)
    assert bl("GET", f"/data/Person/{person}").json["name"] == "Ann"


def test_one_relation_seen_through_parse_and_usergrid(bl: Bl, api: Any, client: Any, org: dict[str, Any]) -> None:
    """A Backendless one-to-one is a Parse pointer (`include`), a one-to-many is the connections Usergrid
    lists and Parse's `$relatedTo` reads; a Parse `AddRelation` loads through Backendless."""
    from tests.parse.conftest import Parse

    creds = org["credentials"]
    parse = Parse(client, creds["uuid"], creds["rest_api_key"], creds["master_key"])
    city, kid = _new(bl, "City", name="Oslo"), _new(bl, "Kid", n=1)
    person = _new(bl, "Person", name="Ann")
    bl("POST", f"/data/Person/{person}/home:City:1", [city])
    bl("PUT", f"/data/Person/{person}/kids:Kid:n", [kid])
    got = parse.get(f"classes/Person/{person}", params={"include": "home"}).json
    assert got["home"]["__type"] == "Object" and got["home"]["name"] == "Oslo"
    assert got["kids"] == {"__type": "Relation", "className": "Kid"}
    related = {"$relatedTo": {"object": {"__type": "Pointer", "className": "Person", "objectId": person}, "key": "kids"}}
    assert [o["objectId"] for o in parse.find("Kid", related)] == [kid]
    ug = api.get(f"/usergrid/acme/prod/persons/{person}/kids", token=org["admin_token"]).json
    assert [e["uuid"] for e in ug["entities"]] == [kid]
    # the edge's verb is on both ends, as for a Usergrid connect: links show it, a delete unlinks it
    ann = api.get(f"/usergrid/acme/prod/persons/{person}", token=org["admin_token"]).json["entities"][0]
    assert "kids" in ann["metadata"]["connections"], ann["metadata"]
    child = api.get(f"/usergrid/acme/prod/kids/{kid}", token=org["admin_token"]).json["entities"][0]
    assert "kids" in child["metadata"]["connecting"], child["metadata"]
    # and back: a relation Parse adds is loaded by Backendless
    other = _new(bl, "Kid", n=2)
    ptr = {"__type": "Pointer", "className": "Kid", "objectId": other}
    assert parse.put(f"classes/Person/{person}", {"kids": {"__op": "AddRelation", "objects": [ptr]}}).status_code == 200
    assert [k["n"] for k in bl("GET", f"/data/Person/{person}?loadRelations=kids").json["kids"]] == [1, 2]


def test_loading_more_than_the_request_allows_is_a_400(bl: Bl, svc: Any) -> None:
    """BAAS_BUDGET_RELATED (core/budget.py `Limits.related`) bounds the related objects one request loads."""
    import dataclasses

    kids = [_new(bl, "Kid", n=i) for i in range(3)]
    parent = _new(bl, "Parent", name="p")
    bl("PUT", f"/data/Parent/{parent}/kids:Kid:n", kids)
    original = svc.settings
    svc.settings = dataclasses.replace(original, limits=dataclasses.replace(original.limits, related=2))
    try:
        r = bl("GET", f"/data/Parent/{parent}?loadRelations=kids")
        assert r.status_code == 400 and "related objects" in r.json["message"]
        assert len(bl("GET", f"/data/Parent/{parent}?loadRelations=kids&relationsPageSize=2").json["kids"]) == 2
    finally:
        svc.settings = original


def test_only_a_caller_who_may_update_the_parent_changes_its_relations(bl: Bl, user: dict[str, Any],
                                                                        master: dict[str, str]) -> None:
    note = bl("POST", "/data/Note", {"text": "ann's"}, token=user["user-token"]).json["objectId"]
    kid = _new(bl, "Kid", n=1)
    bl("POST", "/users/register", {"email": "bob@acme.test", "password": "pw-bob"})
    bob = bl("POST", "/users/login", {"login": "bob@acme.test", "password": "pw-bob"}).json["user-token"]
    for method, rel in (("PUT", "kids:Kid:n"), ("POST", "one:Kid:1")):
        r = bl(method, f"/data/Note/{note}/{rel}", [kid], token=bob)
        assert r.status_code in (401, 403) and set(r.json) >= {"code", "message"}, r.body
    assert bl("GET", f"/data/Note/{note}?relationsDepth=1", headers=master).json.keys().isdisjoint({"kids", "one"})
    assert bl("PUT", f"/data/Note/{note}/kids:Kid:n", [kid], token=user["user-token"]).val == 1  # the owner may


def test_a_racing_one_to_one_add_cannot_overwrite(bl: Bl, svc: Any, org: dict[str, Any]) -> None:
    """Two adds to an empty one-to-one that both read the parent empty: the second one's write is
    re-checked on the stored parent (it lost the version race) and refused, not written over the first."""
    from chalicelib.core.auth import Principal
    from chalicelib.core.entities import collection_key
    from chalicelib.core.relations import Relations
    from chalicelib.dialects.backendless.relations import resolve

    a, b = _new(bl, "City", name="A"), _new(bl, "City", name="B")
    person = _new(bl, "Person", name="Ann")
    people, cities = collection_key("Person"), collection_key("City")
    app = svc.tenancy.app_by_uuid(org["credentials"]["uuid"])
    data = svc.data(app, Principal("app", app.uuid, app.uuid))
    rel = Relations(data, resolve)
    col = rel.declare(people, "home", "City", False)
    stale = data.writable(people, person)  # both racers read it empty
    assert rel.change(people, person, col, [data.record(cities, a)], "add") == 1
    data.writable = lambda collection, ident: stale  # type: ignore[method-assign]  # the second racer's view
    with pytest.raises(InvalidInput, match="already holds"):
        rel.change(people, person, col, [data.record(cities, b)], "add")
    assert bl("GET", f"/data/Person/{person}?loadRelations=home").json["home"]["name"] == "A"


def test_deleting_a_member_removes_its_relation_items(bl: Bl, svc: Any, org: dict[str, Any]) -> None:
    """A one-to-many member's edge items go with it (both directions), as a Usergrid entity's do."""
    person, kids = _new(bl, "Person", name="Bo"), [_new(bl, "Kid", n=i) for i in range(3)]
    bl("PUT", f"/data/Person/{person}/kids:Kid:n", kids)
    assert bl("DELETE", f"/data/Kid/{kids[0]}").status_code == 200
    app = org["credentials"]["uuid"]
    hits, _ = svc.entities.store.query_index(f"{app}#conn#{person}#kids", "0", "\U0010ffff", False, None, 100)
    assert len(hits) == 2 and all(kids[0] not in h.sk for h in hits)
    gone, _ = svc.entities.store.query_index(f"{app}#connecting#{kids[0]}#kids", "0", "\U0010ffff", False, None, 100)
    assert gone == []
    assert [k["n"] for k in bl("GET", f"/data/Person/{person}?loadRelations=kids").json["kids"]] == [1, 2]
