"""Parse rows of docs/BENCHMARKS.md: the same common operations through /parse and /bea, side by side.

300 GameScore objects (written through POST /parse/batch, 50 per call), each pointing at one of
10 Team objects; moto in-process. Each request runs twice and the second run's X-Request-Cost
(calls = DynamoDB round trips, all sequential; items read; operations) is reported.

    .venv/bin/python bench/parse_costs.py
"""
import json
from urllib.parse import urlencode

from world import bench_app

N, TEAMS = 300, 10


def cost(header: str) -> str:
    parts = dict(p.strip().split("=", 1) for p in header.split(";") if "=" in p)
    return f"{parts.get('calls')} | {parts.get('items_read')} | {parts.get('ops', '')}"


with bench_app() as w:
    svc, a = w.svc, w.app
    key = w.creds["rest_api_key"]
    PH = {"Content-Type": "application/json", "X-Parse-Application-Id": a.uuid, "X-Parse-REST-API-Key": key}
    BH = {"Content-Type": "application/json", "X-BEA-Application-Id": a.uuid, "X-BEA-Authorization": key}
    with w.client() as c:
        def call(dialect: str, method: str, path: str, body=None, token=None, **params):
            h = dict(PH if dialect == "parse" else BH)
            if token:
                h["X-Parse-Session-Token" if dialect == "parse" else "X-BEA-Session-Token"] = \
                    token if dialect == "parse" else token[2:]
            url = ("/parse/" if dialect == "parse" else "/bea/1/") + path + (
                "?" + urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()})
                if params else "")
            return getattr(c.http, method.lower())(url, headers=h, body=json.dumps(body) if body is not None else None)

        teams = [call("parse", "POST", "classes/Team", {"city": f"city{i}"}).json_body["objectId"] for i in range(TEAMS)]
        for start in range(0, N, 50):
            reqs = [{"method": "POST", "path": "/parse/classes/GameScore", "body": {
                "playerName": f"p{i}", "score": i, "cheatMode": i % 7 == 0,
                "team": {"__type": "Pointer", "className": "Team", "objectId": teams[i % TEAMS]}}}
                for i in range(start, start + 50)]
            assert call("parse", "POST", "batch", {"requests": reqs}).status_code == 200
        one = call("parse", "GET", "classes/GameScore", limit=1).json_body["results"][0]["objectId"]
        user = call("parse", "POST", "users", {"username": "u", "password": "pw"}).json_body
        P = {"cls": "classes/GameScore", "one": f"classes/GameScore/{one}", "batch": "batch",
             "login": "login", "batchpath": "/parse/classes/GameScore"}
        B = {"cls": "GameScore", "one": f"GameScore/{one}", "batch": "batch", "login": "Users/login",
             "batchpath": "/bea/1/GameScore"}

        def rows(d: dict, dialect: str):
            return [
                ("create one object", "POST", d["cls"], {"score": 1, "playerName": "x"}, {}),
                ("get by id", "GET", d["one"], None, {}),
                ("get by id, include=team", "GET", d["one"], None, {"include": "team"}),
                ("update: Increment", "PUT", d["one"], {"score": {"__op": "Increment", "amount": 1}}, {}),
                ("find: equality, limit 10", "GET", d["cls"], None,
                 {"where": {"cheatMode": True}, "limit": 10}),
                ("find: $in of 5 values", "GET", d["cls"], None,
                 {"where": {"score": {"$in": [1, 2, 3, 4, 250]}}}),
                ("find: range, order -score, limit 10, include=team", "GET", d["cls"], None,
                 {"where": {"score": {"$gte": 100}}, "order": "-score", "limit": 10, "include": "team"}),
                ("count all (where {}, limit 0, count 1)", "GET", d["cls"], None, {"where": {}, "limit": 0, "count": 1}),
                ("count with a range (score > 250)", "GET", d["cls"], None,
                 {"where": {"score": {"$gt": 250}}, "limit": 0, "count": 1}),
                ("batch: 10 creates", "POST", d["batch"], {"requests": [
                    {"method": "POST", "path": d["batchpath"], "body": {"n": i}} for i in range(10)]}, {}),
                ("log in", "GET", d["login"], None, {"username": "u", "password": "pw"}),
            ]

        print("| operation | Parse calls | items read | Parse ops | BEA calls | items read | BEA ops |")
        print("|---|---|---|---|---|---|---|")
        for (label, m, path, body, params), (_, bm, bpath, bbody, bparams) in zip(rows(P, "parse"), rows(B, "bea"), strict=True):
            out = []
            for dialect, mm, pp, bb, qq in (("parse", m, path, body, params), ("bea", bm, bpath, bbody, bparams)):
                for _ in range(2):
                    r = call(dialect, mm, pp, bb, **qq)
                assert r.status_code in (200, 201), (dialect, label, r.status_code, r.body)
                out.append(cost(r.headers["X-Request-Cost"]))
            print(f"| {label} | {out[0]} | {out[1]} |")
        mh = {"Content-Type": "application/json", "X-Parse-Application-Id": a.uuid,
              "X-Parse-Master-Key": svc.tenancy.credentials(a)["master_key"]}
        for _ in range(2):
            r = c.http.get("/parse/classes/GameScore?" + urlencode({"where": "{}", "limit": 0, "count": 1}), headers=mh)
        print(f"| count all, master key (Parse only) | {cost(r.headers['X-Request-Cost'])} | - | - | - |")
