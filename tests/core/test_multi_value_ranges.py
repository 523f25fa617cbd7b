"""`p > a and p < b` on a property with several values: an entity may meet each bound with a
different value (Usergrid, Parse, MongoDB and Lightblue all say it matches), so a read bounded on
both sides must not miss it: the index's multi-value markers are read too."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chalicelib.core.indexing import MULTI_SUFFIX, entries_for
from tests.conftest import Api


def test_markers_only_where_several_values() -> None:
    got = {e.prop for es in entries_for({"a": [1, 2], "b": [3], "c": [{"q": 1}, {"q": 9}], "d": 4}).values()
           for e in es}
    assert got >= {"a" + MULTI_SUFFIX, "c.q" + MULTI_SUFFIX}
    assert not got & {"b" + MULTI_SUFFIX, "d" + MULTI_SUFFIX}


def test_both_bounds_find_entities_that_meet_each_with_another_value(api: Api, org: dict[str, Any]) -> None:
    admin = Api(api.c, org["admin_token"])
    for body in ({"name": "straddle", "v": [0, 10], "items": [{"q": 0}, {"q": 10}]},
                 {"name": "inside", "v": 3, "items": [{"q": 3}]},
                 {"name": "outside", "v": [20, 30], "items": [{"q": 20}]}):
        assert admin.post("/usergrid/acme/prod/things", body).status_code == 200
    for ql in ("v > 1 and v < 5", "items.q > 1 and items.q < 5", "v > 1 and v < 5 order by v"):
        r = admin.get("/usergrid/acme/prod/things?ql=" + quote(ql))
        assert r.status_code == 200, r.body
        assert sorted(e["name"] for e in r.json["entities"]) == ["inside", "straddle"], ql


def test_ordered_two_bound_read_stays_one_range_without_multi_values(api: Api, org: dict[str, Any]) -> None:
    admin = Api(api.c, org["admin_token"])
    for i in range(30):
        admin.post("/usergrid/acme/prod/nums", {"n": i})
    r = admin.get("/usergrid/acme/prod/nums?limit=5&ql=" + quote("n > 9 and n < 20 order by n"))
    assert [e["n"] for e in r.json["entities"]] == [10, 11, 12, 13, 14]
    cost = dict(p.split("=", 1) for p in r.headers["X-Request-Cost"].split("; "))
    assert int(float(cost["items_read"])) <= 16, cost  # the probe, ~7 index entries, their entities
