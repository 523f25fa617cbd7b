"""A field set to `null` through /parse: stored and read back as `null`, as Parse Server on Mongo does.

Parse Server 9 on Mongo writes `{"f": null}` as a null value on create (`parseObjectToMongoObjectForCreate`
keeps every value but `undefined`) and as `$set: {f: null}` on update (`transformUpdate`), and reads
it back as `"f": null` (`mongoObjectToParseObject`); the JS SDK then holds `obj.get("f") === null`
and `obj.has("f") === true`. Only `{"__op": "Delete"}` removes a field. (Parse on Postgres drops
null columns when it reads; ../shared/protocols/parse.md section 7 names Mongo's way the reference.)
"""

from __future__ import annotations

from .conftest import Parse


def test_null_on_create_and_update_reads_back_as_null(parse: Parse) -> None:
    oid = parse.post("classes/Pet", {"name": "Rex", "owner": None}).json["objectId"]
    got = parse.get(f"classes/Pet/{oid}").json
    assert "owner" in got and got["owner"] is None
    assert parse.put(f"classes/Pet/{oid}", {"name": None}).status_code == 200
    got = parse.get(f"classes/Pet/{oid}").json
    assert got["name"] is None and got["owner"] is None
    # as on Mongo: `where {"f": null}` matches a null and a missing field, `$exists: true` only the null
    tom = parse.post("classes/Pet", {"name": "Tom"}).json["objectId"]
    assert {o["objectId"] for o in parse.find("Pet", {"owner": None})} == {oid, tom}
    assert [o["objectId"] for o in parse.find("Pet", {"owner": {"$exists": True}})] == [oid]
    # Delete removes the field: it is absent, not null
    parse.put(f"classes/Pet/{oid}", {"owner": {"__op": "Delete"}})
    assert "owner" not in parse.get(f"classes/Pet/{oid}").json


def test_null_over_a_typed_field_is_not_a_type_mismatch(parse: Parse) -> None:
    oid = parse.post("classes/Score", {"n": 3}).json["objectId"]
    r = parse.put(f"classes/Score/{oid}", {"n": None})
    assert r.status_code == 200, r.body
    assert parse.get(f"classes/Score/{oid}").json["n"] is None
    assert parse.put(f"classes/Score/{oid}", {"n": 4}).status_code == 200


def test_batch_creates_keep_nulls(parse: Parse) -> None:
    reqs = [{"method": "POST", "path": "/parse/classes/Box", "body": {"label": None, "i": i}} for i in range(2)]
    r = parse.post("batch", {"requests": reqs})
    assert r.status_code == 200, r.body
    ids = [x["success"]["objectId"] for x in r.json]
    for oid in ids:
        got = parse.get(f"classes/Box/{oid}").json
        assert "label" in got and got["label"] is None


def test_users_signed_up_with_null_fields(rest: Parse) -> None:
    """A null `email` is stored as null and claims no unique value: two such users sign up and log in."""
    for name in ("nu1", "nu2"):
        r = rest.post("users", {"username": name, "password": "pw", "email": None, "phone": None})
        assert r.status_code == 201, r.body
    me = rest.get("users/me", session=r.json["sessionToken"])
    assert me.status_code == 200 and me.json.get("email") is None and me.json["phone"] is None, me.body
    assert rest.post("login", {"username": "nu2", "password": "pw"}).status_code == 200
