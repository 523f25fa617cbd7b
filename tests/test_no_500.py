"""Seeded random, mostly malformed requests to every documented operation of every dialect: each
answer is a 2xx/3xx or a 4xx, never a 5xx (issue 12; extends tests/lightblue/test_no_500.py to all
five dialects). The operations come from the dialects' OpenAPI documents, so a new route is
covered without anyone updating this file. Seeded: a failure names the request and reproduces.

A 5xx that falls under a cause issue 12 part A fixes (tests/known_500.py) is recorded, not failed.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import Counter
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from tests.conftest import Api
from tests.known_500 import known_cause

ATOMS: list[Any] = [None, True, False, 0, -1, 1.5, 10**6, "", "x", "*", "$and", "a.b", "null", "[]", "{}", [], {},
                    [1], {"a": 1}, {"$gt": 1}, "' or 1=1", "select * where a > 1", "ü\u00e9", "../x", "%00"]
TEXT = ["", "x", "-1", "0", "1", "abc", "true", "null", "[]", "{}", '{"a":{"$in":[1,2]}}', '{"a":{"$gt":5,"$lt":1}}',
        "a = 1 or b = 2", "name = 'mil*'", "a desc", "select * where", "%", "ü", "1.5", "-5", "10"]
SEGMENTS = ["x", "items", "users", "me", "0", "-1", "null", "ü", "a.b", "$and", "_config", "login", "batch",
            "customer", "1.0.0", "default", "roles", "permissions", "likes", "feed", "activities", "asset", "media"]
REQUESTS = int(os.environ.get("BAAS_NO500_REQUESTS", "160"))  # per dialect; `make fuzz` sends more


def rnd(rng: random.Random, keys: list[str], depth: int = 0) -> Any:
    r = rng.random()
    if depth > 3 or r < 0.45:
        return rng.choice(ATOMS)
    if r < 0.65:
        return [rnd(rng, keys, depth + 1) for _ in range(rng.randint(0, 3))]
    names = keys + ["where", "query", "field", "op", "rvalue", "__op", "__type", "objectId", "name", "uuid"]
    return {rng.choice(names): rnd(rng, keys, depth + 1) for _ in range(rng.randint(0, 4))}


def _operations(dialect: str) -> list[tuple[str, str, Any]]:
    from importlib import import_module

    from app import app
    from chalicelib.dialects import openapi

    return [op for op in openapi.operations(app.routes, import_module(f"chalicelib.dialects.{dialect}.models").DIALECT)
            if not op[1].endswith("/openapi.json")]


BODY_KEYS = ["_method", "_ApplicationId", "_JavaScriptKey", "_MasterKey", "_SessionToken", "_InstallationId",
             "_ClientVersion", "_context", "_ContentType", "_RevocableSession"]


def _storm(api: Api, dialect: str, fill: dict[str, str], headers: dict[str, str], seed: int,
           body_keys: dict[str, str] | None = None) -> None:
    """`body_keys`: send every request as the Parse JS SDK does, a text/plain POST whose JSON body carries
    the method, the keys and the query parameters (plus, now and then, a hostile underscore key)."""
    rng = random.Random(seed)
    ops = _operations(dialect)
    bad, statuses, known = [], Counter[int](), Counter[str]()
    for _ in range(REQUESTS):
        method, path, op = rng.choice(ops)
        params = {n: (fill[n] if n in fill and rng.random() < 0.8 else rng.choice(SEGMENTS))
                  for n in re.findall(r"\{(\w+)\}", path)}
        url = re.sub(r"\{(\w+)\}", lambda m, p=params: quote(p[m.group(1)], safe=""), path)
        query = {n: rng.choice(TEXT) for n in op.query if rng.random() < 0.5}
        if query:
            url += "?" + urlencode(query)
        props = list((op.body or {}).get("properties", {}))
        body = rnd(rng, props) if rng.random() < 0.3 else {k: rnd(rng, props, 1) for k in props if rng.random() < 0.6}
        raw = json.dumps(body) if method in ("POST", "PUT", "PATCH", "DELETE") and rng.random() < 0.9 else None
        if body_keys is not None:
            url = url.split("?")[0]
            payload = {**(body if isinstance(body, dict) else {}), **query, "_method": method, **body_keys}
            if rng.random() < 0.3:
                payload[rng.choice(BODY_KEYS)] = rnd(rng, [])
            raw = json.dumps(payload)
            r = api.call("POST", url, headers={"Content-Type": "text/plain"}, raw=raw, token="")
        else:
            r = api.call(method, url, headers=headers, raw=raw, token="")
        statuses[r.status_code] += 1
        cause = known_cause(params, query, body) if r.status_code >= 500 else None
        if cause is not None:
            known[cause] += 1
        elif r.status_code >= 500:
            bad.append((method, url, raw, r.status_code, r.body[:200]))
    print(f"{dialect}: statuses {dict(statuses)}; known 5xx causes {dict(known)}")  # shown with -s or on failure
    assert not bad, bad[:5]


def test_usergrid(api: Api, org: dict[str, Any]) -> None:
    uuid = api.post("/usergrid/acme/prod/items", {"name": "milk"}, token=org["admin_token"]).json["entities"][0]["uuid"]
    api.post("/usergrid/acme/prod/users", {"username": "ann", "password": "pw"}, token=org["admin_token"])
    fill = {"org": "acme", "app": "prod", "collection": "items", "entity": uuid, "collection2": "users",
            "entity2": "ann"}
    _storm(api, "usergrid", fill, {"Authorization": f"Bearer {org['admin_token']}"}, seed=12)


def test_backendless(api: Api, org: dict[str, Any]) -> None:
    creds = org["credentials"]
    base = f"/backendless/{creds['uuid']}/{creds['rest_api_key']}"
    oid = api.post(f"{base}/data/items", {"name": "milk"}).json["objectId"]
    fill = {"app_id": creds["uuid"], "rest_key": creds["rest_api_key"], "table": "items", "object_id": oid,
            "name": "c1", "key": "k1", "channel": "default", "p1": "docs", "service": "greeter", "method": "hello"}
    _storm(api, "backendless", fill, {}, seed=12)


def test_bea(api: Api, org: dict[str, Any]) -> None:
    creds = org["credentials"]
    h = {"X-BEA-Application-Id": creds["uuid"], "X-BEA-Authorization": creds["rest_api_key"]}
    oid = json.loads(api.c.http.post("/bea/1/Thing", headers={**h, "Content-Type": "application/json"},
                                     body=json.dumps({"n": 1})).body)["objectId"]
    _storm(api, "bea", {"className": "Thing", "objectId": oid}, h, seed=12)


@pytest.mark.parametrize("key", ["rest", "master"])
def test_parse(api: Api, org: dict[str, Any], key: str) -> None:
    """Both kinds of caller: the REST key meets the permission checks, the master key reaches the
    master-only routes (schemas, aggregate, purge, jobs)."""
    creds = org["credentials"]
    h = {"X-Parse-Application-Id": creds["uuid"], "X-Parse-REST-API-Key": creds["rest_api_key"]}
    master = {"X-Parse-Application-Id": creds["uuid"], "X-Parse-Master-Key": creds["master_key"]}
    oid = json.loads(api.c.http.post("/parse/classes/Thing", headers={**h, "Content-Type": "application/json"},
                                     body=json.dumps({"n": 1})).body)["objectId"]
    fill = {"className": "Thing", "objectId": oid, "appId": creds["uuid"], "filename": "a.txt",
            "functionName": "hello", "eventName": "opened", "jobName": "x"}
    _storm(api, "parse", fill, h if key == "rest" else master, seed=12)
    keys = {"_ApplicationId": creds["uuid"], **({"_JavaScriptKey": creds["rest_api_key"]} if key == "rest" else
                                                {"_MasterKey": creds["master_key"]})}
    _storm(api, "parse", fill, {}, seed=13, body_keys=keys)  # the JS SDK's style


def test_lightblue(api: Api, org: dict[str, Any]) -> None:
    from tests.lightblue.conftest import USER_META

    creds = org["credentials"]["credentials"]
    token = api.post("/usergrid/acme/prod/token", {"grant_type": "client_credentials", **creds}).json["access_token"]
    assert api.put("/lightblue/rest/metadata/customer/1.0.0", USER_META, token=token).status_code == 200
    fill = {"entity": "customer", "version": "1.0.0", "action": "default", "handle": "x"}
    _storm(api, "lightblue", fill, {"Authorization": f"Bearer {token}"}, seed=12)


pytestmark = pytest.mark.filterwarnings("ignore")
