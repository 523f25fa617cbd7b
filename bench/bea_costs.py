"""BEA rows of docs/BENCHMARKS.md: X-Request-Cost of where queries with three operators and an include.

1,000 GameScore objects (written through POST /bea/1/batch, 50 per call), each pointing at one of
20 Team objects; moto in-process. Each request runs twice and the second run is reported.

    .venv/bin/python bench/bea_costs.py
"""
import json
import time
from urllib.parse import urlencode

from world import bench_app

N, TEAMS = 1000, 20

with bench_app() as w:
    a = w.app
    H = {"Content-Type": "application/json", "X-BEA-Application-Id": a.uuid,
         "X-BEA-Authorization": w.creds["rest_api_key"]}
    with w.client() as c:
        def call(method: str, path: str, body=None, **params):
            url = "/bea/1/" + path + ("?" + urlencode({k: v if isinstance(v, str) else json.dumps(v)
                                                       for k, v in params.items()}) if params else "")
            return getattr(c.http, method.lower())(url, headers=H, body=json.dumps(body) if body is not None else None)

        teams = [call("POST", "Team", {"city": f"city{i}"}).json_body["objectId"] for i in range(TEAMS)]
        for start in range(0, N, 50):
            reqs = [{"method": "POST", "path": "/GameScore", "body": {
                "playerName": f"p{i}", "score": i, "cheatMode": i % 7 == 0,
                "team": {"__type": "Pointer", "className": "Team", "objectId": teams[i % TEAMS]}}}
                for i in range(start, start + 50)]
            assert call("POST", "batch", {"requests": reqs}).status_code == 200
        one = call("GET", "GameScore", limit=1).json_body["results"][0]["objectId"]
        rows = [
            ("where: startswith 'p1' + score gte 100 lte 400 + cheatMode eq false; include=team; limit 10",
             dict(where={"playerName": {"startswith": "p1"}, "score": {"gte": 100, "lte": 400},
                         "cheatMode": {"eq": False}}, include="team", limit=10)),
            ("where: score in [5 values] + playerName like '1' + team exists; include=team",
             dict(where={"score": {"in": [10, 11, 12, 13, 500]}, "playerName": {"like": "1"},
                         "team": {"exists": True}}, include="team")),
            ("where: score gt 900 + cheatMode ne true + playerName endswith '5'; include=team; count=1",
             dict(where={"score": {"gt": 900}, "cheatMode": {"ne": True}, "playerName": {"endswith": "5"}},
                  include="team", count=1)),
            ("same three operators, no include (include's share)",
             dict(where={"playerName": {"startswith": "p1"}, "score": {"gte": 100, "lte": 400},
                         "cheatMode": {"eq": False}}, limit=10)),
        ]
        print("| request | results | latency ms | X-Request-Cost |")
        print("|---|---|---|---|")
        for label, params in rows:
            for _ in range(2):
                t = time.perf_counter()
                r = call("GET", "GameScore", **params)
                ms = (time.perf_counter() - t) * 1000
            print(f"| {label} | {len(r.json_body['results'])} | {ms:.0f} | `{r.headers['X-Request-Cost']}` |")
        for _ in range(2):
            t = time.perf_counter()
            r = call("GET", f"GameScore/{one}", include="team")
            ms = (time.perf_counter() - t) * 1000
        print(f"| GET one object, include=team | 1 | {ms:.0f} | `{r.headers['X-Request-Cost']}` |")
