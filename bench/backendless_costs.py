"""Backendless rows of docs/BENCHMARKS.md: X-Request-Cost of counters, cache and where-clause queries (moto, in-process)."""
import json

from world import bench_app

with bench_app() as w:
    base = f"/backendless/{w.app.uuid}/{w.creds['rest_api_key']}"
    H = {"Content-Type": "application/json"}
    with w.client() as c:
        c.http.post(base + "/data/bulk/Person", headers=H, body=json.dumps([{"name": f"p{i}", "age": i % 50, "city": ["Oslo", "Rome", "Paris"][i % 3]} for i in range(100)]))
        c.http.post(base + "/data/bulk/Person", headers=H, body=json.dumps([{"name": f"q{i}", "age": i % 50, "city": "Lima"} for i in range(100)]))
        rows = [
            ("counter increment (PUT /counters/c/increment/get)", "PUT", "/counters/c/increment/get", None),
            ("counter get (GET /counters/c)", "GET", "/counters/c", None),
            ("cache put (PUT /cache/k?timeout=60)", "PUT", "/cache/k?timeout=60", '{"a":1}'),
            ("cache get (GET /cache/k)", "GET", "/cache/k", None),
            ("where query, 200 rows: city = 'Oslo' and age > 40, pageSize 10", "GET", "/data/Person?where=city%20%3D%20'Oslo'%20and%20age%20%3E%2040&pageSize=10", None),
            ("where query: name LIKE 'p1%', pageSize 10", "GET", "/data/Person?where=name%20LIKE%20'p1%25'&pageSize=10", None),
            ("count with where: city = 'Rome'", "GET", "/data/Person/count?where=city%3D'Rome'", None),
        ]
        # relations: 100 stores, each with a one-to-one town and a one-to-many of the same 10 tags
        towns = json.loads(c.http.post(base + "/data/bulk/Town", headers=H, body=json.dumps([{"n": i} for i in range(100)])).body)
        tags = json.loads(c.http.post(base + "/data/bulk/Tag", headers=H, body=json.dumps([{"t": i} for i in range(10)])).body)
        stores = json.loads(c.http.post(base + "/data/bulk/Store", headers=H, body=json.dumps([{"n": i} for i in range(100)])).body)
        for s, t in zip(stores, towns, strict=True):
            c.http.post(f"{base}/data/Store/{s}/town:Town:1", headers=H, body=json.dumps([t]))
            c.http.put(f"{base}/data/Store/{s}/tags:Tag:n", headers=H, body=json.dumps(tags))
        extra = json.loads(c.http.post(base + "/data/bulk/Tag", headers=H, body=json.dumps([{"t": i} for i in range(10)])).body)
        rows += [
            ("find, pageSize 10, no relations", "GET", "/data/Store?sortBy=n&pageSize=10", None),
            ("find, pageSize 10, loadRelations=town,tags (10 + 100 related)", "GET", "/data/Store?sortBy=n&pageSize=10&loadRelations=town,tags", None),
            ("find, pageSize 90, loadRelations=town,tags (90 + 900 related)", "GET", "/data/Store?sortBy=n&pageSize=90&loadRelations=town,tags", None),
            ("find, pageSize 10, relationsDepth=1, relationsPageSize=5", "GET", "/data/Store?sortBy=n&pageSize=10&relationsDepth=1&relationsPageSize=5", None),
            ("relation paging: GET /data/Store/<id>/tags?pageSize=5&offset=5", "GET", f"/data/Store/{stores[0]}/tags?pageSize=5&offset=5", None),
        ]
        for label, m, p, body in rows:
            for _ in range(2):
                r = getattr(c.http, m.lower())(base + p, headers=H, body=body)
            print(f"| {label} | {r.status_code} | `{r.headers['X-Request-Cost']}` |")
        r = c.http.put(f"{base}/data/Store/{stores[1]}/tags", headers=H, body=json.dumps(extra))  # once: a repeat adds none
        print(f"| addRelation of 10 new children (PUT /data/Store/<id>/tags) | {r.status_code} | `{r.headers['X-Request-Cost']}` |")
