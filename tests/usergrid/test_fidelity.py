"""Usergrid 2.x behaviours a client sees (issue 13), each citing ../shared/protocols/usergrid.md.

Sections are the reference's: §3 collections and names, §4 ql, §5 errors, §6 feature areas; the
test names follow Usergrid's own REST integration tests where the reference's §8 lists one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.core.plural import collection_name, singularize

B = "/usergrid/acme/sandbox"


def q(ql: str) -> str:
    return quote(ql, safe="")


def names(r: Any, key: str = "name") -> list[Any]:
    assert r.status_code == 200, r.body
    return [e.get(key) for e in r.json["entities"]]


# -- §3 collections and names ---------------------------------------------------------------
@pytest.mark.parametrize(("segment", "collection", "type_"), [
    ("person", "people", "person"), ("people", "people", "person"), ("myperson", "mypeople", "myperson"),
    ("category", "categories", "category"), ("child", "children", "child"), ("equipment", "equipment", "equipment"),
    ("fish", "fish", "fish"), ("data", "data", "data"), ("analytics", "analytics", "analytics"),
    ("stadium", "stadiums", "stadium"), ("analysis", "analyses", "analysis"), ("matrix", "matrices", "matrix"),
    ("index", "indices", "index"), ("mouse", "mice", "mouse"), ("ox", "oxen", "ox"), ("quiz", "quizzes", "quiz"),
    ("bus", "buses", "bus"), ("status", "statuses", "status"), ("octopus", "octopi", "octopus"),
    ("knife", "knives", "knife"), ("tomato", "tomatoes", "tomato"), ("box", "boxes", "box"),
    ("Items", "items", "item"), ("users", "users", "user"), ("activity", "activities", "activity"),
])
def test_inflector(segment: str, collection: str, type_: str) -> None:
    """§3: type = singular of the lower-cased segment, collection = plural of the type."""
    assert collection_name(segment) == collection
    assert singularize(collection) == type_


def test_uncountable_and_irregular_collections_over_http(api: Any, org: dict[str, Any]) -> None:
    r = api.post(f"{B}/equipment", {"name": "drill"})
    assert r.json["path"] == "/equipment" and r.json["entities"][0]["type"] == "equipment"
    r = api.post(f"{B}/category", {"name": "food"})
    assert r.json["path"] == "/categories"
    assert names(api.get(f"{B}/categories")) == ["food"]


def test_entity_uri(api: Any, org: dict[str, Any]) -> None:
    """Seed 001 shows `uri` on each entity: the entity's own URL."""
    e = api.post(f"{B}/items", {"name": "milk"}).json["entities"][0]
    assert e["uri"].endswith(f"/acme/sandbox/items/{e['uuid']}")


def test_collection_addressable_by_uuid(api: Any, org: dict[str, Any]) -> None:
    """Seed 001: "Collection UUID or collection name"; the application entity lists the uuids."""
    api.post(f"{B}/items", {"name": "milk"})
    app = api.get(B).json["entities"][0]
    coll = app["metadata"]["collections"]["items"]
    assert coll["uuid"]
    assert names(api.get(f"{B}/{coll['uuid']}")) == ["milk"]
    assert api.get(f"{B}/{coll['uuid']}/milk").json["entities"][0]["name"] == "milk"


def test_user_with_empty_email(api: Any, org: dict[str, Any]) -> None:
    """Seed 000's example user sends `"email": ""`: a value like any other (§10)."""
    r = api.post(f"{B}/users", {"username": "john.doe", "email": "", "name": "John Doe", "password": "test1234"})
    assert r.status_code == 200, r.body
    assert r.json["entities"][0]["email"] == ""


def test_users_by_email(api: Any, org: dict[str, Any]) -> None:
    """UserResourceIT: a user is addressable by uuid, username and email."""
    u = api.post(f"{B}/users", {"username": "ann", "email": "Ann+x@Example.com"}).json["entities"][0]
    for ident in ("ann", u["uuid"], "ann+x@example.com", quote("Ann+x@Example.com")):
        r = api.get(f"{B}/users/{ident}")
        assert r.status_code == 200, (ident, r.body)
        assert r.json["entities"][0]["uuid"] == u["uuid"]
    assert api.put(f"{B}/users/ann+x@example.com", {"city": "Oslo"}).json["entities"][0]["city"] == "Oslo"


def test_username_me_is_refused(api: Any, org: dict[str, Any]) -> None:
    r = api.post(f"{B}/users", {"username": "Me"})
    assert r.status_code == 400 and r.json["error"] == "illegal_argument"


def test_group_path_with_space(api: Any, org: dict[str, Any]) -> None:
    """GroupResourceIT, §10: only letters, digits and -./ in a group path."""
    r = api.post(f"{B}/groups", {"path": "my group"})
    assert r.status_code == 400 and r.json["error"] == "illegal_argument"
    assert api.post(f"{B}/groups", {"path": "team/a-1.b"}).status_code == 200


def test_upsert_by_uuid_and_name(api: Any, org: dict[str, Any]) -> None:
    """DevicesResourceIT, §3: PUT to a missing uuid or name creates the entity with it."""
    uuid = "0190aaaa-bbbb-7ccc-8ddd-eeeeffff0001"
    r = api.put(f"{B}/devices/{uuid}", {"model": "x1"})
    assert r.status_code == 200, r.body
    assert r.json["entities"][0]["uuid"] == uuid
    assert api.get(f"{B}/devices/{uuid}").json["entities"][0]["model"] == "x1"
    r = api.put(f"{B}/items/cheese", {"price": 7})
    assert r.status_code == 200 and r.json["entities"][0]["name"] == "cheese"
    assert api.delete(f"{B}/devices/{uuid}").status_code == 200
    assert api.get(f"{B}/devices/{uuid}").status_code == 404
    assert api.put(f"{B}/devices/{uuid}", {"model": "x2"}).json["entities"][0]["uuid"] == uuid


# -- §4 ql -------------------------------------------------------------------------------
@pytest.fixture
def ordinals(api: Any, org: dict[str, Any]) -> None:
    api.post(f"{B}/things", [{"name": f"t{i}", "ordinal": i, "madeup": i >= 5, "verb": "go" if i % 2 else "stop",
                              "spec": {"size": i * 10, "colour": "red"}} for i in range(10)])


def test_symbolic_boolean_operators(api: Any, ordinals: None) -> None:
    """AndOrQueryTest: `&&` and `||` as well as the words, keywords in any case."""
    r = api.get(f"{B}/things?limit=20&ql={q('madeup = true && ordinal >= 8')}")
    assert sorted(names(r)) == ["t8", "t9"]
    r = api.get(f"{B}/things?limit=20&ql={q('ordinal = 1 || ordinal = 2')}")
    assert sorted(names(r)) == ["t1", "t2"]
    r = api.get(f"{B}/things?limit=20&ql={q('SELECT * WHERE ordinal GTE 2 AND ordinal lte 3 ORDER BY ordinal ASC')}")
    assert names(r) == ["t2", "t3"]


def test_property_names_in_any_case(api: Any, ordinals: None) -> None:
    """§4.1 (AndOrQueryTest's shorthand, SelectMappingsQueryTest's `testProp`/`TESTPROP`): the query is
    lower-cased, so property names match in any case, in conditions, `order by` and projections (which
    keep the stored spelling)."""
    ql = "Ordinal gte 0 and Ordinal lte 3 or WhoHelpedYou eq 'Ruff' ORDER BY Ordinal desc"
    assert names(api.get(f"{B}/things?ql={q(ql)}")) == ["t3", "t2", "t1", "t0"]
    assert names(api.get(f"{B}/things?ql={q('NAME = ' + repr('T4'))}")) == ["t4"]
    assert names(api.get(f"{B}/things?ql={q('Spec.Size = 50')}")) == ["t5"]
    assert sorted(names(api.get(f"{B}/things?ql={q('not MADEUP = true and ORDINAL > 2')}"))) == ["t3", "t4"]
    r = api.get(f"{B}/things?ql={q('select SPEC.SIZE, Name where ordinal = 6')}")
    e = r.json["entities"][0]
    assert e["spec"] == {"size": 60} and e["name"] == "t6"


def test_one_property_in_several_spellings(api: Any, org: dict[str, Any]) -> None:
    """§4.1/§4.3: Usergrid indexes every name lower-cased, so `Colour`, `colour` and `COLOUR` are one
    property to a query, nested ones too (`Spec.Size`, `spec.size`); `order by` sorts them together;
    each entity still shows its own spelling."""
    api.post(f"{B}/paints", [{"name": "a", "colour": "red", "rank": 3, "spec": {"size": 1}},
                             {"name": "b", "Colour": "red", "Rank": 1, "Spec": {"Size": 2}},
                             {"name": "c", "COLOUR": "blue", "rank": 2, "spec": {"Size": 3}}])
    got = api.get(f"{B}/paints?ql={q('colour = ' + repr('red'))}")
    assert sorted(names(got)) == ["a", "b"]
    assert {k for e in got.json["entities"] for k in e if k.lower() == "colour"} == {"colour", "Colour"}
    assert names(api.get(f"{B}/paints?ql={q('Colour = ' + repr('blue'))}")) == ["c"]
    assert names(api.get(f"{B}/paints?ql={q('order by RANK')}")) == ["b", "c", "a"]
    assert names(api.get(f"{B}/paints?ql={q('rank > 1 order by rank desc')}")) == ["a", "c"]
    assert names(api.get(f"{B}/paints?ql={q('spec.size >= 2 order by spec.size desc')}")) == ["c", "b"]
    assert sorted(names(api.get(f"{B}/paints?ql={q('colour = ' + repr('*'))}"))) == ["a", "b", "c"]
    assert names(api.get(f"{B}/paints?ql={q('not colour = ' + repr('red'))}")) == ["c"]
    r = api.get(f"{B}/paints?ql={q('select SPEC.size where name = ' + repr('b'))}")
    assert r.json["entities"][0]["Spec"] == {"Size": 2}
    # a connection list filters in any case too (it reads no index)
    api.post(f"{B}/users", {"username": "ann"})
    api.post(f"{B}/users/ann/likes/paints/b")
    assert names(api.get(f"{B}/users/ann/likes?ql={q('COLOUR = ' + repr('red'))}")) == ["b"]
    assert names(api.get(f"{B}/users/ann/likes?ql={q('spec.size = 2')}")) == ["b"]


def test_not_equal_is_a_parse_error(api: Any, ordinals: None) -> None:
    """BadGrammarQueryTest: `!=` is not in the language."""
    for bad in ("name != 'go'", "name != go", "!= 'go'", 'NOT name = "go"', "name 'go'"):
        r = api.get(f"{B}/things?ql={q(bad)}")
        assert r.status_code == 400, bad
        assert r.json["error"] in ("query_parse", "query_token"), bad
    assert names(api.get(f"{B}/things?ql={q('select * where limit = 5')}")) == []


def test_nested_projection_and_rename(api: Any, ordinals: None) -> None:
    """SelectMappingsQueryTest: `select spec.size` keeps nesting; `select {label: name}` renames."""
    r = api.get(f"{B}/things?ql={q('select spec.size, name where ordinal = 3')}")
    e = r.json["entities"][0]
    assert e["spec"] == {"size": 30} and e["name"] == "t3" and "verb" not in e and e["uuid"]
    r = api.get(f"{B}/things?ql={q('select {label: name, n: ordinal} where ordinal = 4')}")
    e = r.json["entities"][0]
    assert e["label"] == "t4" and e["n"] == 4 and "name" not in e


def test_limit_above_max_is_clamped(api: Any, ordinals: None) -> None:
    """§4.5: limit above 1000 is clamped; <= 0, empty or junk is the default."""
    assert len(names(api.get(f"{B}/things?limit=5000"))) == 10
    assert len(names(api.get(f"{B}/things?limit=0"))) == 10
    assert len(names(api.get(f"{B}/things?limit=abc"))) == 10


def test_put_ql_updates_every_match(api: Any, org: dict[str, Any]) -> None:
    """§10: PUT ?ql= updates every match (up to 1000), not one page."""
    api.post(f"{B}/pens", [{"name": f"p{i}", "colour": "blue"} for i in range(14)])
    r = api.put(f"{B}/pens?ql={q('colour = ' + repr('blue'))}", {"colour": "red"})
    assert r.status_code == 200 and len(r.json["entities"]) == 14
    assert len(names(api.get(f"{B}/pens?limit=50&ql={q(chr(39).join(['colour = ', 'red', '']))}"))) == 14
    r = api.put(f"{B}/pens?ql={q('colour = ' + repr('green'))}", {"colour": "x"})
    assert r.status_code == 404 and r.json["error"] == "service_resource_not_found"


def test_delete_collection_needs_ql_or_limit(api: Any, org: dict[str, Any]) -> None:
    """ExceptionResourceIT: DELETE on a collection without a query, or on the app, is a 405."""
    api.post(f"{B}/pens", {"name": "p"})
    r = api.delete(f"{B}/pens")
    assert r.status_code == 405 and r.json["error"] == "unsupported_service_operation"
    assert names(api.get(f"{B}/pens")) == ["p"]
    r = api.delete(B)
    assert r.status_code == 405 and set(r.json) >= {"error", "error_description", "exception", "timestamp", "duration"}
    assert api.delete(f"{B}/pens?limit=5").status_code == 200
    assert names(api.get(f"{B}/pens")) == []


# -- §5 errors -----------------------------------------------------------------------------
def test_error_strings_per_operation(api: Any, org: dict[str, Any]) -> None:
    missing = "0190aaaa-bbbb-7ccc-8ddd-eeeeffff0002"
    r = api.get(f"{B}/items/{missing}")
    assert r.status_code == 404 and r.json["error"] == "entity_not_found"
    assert r.json["error_description"] == f"Cannot find entity associated with uuid: {missing}"
    r = api.get(f"{B}/items/nothing")
    assert r.json["error"] == "entity_not_found" and r.json["error_description"] == "Cannot find entity with name: nothing"
    r = api.get(f"{B}/users/ghost")
    assert r.status_code == 404 and r.json["error"] == "service_resource_not_found"
    r = api.delete(f"{B}/items/nothing")
    assert r.status_code == 404 and r.json["error"] == "service_resource_not_found"
    for resp in (r, api.get(f"{B}/items/{missing}")):
        assert set(resp.json) == {"error", "error_description", "exception", "timestamp", "duration"}


# -- §6 feature areas ------------------------------------------------------------------------
def test_location_must_be_numeric(api: Any, org: dict[str, Any]) -> None:
    """BasicGeoTests: non-numeric coordinates are a 400 illegal_argument; numeric strings are fine."""
    r = api.post(f"{B}/stores", {"name": "a", "location": {"latitude": "fred", "longitude": "x"}})
    assert r.status_code == 400 and r.json["error"] == "illegal_argument"
    assert api.post(f"{B}/stores", {"name": "b", "location": {"latitude": "37.7", "longitude": -122.4}}).status_code == 200
    r = api.put(f"{B}/stores/b", {"location": {"latitude": 1, "longitude": True}})
    assert r.status_code == 400


def test_browser_accept_gets_json(api: Any, org: dict[str, Any]) -> None:
    """BrowserCompatibilityTest, §6.8: a browser's Accept gets the JSON entity, not the asset."""
    api.post(f"{B}/pictures", {"name": "cat"})
    assert api.put(f"{B}/pictures/cat", raw=b"\x89PNG....", headers={"Content-Type": "image/png"}).status_code == 200
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8"
    r = api.get(f"{B}/pictures/cat", headers={"Accept": browser})
    assert r.status_code == 200 and r.json["entities"][0]["name"] == "cat"
    r = api.get(f"{B}/pictures/cat", headers={"Accept": "application/octet-stream"})
    assert r.status_code == 200 and r.body == b"\x89PNG...."


def test_hierarchical_counters(api: Any, org: dict[str, Any]) -> None:
    """§10 (CounterUtils): an event counter `a.clicks` also counts into `a`."""
    api.post(f"{B}/events", {"timestamp": 0, "counters": {"button.clicks": 2}})
    api.post(f"{B}/events", {"timestamp": 0, "counters": {"button.views": 3}})
    r = api.get(f"{B}/counters?counter=button&counter=button.clicks&resolution=all")
    got = {c["name"]: sum(v["value"] for v in c["values"]) for c in r.json["counters"]}
    assert got == {"button": 5, "button.clicks": 2}


def test_role_users(api: Any, org: dict[str, Any]) -> None:
    """§6.2: GET /roles/{r}/users lists the role's users."""
    api.post(f"{B}/users", [{"username": "ann"}, {"username": "bob"}])
    api.post(f"{B}/roles", {"name": "editor"})
    assert api.post(f"{B}/roles/editor/users/ann").status_code == 200
    assert names(api.get(f"{B}/roles/editor/users"), "username") == ["ann"]
    api.delete(f"{B}/roles/editor/users/ann")
    assert names(api.get(f"{B}/roles/editor/users"), "username") == []


def test_connections_newest_first_and_one_connection(api: Any, org: dict[str, Any]) -> None:
    """ConnectionResourceTest: listed newest connection first, re-posting moves to the front;
    GET of one connection, 404 when not connected; DELETE of one connection keeps both entities."""
    api.post(f"{B}/users", {"username": "ann"})
    api.post(f"{B}/items", [{"name": "milk"}, {"name": "bread"}, {"name": "jam"}])
    for n in ("milk", "bread", "jam"):
        assert api.post(f"{B}/users/ann/likes/items/{n}").status_code == 200
    assert names(api.get(f"{B}/users/ann/likes")) == ["jam", "bread", "milk"]
    api.post(f"{B}/users/ann/likes/items/milk")  # re-connect: to the front
    assert names(api.get(f"{B}/users/ann/likes")) == ["milk", "jam", "bread"]
    r = api.get(f"{B}/users/ann/likes?limit=2")
    r2 = api.get(f"{B}/users/ann/likes?limit=2&cursor={r.json['cursor']}")
    assert names(r) + names(r2) == ["milk", "jam", "bread"] and "cursor" not in r2.json
    assert names(api.get(f"{B}/users/ann/likes/items/jam")) == ["jam"]
    jam = api.get(f"{B}/items/jam").json["entities"][0]
    assert names(api.get(f"{B}/users/ann/likes/{jam['uuid']}")) == ["jam"]
    api.post(f"{B}/items", {"name": "tea"})
    r = api.get(f"{B}/users/ann/likes/items/tea")
    assert r.status_code == 404 and r.json["error"] == "service_resource_not_found"
    assert api.delete(f"{B}/users/ann/likes/items/jam").status_code == 200
    assert names(api.get(f"{B}/users/ann/likes")) == ["milk", "bread"]
    assert api.get(f"{B}/users/ann/likes/items/jam").status_code == 404
    assert api.get(f"{B}/items/jam").status_code == 200
    assert names(api.get(f"{B}/items/milk/connecting/likes"), "username") == ["ann"]


def _meta(api: Any, path: str) -> dict[str, Any]:
    r = api.get(f"{B}/{path}")
    assert r.status_code == 200, r.body
    return dict(r.json["entities"][0]["metadata"])


def test_connection_links_in_metadata(api: Any, org: dict[str, Any]) -> None:
    """§2 and §6.4, CollectionMetadataIT / ConnectionResourceTest: `metadata.connections` maps each
    outbound verb to `{path}/{verb}`, `metadata.connecting` each inbound one to `{path}/connecting/{verb}`;
    `?connections=none|in|out|all` (junk = all) picks them on GET; the links lead to the lists."""
    ann = api.post(f"{B}/users", {"username": "ann"}).json["entities"][0]
    milk = api.post(f"{B}/items", {"name": "milk"}).json["entities"][0]
    assert "connections" not in milk["metadata"] and "connecting" not in _meta(api, "items/milk")
    r = api.post(f"{B}/users/ann/likes/items/milk")
    assert r.json["entities"][0]["metadata"]["connecting"] == {"likes": f"/users/ann/likes/{milk['uuid']}/connecting/likes"}
    api.post(f"{B}/users/ann/owns/items/milk")
    a = _meta(api, "users/ann")
    assert a["connections"] == {"likes": f"/users/{ann['uuid']}/likes", "owns": f"/users/{ann['uuid']}/owns"}
    assert "connecting" not in a
    m = _meta(api, f"items/{milk['uuid']}")
    assert m["connecting"] == {"likes": f"/items/{milk['uuid']}/connecting/likes",
                               "owns": f"/items/{milk['uuid']}/connecting/owns"}
    assert names(api.get(f"{B}{a['connections']['likes']}")) == ["milk"]
    assert names(api.get(f"{B}{m['connecting']['likes']}"), "username") == ["ann"]
    listed = api.get(f"{B}/items").json["entities"][0]["metadata"]  # listings carry them too
    assert set(listed["connecting"]) == {"likes", "owns"}
    assert set(_meta(api, "users/ann?connections=none")) == {"path"}
    assert set(_meta(api, "items/milk?connections=out")) == {"path"}
    assert set(_meta(api, "items/milk?connections=in")) == {"path", "connecting"}
    assert set(_meta(api, "items?connections=junk")) == {"path", "connecting"}
    # the last connection of a verb gone: its link goes too (both ends)
    api.delete(f"{B}/users/ann/owns/items/milk")
    assert set(_meta(api, "users/ann")["connections"]) == {"likes"}
    assert set(_meta(api, "items/milk")["connecting"]) == {"likes"}
    # a group's users and a user's activities are Usergrid collections, not connections: no links
    api.post(f"{B}/groups", {"path": "staff"})
    api.post(f"{B}/groups/staff/users/ann")
    api.post(f"{B}/users/ann/activities", {"verb": "post", "content": "hi"})
    assert "connections" not in _meta(api, "groups/staff")
    assert set(_meta(api, "users/ann")["connections"]) == {"likes"} and "connecting" not in _meta(api, "users/ann")
    # a verb shown still lets the entity be updated (its version moved with the verb)
    assert api.put(f"{B}/users/ann", {"city": "Oslo"}).json["entities"][0]["metadata"]["connections"]
    assert set(_meta(api, "users/ann")["connections"]) == {"likes"}


def test_deleting_either_end_removes_its_connections(api: Any, org: dict[str, Any], svc: Any) -> None:
    """§6.4 "Deleting either end removes the connection" (ConnectionResourceTest): the edge items go
    both ways, the other end's link goes with its last edge, and a uuid used again starts clean."""
    api.post(f"{B}/users", [{"username": "ann"}, {"username": "bob"}])
    api.post(f"{B}/items", [{"name": "milk"}, {"name": "jam"}])
    for who, what in (("ann", "milk"), ("ann", "jam"), ("bob", "milk")):
        api.post(f"{B}/users/{who}/likes/items/{what}")
    milk = api.get(f"{B}/items/milk").json["entities"][0]
    ann = api.get(f"{B}/users/ann").json["entities"][0]
    assert api.delete(f"{B}/items/milk").status_code == 200
    assert names(api.get(f"{B}/users/ann/likes")) == ["jam"]
    assert names(api.get(f"{B}/users/bob/likes")) == []
    assert "connections" not in _meta(api, "users/bob")  # bob's only edge went with milk
    app = org["app_uuid"] if "app_uuid" in org else api.get(f"{B}").json["application"]
    store = svc.connections.store
    for part in (f"{app}#connecting#{milk['uuid']}#likes", f"{app}#connectingt#{milk['uuid']}#likes"):
        assert store.query_index(part, "0", "\U0010ffff", False, None, 10)[0] == []
    # the source deleted: its outbound edges go, and the target's inbound list no longer names it
    api.delete(f"{B}/users/ann")
    assert names(api.get(f"{B}/items/jam/connecting/likes"), "username") == []
    assert "connecting" not in _meta(api, "items/jam")
    for part in (f"{app}#conn#{ann['uuid']}#likes", f"{app}#connt#{ann['uuid']}#likes"):
        assert store.query_index(part, "0", "\U0010ffff", False, None, 10)[0] == []
    # PUT to the deleted uuid creates a new entity with it (§6.9 upsert): no old connection shows
    assert api.put(f"{B}/items/{milk['uuid']}", {"name": "milk2"}).status_code == 200
    assert names(api.get(f"{B}/items/{milk['uuid']}/connecting/likes"), "username") == []
    assert "connecting" not in _meta(api, f"items/{milk['uuid']}")


def test_deleting_a_much_connected_entity_finishes_in_a_task(api: Any, org: dict[str, Any], svc: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Deletion is bounded: past SYNC_EDGES edges the rest is unlinked by a task (core/tasks.py); the
    lists never show the deleted entity meanwhile."""
    from chalicelib.core import connections

    monkeypatch.setattr(connections, "SYNC_EDGES", 2)
    api.post(f"{B}/items", {"name": "hub"})
    api.post(f"{B}/users", [{"username": f"u{i}"} for i in range(5)])
    for i in range(5):
        api.post(f"{B}/users/u{i}/likes/items/hub")
    hub = api.get(f"{B}/items/hub").json["entities"][0]
    assert api.delete(f"{B}/items/hub").status_code == 200
    for i in range(5):
        assert names(api.get(f"{B}/users/u{i}/likes")) == []
    assert svc.tasks.dispatcher.threads  # the rest went to a task
    svc.tasks.dispatcher.join()
    app = api.get(f"{B}").json["application"]
    assert svc.connections.store.query_index(f"{app}#connecting#{hub['uuid']}#likes", "0", "\U0010ffff",
                                             False, None, 10)[0] == []
    for i in range(5):
        assert "connections" not in _meta(api, f"users/u{i}")


def test_bulk_delete_of_connected_entities_stays_in_budget(api: Any, org: dict[str, Any], svc: Any) -> None:
    """A `DELETE ?ql=` of many connected entities unlinks in the request only what its call budget
    (core/budget.py) leaves room for; the rest goes to tasks: the delete succeeds, lists stay clean."""
    import dataclasses

    api.post(f"{B}/items", [{"name": f"i{i}", "kind": "x"} for i in range(6)])
    api.post(f"{B}/users", [{"username": f"u{i}"} for i in range(4)])
    for i in range(6):
        for u in range(4):
            api.post(f"{B}/users/u{u}/likes/items/i{i}")
    original = svc.settings
    svc.settings = dataclasses.replace(original, limits=dataclasses.replace(original.limits, calls=60))
    try:
        r = api.delete(f"{B}/items?ql={q('kind = ' + repr('x'))}&limit=6")
    finally:
        svc.settings = original
    assert r.status_code == 200, r.body
    assert len(r.json["entities"]) == 6
    for u in range(4):
        assert names(api.get(f"{B}/users/u{u}/likes")) == []
    svc.tasks.dispatcher.join()
    for u in range(4):
        assert "connections" not in _meta(api, f"users/u{u}")


# -- §1 and §6.4: every verb at once, `/{c}/{e}/connections` and `/{c}/{e}/connecting` ------------
def _connect_all(api: Any, plan: list[tuple[str, str]]) -> None:
    """ann connects to items in this order: (verb, item name) pairs."""
    for verb, item in plan:
        assert api.post(f"{B}/users/ann/{verb}/items/{item}").status_code == 200


def test_all_connections_newest_first_across_verbs(api: Any, org: dict[str, Any]) -> None:
    """§1 "`.../connections` GET all outbound; `.../connecting` = all inbound" (Usergrid 1.x's
    AbstractConnectionsService.getCollection with no connection type: every type's entities; 2.x's
    code path throws there, see README). Merged newest connection first as the per-verb lists
    (ConnectionResourceTest): re-connecting by any verb moves that connection to the front; an entity
    connected by two verbs is listed once per connection; Usergrid's collections are not connections."""
    api.post(f"{B}/users", {"username": "ann"})
    api.post(f"{B}/items", [{"name": n} for n in ("milk", "bread", "jam", "tea")])
    _connect_all(api, [("likes", "milk"), ("owns", "bread"), ("wants", "jam"), ("likes", "bread"), ("owns", "tea")])
    r = api.get(f"{B}/users/ann/connections")
    assert names(r) == ["tea", "bread", "jam", "bread", "milk"]
    assert r.json["action"] == "get" and r.json["path"] == "/users/ann/connections" and r.json["count"] == 5
    assert "cursor" not in r.json
    assert r.json["entities"][0]["metadata"]["connecting"] == {
        "owns": f"/users/ann/connections/{r.json['entities'][0]['uuid']}/connecting/owns"}
    _connect_all(api, [("likes", "milk")])  # re-connect: to the front
    assert names(api.get(f"{B}/users/ann/connections")) == ["milk", "tea", "bread", "jam", "bread"]
    # ql filters the merged list, as on a per-verb list (§6.4 "ql works here too")
    assert names(api.get(f"{B}/users/ann/connections?ql={q(chr(39).join(['name = ', 'bread', '']))}")) == [
        "bread", "bread"]
    # inbound, every verb: who connected to bread, by any verb
    api.post(f"{B}/users", {"username": "bob"})
    assert api.post(f"{B}/users/bob/wants/items/bread").status_code == 200
    r = api.get(f"{B}/items/bread/connecting")
    assert names(r, "username") == ["bob", "ann", "ann"] and r.json["path"] == "/items/bread/connecting"
    assert names(api.get(f"{B}/items/tea/connecting"), "username") == ["ann"]
    # nothing connected: an empty list, not an error
    assert names(api.get(f"{B}/users/bob/connecting")) == []
    assert names(api.get(f"{B}/items/milk/connections")) == []
    # a group's users are a Usergrid collection, not a connection: not listed
    api.post(f"{B}/groups", {"path": "staff"})
    assert api.post(f"{B}/groups/staff/users/ann").status_code == 200
    assert names(api.get(f"{B}/groups/staff/connections")) == []
    assert names(api.get(f"{B}/users/ann/connections")) == ["milk", "tea", "bread", "jam", "bread"]
    # the generic verb `connection` is a connection (1.x's ConnectionTypesIterator reads every type),
    # though AbstractService.getConnectedTypesSet leaves it out of the links
    assert api.post(f"{B}/users/ann/connection/items/jam").status_code == 200
    assert names(api.get(f"{B}/users/ann/connections?limit=1")) == ["jam"]
    assert set(_meta(api, "users/ann")["connections"]) == {"likes", "owns", "wants"}


def test_all_connections_page_with_cursor_across_verbs(api: Any, org: dict[str, Any]) -> None:
    """§4.5 `limit` and `cursor` on the merged list: pages resume across verbs, each connection once,
    the last page has no cursor; the same entity by two verbs at once is not lost at a page break."""
    api.post(f"{B}/users", {"username": "ann"})
    api.post(f"{B}/items", [{"name": f"i{i}"} for i in range(7)])
    plan = [(("likes", "owns", "wants")[i % 3], f"i{i}") for i in range(7)] + [("wants", "i0"), ("owns", "i6")]
    _connect_all(api, plan)
    full = names(api.get(f"{B}/users/ann/connections?limit=50"))
    assert full == ["i6", "i0", "i6", "i5", "i4", "i3", "i2", "i1", "i0"]
    for size in (1, 2, 4):
        got, cursor = [], ""
        for _ in range(20):
            r = api.get(f"{B}/users/ann/connections?limit={size}" + (f"&cursor={cursor}" if cursor else ""))
            got += names(r)
            assert len(names(r)) <= size
            cursor = r.json.get("cursor", "")
            if not cursor:
                break
        assert got == full, size
    # inbound pages too
    api.post(f"{B}/users", [{"username": "bob"}, {"username": "cy"}])
    for who, verb in (("bob", "likes"), ("cy", "owns"), ("bob", "owns")):
        api.post(f"{B}/users/{who}/{verb}/items/i3")
    r = api.get(f"{B}/items/i3/connecting?limit=2")
    r2 = api.get(f"{B}/items/i3/connecting?limit=2&cursor={r.json['cursor']}")
    assert names(r, "username") + names(r2, "username") == ["bob", "cy", "bob", "ann"] and "cursor" not in r2.json


def test_all_connections_hide_what_the_caller_may_not_read(api: Any, org: dict[str, Any]) -> None:
    """§6.2: the listing shows only entities the caller may read, as the per-verb lists do
    (AbstractConnectionsService checks each entity): another user's record is left out, unsaid."""
    P = "/usergrid/acme/prod"
    creds = org["credentials"]["credentials"]
    app_token = api.post(f"{P}/token", {"grant_type": "client_credentials", **creds}).json["access_token"]
    for name in ("ann", "bob"):
        api.post(f"{P}/users", {"username": name, "password": f"pw-{name}"}, token=app_token)
    ann = api.post(f"{P}/token", {"grant_type": "password", "username": "ann", "password": "pw-ann"}).json[
        "access_token"]
    api.post(f"{P}/items", {"name": "box"}, token=app_token)
    for verb, user in (("holds", "ann"), ("holds", "bob"), ("seenby", "bob")):
        assert api.post(f"{P}/items/box/{verb}/users/{user}", token=app_token).status_code == 200
    assert names(api.get(f"{P}/items/box/connections", token=app_token), "username") == ["bob", "bob", "ann"]
    r = api.get(f"{P}/items/box/connections", token=ann)
    assert names(r, "username") == ["ann"] and "cursor" not in r.json
    r = api.get(f"{P}/items/box/connections?limit=1", token=ann)  # hidden ones are skipped, not counted
    assert names(r, "username") == ["ann"]
    assert api.get(f"{P}/items/box/connections").status_code == 401  # no token: the app is private
    # `me` is the caller: ann's inbound connections, as ann sees them
    assert names(api.get(f"{P}/users/me/connecting", token=ann)) == ["box"]
    assert api.get(f"{P}/users/bob/connecting", token=ann).status_code == 403  # bob's record is not hers


def test_all_connections_never_show_a_deleted_entity(api: Any, org: dict[str, Any]) -> None:
    """§6.4 "Deleting either end removes the connection": gone from the merged lists both ways."""
    api.post(f"{B}/users", [{"username": "ann"}, {"username": "bob"}])
    api.post(f"{B}/items", [{"name": "milk"}, {"name": "jam"}])
    _connect_all(api, [("likes", "milk"), ("owns", "jam"), ("wants", "milk")])
    api.post(f"{B}/users/bob/likes/items/jam")
    assert api.delete(f"{B}/items/milk").status_code == 200
    assert names(api.get(f"{B}/users/ann/connections")) == ["jam"]
    assert api.delete(f"{B}/users/ann").status_code == 200
    assert names(api.get(f"{B}/items/jam/connecting"), "username") == ["bob"]
    assert api.get(f"{B}/users/ann/connections").status_code == 404


def test_connections_word_before_a_verb(api: Any, org: dict[str, Any]) -> None:
    """ServiceContext.getNextServiceRequests drops `connections` before a name, so
    `/users/ann/connections/likes[/<uuid>]` is `/users/ann/likes[/<uuid>]` (ActivitiesServiceIT posts
    `users/<b>/connections/following/<a>`): list, connect, get one, disconnect."""
    api.post(f"{B}/users", [{"username": "ann"}, {"username": "bob"}])
    bob = api.get(f"{B}/users/bob").json["entities"][0]
    assert api.post(f"{B}/users/ann/connections/following/{bob['uuid']}").status_code == 200
    assert names(api.get(f"{B}/users/ann/following"), "username") == ["bob"]
    assert names(api.get(f"{B}/users/ann/connections/following"), "username") == ["bob"]
    assert names(api.get(f"{B}/users/ann/connections/following/{bob['uuid']}"), "username") == ["bob"]
    assert names(api.get(f"{B}/users/bob/connecting/following"), "username") == ["ann"]
    assert api.delete(f"{B}/users/ann/connections/following/{bob['uuid']}").status_code == 200
    assert api.get(f"{B}/users/ann/connections/following/{bob['uuid']}").status_code == 404
    assert names(api.get(f"{B}/users/ann/connections")) == []
    # UsersService replaces `followers` with `connecting/following`
    assert api.post(f"{B}/users/bob/following/users/ann").status_code == 200
    assert names(api.get(f"{B}/users/ann/followers"), "username") == ["bob"]
    assert names(api.get(f"{B}/users/ann/connecting"), "username") == ["bob"]
    # the listings' names are not verbs: connecting with one is a 400 (its list could not be read)
    for path in (f"connections/{bob['uuid']}", "connecting/users/bob", f"connecting/{bob['uuid']}"):
        r = api.post(f"{B}/users/ann/{path}")
        assert r.status_code == 400 and r.json["error"] == "illegal_argument", (path, r.body)


@pytest.mark.parametrize("cursor", ["garbage", "a.b", "x" * 5000, "%00", "eyJ9.AAAA"])
def test_all_connections_hostile_cursor_is_a_400(api: Any, org: dict[str, Any], cursor: str) -> None:
    """§5: a cursor we did not hand out is a 400 in Usergrid's envelope, never a 500."""
    api.post(f"{B}/users", {"username": "ann"})
    api.post(f"{B}/items", {"name": "milk"})
    _connect_all(api, [("likes", "milk")])
    for path in ("users/ann/connections", "items/milk/connecting"):
        r = api.get(f"{B}/{path}?cursor={quote(cursor)}")
        assert r.status_code == 400, r.body
        assert {"error", "error_description", "exception", "timestamp", "duration"} <= set(r.json)


def test_all_connections_cursor_of_another_list_or_app_and_odd_limits(api: Any, org: dict[str, Any]) -> None:
    """A per-verb list's cursor is not an all-verbs one (and back): 400; `limit` junk is the default,
    above 1,000 clamped (§4.5), never refused."""
    api.post(f"{B}/users", {"username": "ann"})
    api.post(f"{B}/items", [{"name": f"i{i}"} for i in range(12)])
    _connect_all(api, [(("likes", "owns")[i % 2], f"i{i}") for i in range(12)])
    verb_cursor = api.get(f"{B}/users/ann/likes?limit=1").json["cursor"]
    all_cursor = api.get(f"{B}/users/ann/connections?limit=1").json["cursor"]
    assert api.get(f"{B}/users/ann/connections?cursor={verb_cursor}").status_code == 400
    assert api.get(f"{B}/users/ann/likes?cursor={all_cursor}").status_code == 400
    assert api.get(f"{B}/items/i0/connecting?cursor={all_cursor}").status_code == 200  # signed for this app
    r = api.get(f"{B}/users/ann/connections?ql={q('select * where (')}")
    assert r.status_code == 400 and r.json["error"], r.body
    for limit, n in (("abc", 10), ("-5", 10), ("0", 10), ("100000", 12), ("3", 3)):
        assert len(names(api.get(f"{B}/users/ann/connections?limit={limit}"))) == n, limit
