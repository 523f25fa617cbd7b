"""Class registry rows of docs/BENCHMARKS.md: what keeping /parse/schemas on write costs a create.

    .venv/bin/python bench/parse_registry_costs.py
"""
import json

from world import bench_app

with bench_app() as w:
    a = w.app
    H = {"X-Parse-Application-Id": a.uuid, "X-Parse-Master-Key": w.creds["master_key"], "Content-Type": "application/json"}
    with w.client() as c:
        for label, body in [("first create of a class (3 new fields)", {"a": 1, "b": "x", "c": True}),
                            ("second create, same fields", {"a": 2, "b": "y", "c": False}),
                            ("create with one new field", {"a": 3, "d": 1.5})]:
            r = c.http.post("/parse/classes/Thing", headers=H, body=json.dumps(body))
            print(f"| {label} | `{r.headers['X-Request-Cost']}` |")
        r = c.http.get("/parse/schemas", headers=H)
        print(f"| GET /parse/schemas | `{r.headers['X-Request-Cost']}` |")
