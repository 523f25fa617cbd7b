"""Schema access rules (Lightblue `access`) hold in every dialect (issue 11, item 2).

An `employee` entity whose `salary` only `hr` may read, insert or update, and a `payroll` entity only
`hr` may use at all. Each test is an attack that worked before: reading, querying, sorting, counting
or writing the hidden data through Usergrid, BEA, Backendless or Lightblue, with a user token or
with the REST key alone.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import Api

P = "/usergrid/acme/prod"
M = "/lightblue/rest/metadata"
D = "/lightblue/rest/data"

EMPLOYEE: dict[str, Any] = {
    "entityInfo": {"name": "employee", "defaultVersion": "1.0.0",
                   "datastore": {"backend": "mongo", "datasource": "mongodata", "collection": "employee"}},
    "schema": {
        "name": "employee", "version": {"value": "1.0.0", "changelog": "first"}, "status": {"value": "active"},
        "access": {"insert": ["anyone"], "find": ["anyone"], "update": ["anyone"], "delete": ["anyone"]},
        "fields": {"name": {"type": "string"},
                   "salary": {"type": "integer", "access": {"find": ["hr"], "insert": ["hr"], "update": ["hr"]}}},
    },
}
PAYROLL = copy.deepcopy(EMPLOYEE)
PAYROLL["entityInfo"]["name"] = PAYROLL["schema"]["name"] = "payroll"
PAYROLL["schema"]["access"] = {"insert": ["hr"], "find": ["hr"], "update": ["hr"], "delete": ["hr"]}
PAYROLL["schema"]["fields"] = {"name": {"type": "string"}, "amount": {"type": "integer"}}


class World:
    def __init__(self, api: Api, org: dict[str, Any]) -> None:
        creds = org["credentials"]
        self.api, self.admin = api, org["admin_token"]
        self.app_uuid, self.key = creds["uuid"], creds["rest_api_key"]
        app = api.post(f"{P}/token", {"grant_type": "client_credentials", **creds["credentials"]}).json
        self.lb = Api(api.c, app["access_token"])
        for meta in (EMPLOYEE, PAYROLL):
            name = meta["entityInfo"]["name"]
            assert self.lb.put(f"{M}/{name}/1.0.0", meta).status_code == 200
        assert api.post(f"{P}/roles", {"name": "hr"}, token=self.admin).status_code == 200
        self.tokens: dict[str, str] = {}
        for name in ("ann", "bob"):
            r = api.post(f"{P}/users", {"username": name, "password": f"pw-{name}"}, token=self.admin)
            assert r.status_code == 200, r.body
            self.tokens[name] = api.post(f"{P}/token", {"grant_type": "password", "username": name,
                                                        "password": f"pw-{name}"}).json["access_token"]
        assert api.post(f"{P}/users/ann/roles/hr", {}, token=self.admin).status_code == 200
        r = self.lb.put(f"{D}/insert/employee", {"data": [{"name": "alice", "salary": 987654}]})
        assert r.json["modifiedCount"] == 1, r.body
        r = self.lb.put(f"{D}/insert/payroll", {"data": [{"name": "p1", "amount": 5}]})
        assert r.json["modifiedCount"] == 1, r.body

    def ug(self, who: str, method: str, path: str, body: Any = None) -> Any:
        return self.api.call(method, P + path, body, token=self.tokens[who])

    def bea(self, method: str, path: str, body: Any = None, session: str | None = None) -> Any:
        h = {"X-BEA-Application-Id": self.app_uuid, "X-BEA-Authorization": self.key}
        if session:
            h["X-BEA-Session-Token"] = session
        return self.api.call(method, "/bea/1/" + path, body, token="", headers=h)

    def bl(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        h = {"user-token": token} if token else {}
        return self.api.call(method, f"/backendless/{self.app_uuid}/{self.key}" + path, body, token="", headers=h)

    def lbf(self, who: str, entity: str, **body: Any) -> Any:
        return Api(self.api.c, self.tokens[who]).post(f"{D}/find/{entity}", {
            "projection": {"field": "*", "recursive": True}, **body})


@pytest.fixture
def w(api: Api, org: dict[str, Any]) -> World:
    return World(api, org)


def test_unreadable_field_is_removed_in_every_dialect(w: World) -> None:
    r = w.ug("bob", "GET", "/employees")
    assert r.status_code == 200 and r.json["entities"][0]["name"] == "alice"
    assert "salary" not in r.json["entities"][0]
    uuid = r.json["entities"][0]["uuid"]
    assert "salary" not in w.ug("bob", "GET", f"/employees/{uuid}").json["entities"][0]
    r = w.ug("bob", "GET", "/employees?ql=" + quote("select name, salary"))
    assert all("salary" not in e for e in r.json["entities"])
    assert w.ug("ann", "GET", "/employees").json["entities"][0]["salary"] == 987654  # hr reads it
    r = w.bea("GET", "employee")  # the REST key alone
    assert r.status_code == 200 and r.json["results"][0]["name"] == "alice" and "salary" not in r.json["results"][0]
    oid = r.json["results"][0]["objectId"]
    assert "salary" not in w.bea("GET", f"employee/{oid}").json
    r = w.bl("GET", "/data/employee")
    assert r.status_code == 200 and "salary" not in r.json[0]
    assert "salary" not in w.bl("GET", f"/data/employee/{oid}").json
    r = w.lbf("bob", "employee")
    assert r.status_code == 200 and "salary" not in r.json["processed"][0]


def test_unreadable_field_cannot_be_queried_sorted_or_counted(w: World) -> None:
    # Lightblue's matchCount told `> 987653` (1) from `> 987654` (0): a query on the field is refused
    for value in (987653, 987654):
        r = w.lbf("bob", "employee", query={"field": "salary", "op": ">", "rvalue": value})
        assert r.status_code == 403 and r.json["errors"][0]["errorCode"] == "crud:NoAccess", r.body
    r = w.lbf("bob", "employee", sort={"salary": "$asc"})
    assert r.status_code == 403 and r.json["errors"][0]["errorCode"] == "crud:NoAccess"
    assert w.ug("bob", "GET", "/employees?ql=" + quote("salary > 987653")).status_code == 403
    assert w.ug("bob", "GET", "/employees?ql=" + quote("select * order by salary")).status_code == 403
    assert w.bea("GET", "employee?where=" + quote(json.dumps({"salary": {"$gt": 987653}}))).status_code == 403
    assert w.bea("GET", "employee?order=salary").status_code == 403
    assert w.bea("GET", "employee?count=1&limit=0&where=" + quote(json.dumps({"salary": 987654}))).status_code == 403
    assert w.bl("GET", "/data/employee?where=" + quote("salary > 987653")).status_code == 403
    assert w.bl("GET", "/data/employee/count?where=" + quote("salary = 987654")).status_code == 403
    assert w.bl("GET", "/data/employee?sortBy=salary").status_code == 403
    # whoever may read it may query it
    r = w.ug("ann", "GET", "/employees?ql=" + quote("salary > 987653"))
    assert r.status_code == 200 and len(r.json["entities"]) == 1


def test_unwritable_field_is_refused_in_every_dialect(w: World) -> None:
    assert w.ug("bob", "POST", "/employees", {"name": "b1", "salary": 1}).status_code == 403
    r = w.ug("bob", "POST", "/employees", {"name": "b2"})
    assert r.status_code == 200
    assert w.ug("bob", "PUT", f"/employees/{r.json['entities'][0]['uuid']}", {"salary": 1_000_000}).status_code == 403
    assert w.ug("bob", "PUT", "/employees?ql=" + quote("name = 'b2'"), {"salary": 1}).status_code == 403
    assert w.bea("POST", "employee", {"name": "k1", "salary": 1}).status_code == 403
    r = w.bea("POST", "employee", {"name": "k2"})
    assert r.status_code == 201, r.body
    assert w.bea("PUT", f"employee/{r.json['objectId']}", {"salary": 5}).status_code == 403
    assert w.bl("POST", "/data/employee", {"name": "x", "salary": 2}).status_code == 403
    assert w.ug("ann", "POST", "/employees", {"name": "a1", "salary": 3}).status_code == 200  # hr may
    got = w.lb.post(f"{D}/find/employee", {"query": {"field": "name", "op": "$in", "values": ["b2", "k2", "a1"]},
                                           "projection": {"field": "*"}}).json["processed"]
    assert {d["name"]: d.get("salary") for d in got} == {"b2": None, "k2": None, "a1": 3}


def test_entity_access_holds_in_every_dialect(w: World) -> None:
    assert w.ug("bob", "GET", "/payrolls").status_code == 403
    assert w.ug("bob", "POST", "/payrolls", {"name": "p2"}).status_code == 403
    assert w.bea("GET", "payroll").status_code == 403
    assert w.bea("POST", "payroll", {"name": "p3"}).status_code == 403
    assert w.bl("GET", "/data/payroll").status_code == 403
    assert w.bl("GET", "/data/payroll/count").status_code == 403
    assert w.lbf("bob", "payroll").status_code == 403
    r = w.ug("ann", "GET", "/payrolls")
    assert r.status_code == 200 and [e["name"] for e in r.json["entities"]] == ["p1"]


def test_lightblue_update_cannot_set_id_or_object_type(w: World) -> None:
    for field in ("_id", "objectType"):
        r = w.lb.post(f"{D}/update/employee", {"query": {"field": "name", "op": "=", "rvalue": "alice"},
                                               "update": {"$set": {field: "other"}}})
        assert r.json["modifiedCount"] == 0, r.body
        assert r.json["dataErrors"][0]["errors"][0]["errorCode"] == "crud:InvalidAssignment"
    got = w.lb.post(f"{D}/find/employee", {"query": {"field": "name", "op": "=", "rvalue": "alice"},
                                           "projection": {"field": "*"}}).json["processed"][0]
    assert got["objectType"] == "employee" and got["_id"] != "other"
