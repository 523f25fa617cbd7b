# ruff: noqa: UP031 - raw JSON bodies read best as %-templates (json.dumps would refuse NaN and surrogates)
"""Issue 12: numbers, text and shapes that used to be 500s are a 400 in each dialect's own format.

One test per cause; each sends the raw bytes a hostile client would (Python's json.dumps would
refuse to write some of them)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.core import validate
from chalicelib.core.errors import InvalidInput, MalformedBody

BIG = "1" + "0" * 400
HOSTILE_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e309", BIG, "1e200", "1e-200", "1" * 39]
SURROGATE = '"\\ud800"'


# -- the core helpers --------------------------------------------------------------------------
@pytest.mark.parametrize("num", HOSTILE_NUMBERS)
def test_loads_refuses_unstorable_numbers(num: str) -> None:
    with pytest.raises(InvalidInput):
        validate.loads('{"a": %s}' % num)


@pytest.mark.parametrize("ok", ["0", "-1.5", "1e125", "9" * 38, "1e-129", "0.0", "-0"])
def test_loads_keeps_storable_numbers(ok: str) -> None:
    assert validate.loads('{"a": %s}' % ok)["a"] == json.loads(ok)


def test_loads_refuses_lone_surrogates_in_values_and_keys() -> None:
    with pytest.raises(InvalidInput):
        validate.loads('{"a": %s}' % SURROGATE)
    with pytest.raises(InvalidInput):
        validate.loads('{%s: 1}' % SURROGATE)
    assert validate.loads('{"a": "\\ud83d\\ude00"}') == {"a": "\U0001F600"}  # a pair is fine


def test_depth_is_bounded_and_syntax_is_malformed() -> None:
    with pytest.raises(validate.TooDeep):
        validate.loads("[" * 5000 + "]" * 5000)
    with pytest.raises(MalformedBody):
        validate.loads("{nope")


@pytest.mark.parametrize("raw", ["abc", "1.5", "", "-1", "99999999999999999999", "٣", None])
def test_integer_params(raw: Any) -> None:
    if raw in ("", None):
        assert validate.integer(raw, "n", 7, 0, 100) == 7
    else:
        with pytest.raises(InvalidInput):
            validate.integer(raw, "n", 7, 0, 100)


def test_computed_values_are_checked_at_the_store(svc: Any) -> None:
    """An increment can overflow what the edge let in: the entity gate refuses it."""
    svc.entities.create("app1", "items", {"name": "x", "n": 1e125})
    with pytest.raises(InvalidInput):
        svc.entities.update("app1", "items", "x", {}, mutate=lambda d: d | {"n": d["n"] * 1e10})


# -- every dialect -----------------------------------------------------------------------------
def _raw(api: Any, method: str, path: str, raw: str, **kw: Any) -> Any:
    return api.call(method, path, raw=raw.encode(), **kw)


def test_usergrid_document_numbers(api: Any, org: Any) -> None:
    for num in HOSTILE_NUMBERS[:5]:
        r = _raw(api, "POST", "/usergrid/acme/sandbox/items", '{"name": "a", "n": %s}' % num)
        assert r.status_code == 400, r.body
        assert "error" in r.json and "error_description" in r.json
    assert api.get("/usergrid/acme/sandbox/items").status_code == 200


def test_usergrid_query_numbers(api: Any, org: Any) -> None:
    r = api.get(f"/usergrid/acme/sandbox/items?ql=select%20*%20where%20n%20%3E%20{BIG}")
    assert r.status_code == 400, r.body


def test_usergrid_surrogates(api: Any, org: Any) -> None:
    for path, body in [("items", '{"name": "a", "v": %s}' % SURROGATE), ("items", '{"name": "a", %s: 1}' % SURROGATE),
                       ("users", '{"username": "u1", "password": %s}' % SURROGATE)]:
        assert _raw(api, "POST", f"/usergrid/acme/sandbox/{path}", body).status_code == 400, body
    r = _raw(api, "POST", "/usergrid/acme/prod/token",
             '{"grant_type": "client_credentials", "client_id": "x", "client_secret": %s}' % SURROGATE)
    assert r.status_code == 400, r.body


def test_management_token_ttl(api: Any, org: Any) -> None:
    for ttl in ["1e309", BIG, '"1e309"', '"\\u0663"']:
        r = _raw(api, "POST", "/usergrid/management/token",
                 '{"grant_type": "password", "username": "boss", "password": "s3cret!", "ttl": %s}' % ttl)
        assert r.status_code == 400, r.body


def test_app_token_ttl_of_odd_digits(api: Any, org: Any) -> None:
    api.post("/usergrid/acme/sandbox/users", {"username": "u9", "password": "pw"})
    r = api.post("/usergrid/acme/sandbox/token", {"grant_type": "password", "username": "u9", "password": "pw",
                                                  "ttl": "²"})
    assert r.status_code == 400, r.body


def test_usergrid_events(api: Any, org: Any) -> None:
    for body in ['{"counters": {"c": NaN}}', '{"counters": {"c": 1}, "timestamp": 1e300}', '{"counters": {"c": 1e30}}']:
        assert _raw(api, "POST", "/usergrid/acme/sandbox/events", body).status_code == 400, body


def test_usergrid_counters_times(api: Any, org: Any) -> None:
    r = api.get(f"/usergrid/acme/sandbox/counters?counter=c&start_time={BIG}")
    assert r.status_code == 400, r.body


def test_lightblue_numbers(api: Any, org: Any) -> None:
    from tests.conftest import Api
    from tests.lightblue.conftest import USER_META, D, M

    creds = org["credentials"]["credentials"]
    lb = Api(api.c, api.post("/usergrid/acme/prod/token", {"grant_type": "client_credentials", **creds})
             .json["access_token"])
    assert lb.put(f"{M}/customer/1.0.0", USER_META).status_code == 200
    r = lb.put(f"{D}/insert/customer", raw=b'{"entity": "customer", "data": [{"login": "ann", "score": NaN}]}')
    assert r.status_code == 400, r.body
    r = lb.put(f"{D}/insert/customer", raw=b'{"entity": "customer", "data": [{"login": "\\ud800"}]}')
    assert r.status_code == 400, r.body


def test_lightblue_foreach_and_insert_on_a_missing_field(api: Any, org: Any) -> None:
    from tests.conftest import Api
    from tests.lightblue.conftest import USER_META, D, M

    creds = org["credentials"]["credentials"]
    lb = Api(api.c, api.post("/usergrid/acme/prod/token", {"grant_type": "client_credentials", **creds})
             .json["access_token"])
    assert lb.put(f"{M}/customer/1.0.0", USER_META).status_code == 200
    assert lb.put(f"{D}/insert/customer", {"entity": "customer", "data": [{"login": "ann"}]}).status_code == 200
    q = {"field": "login", "op": "=", "rvalue": "ann"}
    for update in ({"$foreach": {"tags": "$all", "$update": "$remove"}},
                   {"$foreach": {"items": {"field": "$this.sku", "op": "=", "rvalue": "x"}, "$update": "$remove"}},
                   {"$insert": {"tags.0": "a"}}):
        r = lb.post(f"{D}/update/customer", {"entity": "customer", "query": q, "update": update})
        assert r.status_code == 200, (update, r.body)
    r = lb.post(f"{D}/find/customer", {"entity": "customer", "projection": {"field": "*"},
                                       "query": {"field": "tags.²", "op": "=", "rvalue": "a"}})
    assert r.status_code < 500, r.body


def test_array_steps_are_ascii_digits() -> None:
    assert validate.is_index("0") and validate.is_index("-1") and validate.is_index("12")
    for seg in ("²", "٣", "", "-", "1" * 10, "a"):
        assert not validate.is_index(seg)
