"""`/parse/schemas`: fields as stored (any dialect), declared classes and fields, class-level permissions."""

from __future__ import annotations

from typing import Any

from .conftest import Parse

DATE = {"__type": "Date", "iso": "2024-05-01T10:00:00.000Z"}


def _schema(p: Parse, cls: str) -> dict[str, Any]:
    r = p.get(f"schemas/{cls}", master=True)
    assert r.status_code == 200, r.body
    return r.json  # type: ignore[no-any-return]


def test_master_key_only(parse: Parse) -> None:
    for path in ("schemas", "schemas/_User"):
        r = parse.get(path)
        assert r.status_code == 403 and r.json == {"error": "Permission denied"}, r.body
    r = parse.post("schemas/Team", {"fields": {}})
    assert r.status_code == 403


def test_built_in_classes_are_always_listed(parse: Parse) -> None:
    r = parse.get("schemas", master=True)
    assert r.status_code == 200, r.body
    by_name = {s["className"]: s for s in r.json["results"]}
    assert {"_User", "_Role"} <= set(by_name)
    user = by_name["_User"]["fields"]
    assert user["username"] == {"type": "String"} and user["objectId"] == {"type": "String"}
    assert user["createdAt"] == {"type": "Date"} and user["ACL"] == {"type": "ACL"}
    assert by_name["_Role"]["fields"]["users"] == {"type": "Relation", "targetClass": "_User"}
    assert by_name["_User"]["classLevelPermissions"]["find"] == {"*": True}


def test_fields_are_what_was_written_through_any_dialect(rest: Parse, svc: Any, org: dict[str, Any]) -> None:
    r = rest.post("classes/GameScore", {"score": 1337, "playerName": "Sean", "cheat": False, "when": DATE,
                                        "tags": ["a"], "meta": {"x": 1},
                                        "place": {"__type": "GeoPoint", "latitude": 1, "longitude": 2}})
    assert r.status_code == 201, r.body
    s = _schema(rest, "GameScore")
    assert s["className"] == "GameScore"
    f = s["fields"]
    assert (f["score"], f["playerName"], f["cheat"], f["when"], f["tags"], f["meta"], f["place"]) == (
        {"type": "Number"}, {"type": "String"}, {"type": "Boolean"}, {"type": "Date"}, {"type": "Array"},
        {"type": "Object"}, {"type": "GeoPoint"})
    assert "uuid" not in f and "created" not in f
    # a Usergrid collection is a Parse class with the fields its entities hold
    r = rest.c.http.post("/usergrid/acme/prod/items", headers={"Authorization": f"Bearer {org['admin_token']}",
                                                                 "Content-Type": "application/json"},
                         body='{"name": "milk", "price": 3.25}')
    assert r.status_code == 200, r.body
    names = {s["className"] for s in rest.get("schemas", master=True).json["results"]}
    assert {"GameScore", "items", "_User", "_Role"} <= names
    assert _schema(rest, "items")["fields"]["price"] == {"type": "Number"}


def test_declare_alter_and_drop_a_class(parse: Parse) -> None:
    r = parse.post("schemas/Team", {"className": "Team", "fields": {
        "city": {"type": "String"}, "owner": {"type": "Pointer", "targetClass": "_User"}}}, master=True)
    assert r.status_code == 200, r.body
    assert r.json["className"] == "Team" and r.json["fields"]["owner"] == {"type": "Pointer", "targetClass": "_User"}
    assert r.json["fields"]["objectId"] == {"type": "String"}
    assert parse.post("schemas/Team", {}, master=True).json["code"] == 103  # exists
    assert parse.post("schemas", {"className": "_User"}, master=True).json["code"] == 103
    r = parse.put("schemas/Team", {"fields": {"size": {"type": "Number"}, "city": {"__op": "Delete"}}}, master=True)
    assert r.status_code == 200, r.body
    assert "city" not in r.json["fields"] and r.json["fields"]["size"] == {"type": "Number"}
    assert parse.put("schemas/Team", {"fields": {"size": {"type": "String"}}}, master=True).json["code"] == 255
    assert parse.put("schemas/Team", {"fields": {"nope": {"__op": "Delete"}}}, master=True).json["code"] == 255
    assert parse.put("schemas/Ghost", {"fields": {}}, master=True).json["code"] == 103
    r = parse.delete("schemas/Team", master=True)
    assert r.status_code == 200 and r.json == {}, r.body
    r = parse.get("schemas/Team", master=True)
    assert r.status_code == 400 and r.json["code"] == 103, r.body


def test_bad_declarations_get_parse_codes(rest: Parse) -> None:
    cases = [({"fields": {"x": {"type": "Nope"}}}, 111), ({"fields": {"_x": {"type": "String"}}}, 105),
             ({"fields": {"p": {"type": "Pointer"}}}, 135), ({"className": "Other"}, 103),
             ({"fields": {"x": "String"}}, 107), ({"fields": {"objectId": {"type": "String"}}}, 105),
             ({"classLevelPermissions": {"find": {"*": "yes"}}}, 107),
             ({"classLevelPermissions": {"fly": {}}}, 107)]
    for body, code in cases:
        r = rest.post("schemas/Team", body, master=True)
        assert r.status_code == 400 and r.json["code"] == code, (body, r.body)
    r = rest.post("schemas/Bad-Name", {}, master=True)
    assert r.status_code == 400 and r.json["code"] == 103, r.body


def test_removing_a_field_removes_it_from_the_objects(rest: Parse) -> None:
    ids = [rest.post("classes/Note", {"text": f"t{i}", "secret": i}).json["objectId"] for i in range(3)]
    r = rest.put("schemas/Note", {"fields": {"secret": {"__op": "Delete"}}}, master=True)
    assert r.status_code == 200, r.body
    for i in ids:
        got = rest.get(f"classes/Note/{i}").json
        assert "secret" not in got and got["text"].startswith("t"), got


def test_a_non_empty_class_cannot_be_dropped_until_purged(rest: Parse) -> None:
    rest.post("classes/Crumb", {"n": 1})
    r = rest.delete("schemas/Crumb", master=True)
    assert r.status_code == 400 and r.json["code"] == 255 and "not empty" in r.json["error"], r.body
    assert rest.delete("purge/Crumb", master=True).json == {}
    assert rest.delete("schemas/Crumb", master=True).status_code == 200


def test_class_level_permissions_bind_every_dialect(rest: Parse, org: dict[str, Any]) -> None:
    rest.post("classes/Secret", {"v": 1})
    clp = {"find": {"requiresAuthentication": True}, "get": {"requiresAuthentication": True},
           "create": {}, "update": {}, "delete": {}, "addField": {}, "count": {"requiresAuthentication": True}}
    r = rest.put("schemas/Secret", {"classLevelPermissions": clp}, master=True)
    assert r.status_code == 200 and r.json["classLevelPermissions"]["create"] == {}, r.body
    assert _schema(rest, "Secret")["classLevelPermissions"]["find"] == {"requiresAuthentication": True}
    r = rest.get("classes/Secret")  # the REST key alone: not a logged-in user
    assert r.status_code == 400 and r.json["code"] == 119, r.body
    r = rest.post("classes/Secret", {"v": 2})
    assert r.status_code == 400 and r.json["code"] == 119, r.body
    assert rest.post("classes/Secret", {"v": 3}, master=True).status_code == 201  # the master key passes
    # the BEA dialect, on the same app and REST key, meets the same rule
    bea = {"X-BEA-Application-Id": rest.app_id, "X-BEA-Authorization": rest.key, "Content-Type": "application/json"}
    r = rest.c.http.get("/bea/1/Secret", headers=bea)
    assert r.status_code in (401, 403), r.body
    # a logged-in user may find, not create
    rest.post("users", {"username": "ann", "password": "pw-ann"})
    tok = rest.post("login", {"username": "ann", "password": "pw-ann"}).json["sessionToken"]
    assert len(rest.get("classes/Secret", session=tok).json["results"]) == 2
    assert rest.post("classes/Secret", {"v": 4}, session=tok).json["code"] == 119
    # back to open
    rest.put("schemas/Secret", {"classLevelPermissions": {}}, master=True)
    assert rest.post("classes/Secret", {"v": 5}).status_code == 201


def test_a_save_must_match_the_types_the_class_holds(rest: Parse) -> None:
    oid = rest.post("classes/Typed", {"n": 1, "when": DATE}).json["objectId"]
    r = rest.post("classes/Typed", {"n": "one"})
    assert r.status_code == 400 and r.json == {
        "code": 111, "error": "schema mismatch for Typed.n; expected Number but got String"}, r.body
    r = rest.put(f"classes/Typed/{oid}", {"when": "yesterday"})
    assert r.status_code == 400 and r.json["code"] == 111, r.body
    assert rest.put(f"classes/Typed/{oid}", {"n": 2, "extra": True}).status_code == 200
    assert rest.post("classes/Typed", {"n": None, "other": "x"}).status_code == 201  # null says nothing
