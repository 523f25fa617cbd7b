"""core/schemas.py and core/metadata.py without HTTP: parsing, validation codes, versions, the AppData hook."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.core.metadata import SchemaViolation
from chalicelib.core.schemas import parse_enums, parse_schema

from .conftest import USER_META


def schema() -> Any:
    return parse_schema("customer", USER_META["schema"], parse_enums(USER_META["entityInfo"]))


def codes(doc: dict[str, Any]) -> dict[str, str]:
    return {e.field: e.code for e in schema().validate(doc)}


def test_every_constraint_reports_its_lightblue_code() -> None:
    assert codes({"login": "ann"}) == {}
    assert codes({}) == {"login": "crud:Required"}
    assert codes({"login": None}) == {"login": "crud:Required"}
    assert codes({"login": "a"}) == {"login": "crud:TooShort"}
    assert codes({"login": "a" * 21}) == {"login": "crud:TooLong"}
    assert codes({"login": "ann", "age": -1}) == {"age": "crud:ValueTooSmall"}
    assert codes({"login": "ann", "age": 151}) == {"age": "crud:ValueTooLarge"}
    assert codes({"login": "ann", "age": "old"}) == {"age": "metadata:IncompatibleValue"}
    assert codes({"login": "ann", "age": 1.5}) == {"age": "metadata:IncompatibleValue"}
    assert codes({"login": "ann", "email": "nope"}) == {"email": "crud:DoesNotMatch"}
    assert codes({"login": "ann", "level": "platinum"}) == {"level": "crud:InvalidEnum"}
    assert codes({"login": "ann", "address": {"city": 5}}) == {"address.city": "metadata:IncompatibleValue"}
    assert codes({"login": "ann", "items": [{"qty": "x"}]}) == {"items.0.qty": "metadata:IncompatibleValue"}
    assert codes({"login": "ann", "tags": ["a", 1]}) == {"tags.1": "metadata:IncompatibleValue"}
    assert codes({"login": 7, "extra": {"anything": True}}) == {"login": "metadata:IncompatibleValue"}


def test_ill_formed_metadata_is_refused() -> None:
    for bad, code in (({"version": {"value": "1"}, "fields": {}}, "metadata:MetadataWithNoFields"),
                      ({"fields": {"a": {"type": "string"}}}, "metadata:InvalidVersion"),
                      ({"version": "1", "fields": {"a": {"type": "strung"}}}, "metadata:InvalidType"),
                      ({"version": "1", "fields": {"a": {"type": "string", "constraints": {"enum": "nope"}}}},
                       "metadata:InvalidEnum"),
                      ({"version": "1", "fields": {"a": {"type": "string", "constraints": {"matches": "(a"}}}},
                       "metadata:InvalidConstraint"),
                      ({"version": "1", "status": {"value": "gone"}, "fields": {"a": {"type": "string"}}},
                       "metadata:ParseInvalidStatus")):
        with pytest.raises(InvalidInput) as e:
            parse_schema("x", bad, {})
        assert e.value.details["code"] == code


def test_matches_is_linear_time_and_anchored() -> None:
    s = parse_schema("x", {"version": "1", "fields": {"a": {"type": "string", "matches": "(a+)+b"}}}, {})
    assert s.validate({"a": "a" * 5000 + "c"})[0].code == "crud:DoesNotMatch"  # would hang with backtracking
    assert s.validate({"a": "aab"}) == [] and s.validate({"a": "aabx"})[0].code == "crud:DoesNotMatch"


def test_versions_status_default_and_validation_hook(svc: Any) -> None:
    md = svc.metadata
    md.create("app1", "customer", "1.0.0", USER_META)
    v2 = copy.deepcopy(USER_META)
    v2["schema"]["version"] = {"value": "2.0.0", "changelog": "age required"}
    v2["schema"]["fields"]["age"]["constraints"]["required"] = True
    md.create("app1", "customer", "2.0.0", {"schema": v2["schema"]})
    assert md.names("app1") == ["customer"] and md.names("app2") == []
    assert md.validate("app1", "customers", {"login": "ann"}) == []  # default 1.0.0
    assert [e.code for e in md.validate("app1", "customers", {"login": "ann"}, "2.0.0")] == ["crud:Required"]
    md.set_default("app1", "customer", "2.0.0")
    with pytest.raises(SchemaViolation) as e:
        md.check("app1", "customers", {"login": "ann"})
    assert e.value.errors[0].field == "age"
    md.set_status("app1", "customer", "1.0.0", "disabled", "old")
    with pytest.raises(InvalidInput) as e2:
        md.validate("app1", "customers", {"login": "ann"}, "1.0.0")
    assert e2.value.details["code"] == "mongo-metadata:DisabledVersion"
    with pytest.raises(InvalidInput):
        md.set_status("app1", "customer", "2.0.0", "disabled")  # the default cannot be disabled
    assert md.validate("app1", "gadgets", {"x": 1}) == []  # no schema: nothing to check



def test_predefined_fields_uid_generation_and_role_paths() -> None:
    raw = copy.deepcopy(USER_META["schema"])
    raw["fields"].update({
        "_id": {"type": "uid", "constraints": {"identity": True}},
        "objectType": {"type": "string", "constraints": {"required": True}, "access": {"update": ["noone"]}},
        "code": {"type": "uid"},
        "items": {"type": "array", "items": {"type": "object", "fields": {"iid": {"type": "uid"},
                                                                          "sku": {"type": "string"}}}},
    })
    raw["access"] = {"insert": ["editor"], "find": ["anyone"]}
    s = parse_schema("customer", raw, parse_enums(USER_META["entityInfo"]))
    assert s.validate({"login": "ann"}) == []  # _id and objectType are the server's to fill
    assert [e.code for e in s.validate({"login": "ann", "objectType": 5})] == ["metadata:IncompatibleValue"]
    ids = iter(["g1", "g2", "g3"])
    doc = s.fill_uids({"login": "ann", "items": [{"sku": "a"}, {"sku": "b", "iid": "kept"}, 7]}, lambda: next(ids))
    assert doc == {"login": "ann", "code": "g2", "items": [{"sku": "a", "iid": "g1"}, {"sku": "b", "iid": "kept"}, 7]}
    assert "_id" not in doc  # the identity is the entity uuid, assigned by storage
    roles = s.role_paths()
    assert roles["editor"] == {"insert": ["customer"]}
    assert roles["anyone"]["find"] == ["customer"] and roles["noone"] == {"update": ["customer.objectType"]}


def test_unique_indexes_from_entity_info() -> None:
    from chalicelib.core.metadata import EntityMeta

    info = {"name": "c", "indexes": [{"fields": [{"field": "login", "dir": "$asc"}], "unique": True},
                                     {"fields": ["a", "b.c"], "unique": True}, {"fields": ["x"]},
                                     {"fields": [{"field": "_id"}], "unique": True}, "junk"]}
    assert EntityMeta("c", "cs", info, {}).unique_indexes() == (("login",), ("a", "b.c"))
