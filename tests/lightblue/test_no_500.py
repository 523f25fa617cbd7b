"""Random, mostly malformed requests to every Lightblue route: each answer is a 2xx or a 4xx in
Lightblue's envelope, never a 500 (seeded, so a failure reproduces)."""

from __future__ import annotations

import json
import random
from typing import Any

from tests.conftest import Api

from .conftest import USER_META, D, M

ATOMS = [None, True, 0, -1, 1.5, "", "x", "$and", "*", [], {}, [1], {"a": 1}, "a.b", "$this", "1e400"]

def rnd(depth: int = 0) -> Any:
    r = random.random()
    if depth > 3 or r < 0.4:
        return random.choice(ATOMS)
    if r < 0.7:
        return [rnd(depth + 1) for _ in range(random.randint(0, 3))]
    keys = ["field", "op", "rvalue", "values", "array", "contains", "elemMatch", "$and", "$or", "$not", "regex",
            "rfield", "include", "recursive", "match", "range", "project", "$set", "$unset", "$add", "$append",
            "$insert", "$foreach", "$update", "$valueof", "type", "fields", "constraints", "items", "access",
            "required", "minLength", "maximum", "enum", "matches", "name", "version", "value", "status"]
    return {random.choice(keys): rnd(depth + 1) for _ in range(random.randint(0, 3))}

def test_random_requests_never_answer_500(customers: Api) -> None:
    random.seed(7)
    customers.put(f"{D}/insert/customer", {"data": [{"login": "ann", "age": 3, "tags": ["a"], "items": [{"sku": "x"}]}]})
    bad = []
    for i in range(1200):
        kind = random.choice(["find", "update", "delete", "insert", "save", "meta", "bulk", "schema", "info"])
        body: Any = {}
        if kind in ("find", "update", "delete"):
            body = {"query": rnd(), "projection": rnd(), "sort": rnd(), "range": rnd(), "update": rnd(),
                    "from": rnd(), "to": rnd(), "maxResults": rnd(), "execution": random.choice([None, {}, rnd()])}
            body = {k: v for k, v in body.items() if random.random() < 0.6}
            r = customers.post(f"{D}/{kind}/customer", body)
        elif kind in ("insert", "save"):
            body = {"data": random.choice([rnd(), [{"login": "ab", "age": rnd(), "tags": rnd(), "items": rnd(),
                                                     "address": rnd(), "level": rnd(), "_id": rnd()}]]),
                    "projection": rnd(), "upsert": rnd()}
            r = customers.call("PUT" if kind == "insert" else "POST", f"{D}/{kind}/customer", body)
        elif kind == "meta":
            m = json.loads(json.dumps(USER_META))
            m["schema"]["version"]["value"] = f"9.{i}"
            f = m["schema"]["fields"]
            f[random.choice(list(f))] = rnd()
            if random.random() < 0.5:
                m["entityInfo"][random.choice(["enums", "indexes", "defaultVersion"])] = rnd()
            r = customers.put(f"{M}/customer/9.{i}", m)
            if r.status_code == 200:
                customers.post(f"{M}/customer/9.{i}/default")
        elif kind == "schema":
            r = customers.put(f"{M}/customer/schema=8.{i}", rnd())
        elif kind == "info":
            r = customers.put(f"{M}/customer", rnd())
        else:
            r = customers.post(f"{D}/bulk", {"requests": [{"op": random.choice(["FIND", "UPDATE", "INSERT"]), "request": rnd()}]})
        if r.status_code >= 500:
            bad.append((kind, body, r.status_code, r.body[:300]))
    assert not bad, bad[:5]
