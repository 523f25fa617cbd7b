"""Parse aggregate rows of docs/BENCHMARKS.md: X-Request-Cost of `GET /parse/aggregate/Score`.

N Score objects (player among 50, team among 4, score 0..N-1) written through the core as the app;
moto in-process. Each request runs twice and the second run is reported.

    .venv/bin/python bench/parse_aggregate_costs.py [--n 1000]
"""
import argparse
import json
import time
from urllib.parse import urlencode

from world import bench_app

parser = argparse.ArgumentParser()
parser.add_argument("--n", type=int, default=1000)
N = parser.parse_args().n

with bench_app() as w:
    from chalicelib.core.auth import Principal

    svc, a, creds = w.svc, w.app, w.creds
    data = svc.data(a, Principal("app", a.uuid, a.uuid))
    for i in range(N):
        data.create_record("scores", {"player": f"p{i % 50}", "team": f"t{i % 4}", "score": i})
    svc.classes.name(a.uuid, "scores", "Score")
    H = {"X-Parse-Application-Id": a.uuid, "X-Parse-Master-Key": creds["master_key"]}
    rows = [
        ("distinct player (whole class)", {"distinct": "player"}),
        ("$group by team, $sum score (whole class)",
         {"pipeline": [{"$group": {"_id": "$team", "total": {"$sum": "$score"}}}]}),
        ("leading $match team = t1 (indexed), $group by player, $avg",
         {"pipeline": [{"$match": {"team": "t1"}}, {"$group": {"_id": "$player", "avg": {"$avg": "$score"}}}]}),
        ("where score >= N-10 (indexed range), $sort, $limit 3",
         {"where": {"score": {"$gte": N - 10}}, "pipeline": [{"$sort": {"score": -1}}, {"$limit": 3}]}),
    ]
    print(f"| request (N = {N}) | results | latency ms | X-Request-Cost |\n|---|---|---|---|")
    with w.client() as c:
        for label, params in rows:
            url = "/parse/aggregate/Score?" + urlencode({k: v if isinstance(v, str) else json.dumps(v)
                                                         for k, v in params.items()})
            for _ in range(2):
                t0 = time.perf_counter()
                r = c.http.get(url, headers=H)
                ms = (time.perf_counter() - t0) * 1000
            assert r.status_code == 200, r.body
            print(f"| {label} | {len(r.json_body['results'])} | {ms:.0f} | `{r.headers['X-Request-Cost']}` |")
