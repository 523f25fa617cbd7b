"""Lightblue fixtures: an app token (client credentials of acme/prod) and a `customer` entity with a schema."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

M = "/lightblue/rest/metadata"
D = "/lightblue/rest/data"

USER_META: dict[str, Any] = {
    "entityInfo": {"name": "customer", "defaultVersion": "1.0.0",
                   "enums": [{"name": "levels", "values": ["bronze", "silver", "gold"]}],
                   "indexes": [{"fields": [{"field": "login", "dir": "$asc"}], "unique": True}],
                   "datastore": {"backend": "mongo", "datasource": "mongodata", "collection": "customer"}},
    "schema": {
        "name": "customer", "version": {"value": "1.0.0", "changelog": "first"}, "status": {"value": "active"},
        "access": {"insert": ["anyone"], "find": ["anyone"], "update": ["anyone"], "delete": ["anyone"]},
        "fields": {
            "login": {"type": "string", "constraints": {"required": True, "minLength": 2, "maxLength": 20}},
            "age": {"type": "integer", "constraints": {"minimum": 0, "maximum": 150}},
            "email": {"type": "string", "constraints": {"matches": "[^@]+@[^@]+"}},
            "level": {"type": "string", "constraints": {"enum": "levels"}},
            "score": {"type": "double"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "address": {"type": "object", "fields": {"city": {"type": "string"}, "zip": {"type": "string"}}},
            "items": {"type": "array", "items": {"type": "object", "fields": {"sku": {"type": "string"},
                                                                              "qty": {"type": "integer"}}}},
        },
    },
}


@pytest.fixture
def lb(api: Api, org: dict[str, Any]) -> Api:
    """An Api carrying an app token (client_credentials) of acme/prod."""
    creds = org["credentials"]["credentials"]
    r = api.post("/usergrid/acme/prod/token", {"grant_type": "client_credentials", **creds})
    assert r.status_code == 200, r.body
    return Api(api.c, r.json["access_token"])


@pytest.fixture
def customers(lb: Api) -> Api:
    """`lb` with the `customer` entity's metadata created."""
    r = lb.put(f"{M}/customer/1.0.0", USER_META)
    assert r.status_code == 200, r.body
    return lb


def insert(api: Api, docs: list[dict[str, Any]], **extra: Any) -> Any:
    return api.put(f"{D}/insert/customer", {"entity": "customer", "data": docs,
                                        "projection": {"field": "*", "recursive": True}, **extra})


def find(api: Api, query: Any = None, **extra: Any) -> Any:
    body = {"entity": "customer", "projection": {"field": "*", "recursive": True}, **extra}
    if query is not None:
        body["query"] = query
    r = api.post(f"{D}/find/customer", body)
    assert r.status_code == 200, r.body
    return r.json
