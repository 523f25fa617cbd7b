"""Usergrid connection rows of docs/BENCHMARKS.md: X-Request-Cost of connection links, connecting,
deleting a connected entity, every verb at once, and ql names in any case (moto, in-process).

    .venv/bin/python bench/usergrid_connections.py
"""
import json
from urllib.parse import quote

from world import bench_app

with bench_app() as w:
    with w.client() as c:
        tok = json.loads(c.http.post("/usergrid/bench/prod/token", headers={"Content-Type": "application/json"},
                                     body=json.dumps({"grant_type": "client_credentials",
                                                      "client_id": w.creds["client_id"],
                                                      "client_secret": w.creds["client_secret"]})).body)["access_token"]
        H = {"Authorization": f"Bearer {tok}", "Content-Type": "application/json"}
        B = "/usergrid/bench/prod"

        def call(method: str, path: str, body: object = None) -> str:
            r = getattr(c.http, method.lower())(B + path, headers=H, body=json.dumps(body) if body is not None else None)
            assert r.status_code == 200, r.body
            return str(r.headers["X-Request-Cost"])

        call("POST", "/users", [{"username": f"u{i}"} for i in range(100)])
        call("POST", "/items", [{"name": f"i{i}", "Colour": "red", "colour": "blue", "rank": i} for i in range(50)])
        rows = [("connect, first use of the verb at both ends", call("POST", "/users/u0/likes/items/i0")),
                ("connect, verb known at both ends", call("POST", "/users/u0/likes/items/i1")),
                ("GET one entity with its links", call("GET", "/users/u0")),
                ("GET one entity, ?connections=none", call("GET", "/users/u0?connections=none"))]
        for i in range(1, 100):
            call("POST", f"/users/u{i}/likes/items/i0")
        rows += [("list 10 entities with links (GET /users?limit=10)", call("GET", "/users?limit=10")),
                 ("disconnect, other edges of the verb left", call("DELETE", "/users/u0/likes/items/i1")),
                 ("delete an entity with 100 inbound connections", call("DELETE", "/items/i0")),
                 ("delete an entity without connections", call("DELETE", "/items/i2")),
                 ("ql `COLOUR = 'red'` (2 spellings stored: 2 index ranges)",
                  call("GET", "/items?ql=" + quote("COLOUR = 'red'"))),
                 ("ql `RANK > 40` (one spelling: as before)", call("GET", "/items?ql=" + quote("RANK > 40")))]
        # every verb at once (/connections, /connecting): u1 connects to 40 items by 20 verbs, in turn
        for i in range(3, 43):
            call("POST", f"/users/u1/v{i % 20}/items/i{i}")
        for i in range(3, 13):
            call("POST", f"/users/u{i}/v{i % 20}/items/i5")
        rows += [("one verb, its 2 connections (GET /users/u1/v3?limit=10)", call("GET", "/users/u1/v3?limit=10")),
                 ("all 20 verbs of 40 connections, page of 10 (GET /users/u1/connections?limit=10)",
                  call("GET", "/users/u1/connections?limit=10")),
                 ("all 20 verbs, page of 40 (GET /users/u1/connections?limit=40)",
                  call("GET", "/users/u1/connections?limit=40")),
                 ("all inbound: 11 connections by 10 verbs, page of 10 (GET /items/i5/connecting?limit=10)",
                  call("GET", "/items/i5/connecting?limit=10"))]
        for label, cost in rows:
            print(f"| {label} | `{cost}` |")
