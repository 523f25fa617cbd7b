"""The class registry (fields as written, any dialect) and class-level permissions in the core policy."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.auth import Principal
from chalicelib.core.classes import infer
from chalicelib.core.errors import Forbidden, InvalidInput, Unauthorized
from chalicelib.core.query import Query


def _app(svc: Any) -> Any:
    svc.tenancy.signup(organization="o", username="adm", name="A", email="a@o.test", password="pw-pw-pw")
    org = svc.tenancy.org("o")
    return svc.tenancy.create_app(org, "prod")


def test_types_are_inferred_as_parse_names_them() -> None:
    assert infer("x") == {"type": "String"} and infer(2.5) == {"type": "Number"} and infer(True) == {"type": "Boolean"}
    assert infer([1]) == {"type": "Array"} and infer({"a": 1}) == {"type": "Object"} and infer(None) is None
    assert infer({"__type": "Date", "iso": "2020-01-01T00:00:00.000Z"}) == {"type": "Date"}
    assert infer({"__type": "Pointer", "className": "_User", "objectId": "x"}) == {"type": "Pointer",
                                                                                   "targetClass": "_User"}
    assert infer({"__type": "GeoPoint", "latitude": 1, "longitude": 2}) == {"type": "GeoPoint"}


def test_every_write_registers_its_new_fields_once(svc: Any) -> None:
    app = _app(svc)
    data = svc.data(app, Principal("app", app.uuid, app.uuid))
    rec = data.create_record("things", {"name": "a", "n": 1, "when": {"__type": "Date", "iso": "2020-01-01T00:00:00Z"}})
    fields = svc.classes.get(app.uuid, "things")["fields"]
    assert fields == {"name": {"type": "String"}, "n": {"type": "Number"}, "when": {"type": "Date"}}
    data.update_record("things", rec.uuid, {"tags": ["x"], "n": "now a string"})
    fields = svc.classes.get(app.uuid, "things")["fields"]
    assert fields["tags"] == {"type": "Array"} and fields["n"] == {"type": "Number"}  # the first type stays
    assert svc.classes.mismatches(app.uuid, "things", {"n": "x", "name": "b"}) == [("n", "Number", "String")]
    from chalicelib.storage import meter

    m = meter.start()
    data.create_record("things", {"name": "b", "n": 2})  # nothing new: no registry call
    assert "tenants" not in str(m.calls) and m.calls.get("GetItem", 0) == 0, m.calls


def test_declared_fields_can_be_altered_and_dropped(svc: Any) -> None:
    app = _app(svc)
    reg = svc.classes
    reg.define(app.uuid, "games", "Game", {"score": {"type": "Number"}})
    with pytest.raises(Exception, match="already exists"):
        reg.define(app.uuid, "games", "Game", {})
    got = reg.alter(app.uuid, "games", {"who": {"type": "Pointer", "targetClass": "_User"}}, ["score"])
    assert got["fields"] == {"who": {"type": "Pointer", "targetClass": "_User"}} and got["className"] == "Game"
    with pytest.raises(InvalidInput, match="exists, cannot update"):
        reg.alter(app.uuid, "games", {"who": {"type": "String"}}, [])
    with pytest.raises(InvalidInput, match="does not exist, cannot delete"):
        reg.alter(app.uuid, "games", {}, ["nope"])
    reg.drop(app.uuid, "games")
    assert reg.get(app.uuid, "games") is None


def test_class_level_permissions_gate_every_caller_but_the_app(svc: Any) -> None:
    app = _app(svc)
    perms = svc.permissions
    as_app = svc.data(app, Principal("app", app.uuid, app.uuid))
    ann = as_app.create_record("users", {"username": "ann"}).uuid
    bob = as_app.create_record("users", {"username": "bob"}).uuid
    item = as_app.create_record("items", {"v": 1})
    perms.set_class_permissions(app.uuid, "items", {"find": {"role:Mods": True}, "get": {ann: True},
                                                    "create": {"requiresAuthentication": True}, "update": {},
                                                    "delete": {"*": True}})
    perms.ensure_role(app.uuid, "mods")
    perms.assign(app.uuid, bob, "mods")
    perms._cache.clear()
    as_ann = svc.data(app, Principal("user", ann, app.uuid))
    as_bob = svc.data(app, Principal("user", bob, app.uuid))
    as_key = svc.data(app, Principal("key", None, app.uuid))
    assert as_ann.record("items", item.uuid).uuid == item.uuid  # get: ann by id
    with pytest.raises(Forbidden):
        as_ann.query("items", Query())  # find: mods only
    assert len(as_bob.query("items", Query()).records) == 1
    as_bob.create_record("items", {"v": 2})  # create: any logged-in user
    with pytest.raises(Forbidden):
        as_key.create_record("items", {"v": 3})
    with pytest.raises((Forbidden, Unauthorized)):
        as_bob.update_record("items", item.uuid, {"v": 9})  # update: {} = nobody but the app
    as_app.update_record("items", item.uuid, {"v": 9})
    perms.set_class_permissions(app.uuid, "items", None)
    assert perms.class_permissions(app.uuid, "items") is None


def test_add_field_permission_stops_new_fields_only(svc: Any) -> None:
    app = _app(svc)
    as_app = svc.data(app, Principal("app", app.uuid, app.uuid))
    ann = as_app.create_record("users", {"username": "ann"}).uuid
    as_app.create_record("notes", {"text": "a"})
    svc.permissions.set_class_permissions(app.uuid, "notes", {"addField": {}})
    as_ann = svc.data(app, Principal("user", ann, app.uuid))
    as_ann.create_record("notes", {"text": "b"})
    with pytest.raises(Forbidden, match="addField"):
        as_ann.create_record("notes", {"text": "c", "extra": 1})


@pytest.mark.parametrize("clp", [{"fnd": {}}, {"find": {"*": 1}}, {"find": []}, {"find": {"bad key!": True}},
                                 {"readUserFields": "x"}, {"protectedFields": {"*": "x"}}])
def test_invalid_class_level_permissions_are_refused(svc: Any, clp: Any) -> None:
    with pytest.raises(InvalidInput):
        svc.permissions.set_class_permissions("a", "items", clp)


def test_concurrent_writers_of_new_fields_all_land_in_the_registry(svc: Any, atomic_dynamodb: None) -> None:
    import threading

    app = _app(svc)
    data = svc.data(app, Principal("app", app.uuid, app.uuid))
    errors: list[Exception] = []

    def write(i: int) -> None:
        try:
            for j in range(3):
                data.create_record("races", {f"f{i}_{j}": i})
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    fields = svc.classes.get(app.uuid, "races")["fields"]
    assert set(fields) == {f"f{i}_{j}" for i in range(4) for j in range(3)}


def test_mixed_case_paths_are_recorded_once_and_bounded(svc: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """core/casefold.py's input: each indexed path with an upper-case letter, nested ones as `indexing`
    names them (arrays elided), recorded once under its lower-cased form, from any dialect's write."""
    from chalicelib.core import classes
    from chalicelib.storage import meter

    app = _app(svc)
    data = svc.data(app, Principal("app", app.uuid, app.uuid))
    data.create_record("things", {"name": "a", "Spec": {"Size": 1, "items": [{"SKU": "x"}]}, "colour": "red"})
    data.create_record("things", {"COLOUR": "blue"})
    assert svc.classes.spellings(app.uuid, "things") == {
        "spec": ["Spec"], "spec.size": ["Spec.Size"], "spec.items": ["Spec.items"], "spec.items.sku": ["Spec.items.SKU"],
        "colour": ["COLOUR"]}
    m = meter.start()
    data.create_record("things", {"Spec": {"Size": 2}, "COLOUR": "x"})  # nothing new: no registry call
    assert m.calls.get("GetItem", 0) == 0 and m.calls.get("PutItem", 0) == 1, m.calls
    monkeypatch.setattr(classes, "MAX_SPELLINGS", 6)
    data.create_record("things", {"Aa": 1, "Bb": 2})
    assert len([p for ps in svc.classes.spellings(app.uuid, "things").values() for p in ps]) == 6
    m = meter.start()
    data.create_record("things", {"Bb": {"Dd": 1}})  # a known field, a new spelling, but no room: no call either
    assert m.calls.get("GetItem", 0) == 0, m.calls


def test_spell_rewrites_paths_to_their_stored_spellings() -> None:
    from chalicelib.core.casefold import fold_keys, spell
    from chalicelib.core.query import Compare, Not, Or, Within

    known = {"colour": ["Colour"], "rank": ["Rank"]}
    q = spell(Query(where=Not(Compare("colour", "eq", "red")), order=[("rank", True), ("name", False)],
                    fold_case=True), lambda p: known.get(p, []))
    assert q.where == Not(Or((Compare("colour", "eq", "red"), Compare("Colour", "eq", "red"))))
    assert q.order == [("rank", True), ("name", False)] and q.alternatives == {"rank": ("rank", "Rank")}
    w = Within("location", 10.0, 1.0, 2.0)
    assert spell(Query(where=w), lambda p: ["Location"]).where == w  # geohashes: `location` only
    assert fold_keys({"A": {"B": [{"C": 1}]}, "a": 2}) == {"a": {"b": [{"c": 1}]}}
