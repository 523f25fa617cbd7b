"""Issue 12: the answers that are not pages stay under Lambda's 6 MB too (BEA and Parse).

A batch of GETs, an object with its pointers expanded (`include`) and an aggregate whose stages keep
the objects (`$project` without `$group`) each passed the response limit with no check. Small limits
(`page_bytes`, as BAAS_BUDGET_PAGE_BYTES sets per stage) stand for the 5 MB of a real stage, so a few
objects of 3 KB show what 20 of 340 KB would do; the last test shrinks Lambda's own limit to show the
edge's backstop (dialects/http.py) for any route.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.bea.conftest import Bea
from tests.parse.conftest import Parse

BLOB = "x" * 3000  # one object: ~4.2 KB as budget.entity_bytes counts it


@pytest.fixture
def limits(svc: Any) -> Iterator[Any]:
    """Set the stage's limits for one test (Settings feeds every request's budget)."""
    original = svc.settings

    def use(**kw: Any) -> None:
        svc.settings = dataclasses.replace(original, limits=dataclasses.replace(original.limits, **kw))

    yield use
    svc.settings = original


@pytest.fixture(params=["parse", "bea"])
def dialect(request: Any, client: Any, org: dict[str, Any]) -> tuple[str, Any]:
    c = org["credentials"]
    if request.param == "parse":
        return "parse", Parse(client, c["uuid"], c["rest_api_key"], c["master_key"])
    return "bea", Bea(client, c["uuid"], c["rest_api_key"], c["master_key"])


def _cls(name: str, d: str) -> str:
    return f"classes/{name}" if d == "parse" else name


def _batch_path(path: str, d: str) -> str:
    return f"/parse/{path}" if d == "parse" else f"/1/{path}"


def _results(r: Any, d: str) -> list[dict[str, Any]]:
    return list(r.json if d == "parse" else r.json["results"])


def _bigs(cli: Any, d: str, n: int = 3) -> list[str]:
    out = []
    for i in range(n):
        r = cli.post(_cls("Big", d), {"n": i, "blob": BLOB})
        assert r.status_code == 201, r.body
        out.append(r.json["objectId"])
    return out


def _is_error(body: Any) -> bool:
    return isinstance(body, dict) and set(body) == {"code", "error"} and body["code"] == 102


def test_a_batch_of_gets_answers_what_fits_and_an_error_for_the_rest(dialect: tuple[str, Any], limits: Any) -> None:
    d, cli = dialect
    _bigs(cli, d)
    limits(page_bytes=15_000)  # one find of the three fits (~13 KB), two do not
    find = {"method": "GET", "path": _batch_path(_cls("Big", d), d), "body": {"order": "n"}}
    create = {"method": "POST", "path": _batch_path(_cls("Small", d), d), "body": {"n": 1}}
    r = cli.post("batch", {"requests": [find, find, create, find]})
    assert r.status_code == 200, r.body[:300]
    got = _results(r, d)
    assert [o["n"] for o in got[0]["success"]["results"]] == [0, 1, 2]
    assert "success" not in got[1] and _is_error(got[1]["error"]), got[1]
    assert "objectId" in got[2]["success"]  # the write still runs and answers
    assert _is_error(got[3]["error"])  # the answer is full: not even run
    assert len(r.body) < 15_000 + 5_000
    assert cli.get(_cls("Small", d)).json["results"][0]["n"] == 1


def test_a_batch_of_writes_keeps_each_answer_when_the_echoed_values_do_not_fit(dialect: tuple[str, Any],
                                                                               limits: Any) -> None:
    """A write happened: it answers with its ids and dates, without the values its operators echo."""
    d, cli = dialect
    oid = cli.post(_cls("Big", d), {"list": []}).json["objectId"]
    limits(page_bytes=8_000)
    add = {"method": "PUT", "path": _batch_path(f"{_cls('Big', d)}/{oid}", d),
           "body": {"list": {"__op": "Add", "objects": [BLOB]}}}
    r = cli.post("batch", {"requests": [add, add, add]})
    assert r.status_code == 200, r.body[:300]
    got = _results(r, d)
    assert all("updatedAt" in g["success"] for g in got), got
    assert "list" in got[0]["success"] and "list" not in got[2]["success"]
    limits(page_bytes=100_000)
    assert len(cli.get(f"{_cls('Big', d)}/{oid}").json["list"]) == 3


def test_include_whose_expansions_do_not_fit_is_a_400_on_a_get_and_a_find(dialect: tuple[str, Any],
                                                                          limits: Any) -> None:
    d, cli = dialect
    ids = _bigs(cli, d)
    ptrs = [{"__type": "Pointer", "className": "Big", "objectId": i} for i in ids]
    holder = cli.post(_cls("Holder", d), {"items": ptrs, "first": ptrs[0]}).json["objectId"]
    limits(page_bytes=10_000)  # one Big expanded fits, three do not
    one = f"{_cls('Holder', d)}/{holder}"
    ok = cli.get(one, params={"include": "first"})
    assert ok.status_code == 200 and ok.json["first"]["blob"] == BLOB, ok.body[:300]
    r = cli.get(one, params={"include": "items"})
    assert r.status_code == 400 and _is_error(r.json), r.body[:300]
    assert cli.get(one, params={"include": "items", "keys": "first"}).status_code == 200  # keys drops them
    found = cli.get(_cls("Holder", d), params={"include": "items", "limit": 1})  # one result counts too
    assert found.status_code == 400 and _is_error(found.json), found.body[:300]


def test_an_aggregate_that_keeps_the_objects_is_a_400_when_it_does_not_fit(client: Any, org: dict[str, Any],
                                                                         limits: Any) -> None:
    c = org["credentials"]
    cli = Parse(client, c["uuid"], c["rest_api_key"], c["master_key"])
    _bigs(cli, "parse", 4)
    limits(page_bytes=10_000)
    r = cli.get("aggregate/Big", params={"pipeline": [{"$project": {"blob": 1, "n": 1}}]}, master=True)
    assert r.status_code == 400 and _is_error(r.json), r.body[:300]
    small = cli.get("aggregate/Big", params={"pipeline": [{"$project": {"n": 1}}]}, master=True)
    assert small.status_code == 200 and sorted(o["n"] for o in small.json["results"]) == [0, 1, 2, 3]
    grouped = cli.get("aggregate/Big", params={"pipeline": [{"$group": {"_id": None, "total": {"$sum": "$n"}}}]},
                      master=True)
    assert grouped.status_code == 200 and grouped.json["results"][0]["total"] == 6


@pytest.mark.parametrize("d", ["parse", "bea", "usergrid"])
def test_any_answer_over_lambdas_limit_is_a_400_in_the_dialects_format(client: Any, org: dict[str, Any], d: str,
                                                                       monkeypatch: Any) -> None:
    """The backstop at the edge: whatever the route, Lambda never gets an answer it would refuse."""
    from chalicelib.core import budget
    from tests.conftest import Api

    c = org["credentials"]
    cli: Any = Api(client, org["admin_token"]) if d == "usergrid" else \
        Parse(client, c["uuid"], c["rest_api_key"], c["master_key"]) if d == "parse" else \
        Bea(client, c["uuid"], c["rest_api_key"])
    path = "/usergrid/acme/sandbox/bigs" if d == "usergrid" else _cls("Big", d)
    r = cli.post(path, {"blob": BLOB * 3})
    assert r.status_code in (200, 201), r.body[:300]
    one = r.json["entities"][0]["uuid"] if d == "usergrid" else r.json["objectId"]
    monkeypatch.setattr(budget, "LAMBDA_RESPONSE_BYTES", budget.RESPONSE_SLACK + 5_000)
    r = cli.get(f"{path}/{one}")
    assert r.status_code == 400, r.body[:300]
    body = json.loads(r.body)
    assert ("error_description" in body) if d == "usergrid" else _is_error(body), body
