"""Sharded indexes side by side (issue 15, hot partitions): one collection at S = 1, 32 and 64.

For each layout, in one run, against moto in-process (with scripts/moto_fast_query.py, as the tests
and the local server use it):

- **hot key**: `--creates` entities created into one collection (batches of 100, `create_many`), each
  item write's partition key counted on the client's wire (bench/roundtrips.py's hooks). The hottest
  key's writes per create give the creates/s one collection takes before that key passes DynamoDB's
  1,000 WCU/s; with S keys per index the hottest is the busiest shard, so the figure carries the
  sampling noise of `--creates` spread over S keys (the mean shard is shown too).
- **reads**: `--n` entities in one collection, then a page of 20 of several query shapes: index entries
  read, entity items read, `Query` calls, and sequential round trips (calls overlapping in time are one;
  each call waits an emulated 5 ms network first).

    .venv/bin/python bench/shards.py [--n 10000] [--creates 3000] [--shards 1 32 64] [--write]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import roundtrips  # noqa: E402  (sets the environment: fake credentials, table prefix)
from docsection import write_section  # noqa: E402

DOC = ROOT / "docs" / "BENCHMARKS.md"
APP = "bench-app"
COLORS = ("red", "green", "blue")


def _doc(i: int) -> dict[str, Any]:
    return {"n": i, "color": COLORS[i % 3], "title": f"thing number {i}"}


class Reads:
    """Index entries and entities a query reads, and its Query calls (wraps the entity store)."""

    def __init__(self, store: Any) -> None:
        self.store, self.lock = store, threading.Lock()
        self.q, self.b, self.c = store.query_index, store.batch_get, store.count_index
        store.query_index, store.batch_get, store.count_index = self.query_index, self.batch_get, self.count_index
        self.reset()

    def reset(self) -> None:
        self.entries = self.entities = self.queries = 0

    def query_index(self, *a: Any) -> Any:
        hits, last = self.q(*a)
        with self.lock:
            self.entries += len(hits)
            self.queries += 1
        return hits, last

    def count_index(self, *a: Any) -> Any:
        with self.lock:
            self.queries += 1
        return self.c(*a)

    def batch_get(self, app: str, uuids: Any) -> Any:
        with self.lock:
            self.entities += len(uuids)
        return self.b(app, uuids)


def _seed(svc: Any, coll: str, n: int) -> None:
    from chalicelib.core.entities import NewEntity

    for start in range(0, n, 100):
        svc.entities.create_many(APP, coll, [NewEntity(_doc(i)) for i in range(start, min(n, start + 100))])


def _layout(svc: Any, coll: str, shards: int) -> None:
    from chalicelib.core import layouts
    from chalicelib.core.ids import now_ms

    if shards > 1:
        svc.layouts.set_shards(APP, coll, shards)
        skew = svc.layouts.clock() - now_ms() + 10**6
        svc.layouts.clock = lambda: now_ms() + skew  # past the switch (writers wait CACHE_S + 1 s for readers)
        assert svc.layouts.write_shards(APP, coll) == shards
        # the collection is empty: the migration has nothing to move and drops the unsharded layout at once
        step = layouts.migrate_page(svc.layouts, svc.entities, svc.executor, APP, coll)
        assert step.cursor is None and step.layout.live == (shards,)
        svc.layouts._cache.clear()


def measure(shards: int, n: int, creates: int) -> dict[str, Any]:
    from moto import mock_aws

    from chalicelib.core.query import And, Compare, Contains, Query
    from scripts import moto_fast_query

    moto_fast_query.apply()
    with mock_aws():
        from chalicelib import bootstrap

        bootstrap.reset()
        bootstrap.create_resources()
        svc = bootstrap.services()
        ticks = itertools.count(1_700_000_000_000)
        svc.entities.clock = lambda: next(ticks)
        out: dict[str, Any] = {"shards": shards}
        # reads: n entities, then pages of 20
        _layout(svc, "items", shards)
        started = time.perf_counter()
        _seed(svc, "items", n)
        out["seed_s"] = round(time.perf_counter() - started, 1)
        roundtrips._instrument()
        reads = Reads(svc.executor.store)
        shapes = {
            "newest first (created desc)": Query(limit=20),
            "order by n": Query(order=[("n", False)], limit=20),
            "color = 'red' (a third of N)": Query(Compare("color", "eq", "red"), limit=20),
            "title contains 'thing' (every entity)": Query(Contains("title", "thing"), limit=20),
            f"{n // 2} <= n < {n // 2 + 100}, order by n desc": Query(
                And((Compare("n", "gte", n // 2), Compare("n", "lt", n // 2 + 100))), order=[("n", True)], limit=20),
        }
        pages: dict[str, Any] = {}
        for name, q in shapes.items():
            for second in (False, True):
                reads.reset()
                roundtrips.WIRE.reset()
                got = svc.executor.run(APP, "items", q)
                assert len(got.records) == 20 and got.cursor, name
                row = {"entries": reads.entries, "entities": reads.entities, "queries": reads.queries,
                       "round_trips": roundtrips.WIRE.round_trips()}
                pages[name + (", next page (cursor)" if second else "")] = row
                q = Query(q.where, q.order, limit=20, cursor=got.cursor)
        reads.reset()
        roundtrips.WIRE.reset()
        total = svc.executor.count(APP, "items")
        assert total == n, total
        pages["count of the collection (Select=COUNT)"] = {"entries": 0, "entities": reads.entities,
                                                            "queries": reads.queries,
                                                            "round_trips": roundtrips.WIRE.round_trips()}
        out["pages"] = pages
        # hot key: creates into a fresh collection
        _layout(svc, "hot", shards)
        roundtrips.WIRE.reset()
        _seed(svc, "hot", creates)
        index_keys = Counter({k: v for k, v in roundtrips.WIRE.pk_writes.items() if k.startswith("index|")})
        hot_key, hot_n = index_keys.most_common(1)[0]
        per_create = hot_n / creates
        name = hot_key.split("|", 1)[1].split("#", 2)[-1]
        same_index = [v for k, v in index_keys.items() if k.split("|", 1)[1].split("#", 2)[-1].split("#")[0]
                      == name.split("#")[0] and ("#kw" in k) == ("#kw" in name)]
        mean = sum(same_index) / len(same_index) / creates
        out["hot"] = {"key": name, "writes_per_create": round(per_create, 4),
                      "share_of_item_writes": round(hot_n / sum(roundtrips.WIRE.pk_writes.values()), 4),
                      "creates_per_s": round(1000 / per_create), "mean_shard_creates_per_s": round(1000 / mean)}
        bootstrap.reset()
    return out


def table(results: list[dict[str, Any]], n: int, creates: int) -> str:
    heads = " | ".join(f"S = {r['shards']}" for r in results)
    lines = [f"| figure | {heads} |", "|---|" + "---|" * len(results)]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row(f"hottest index key over {creates:,} creates", [f"`{r['hot']['key']}`" for r in results])
    row("its writes per create / share of all item writes",
        [f"{r['hot']['writes_per_create']} / {r['hot']['share_of_item_writes']:.1%}" for r in results])
    row("creates/s into one collection before it passes 1,000 WCU/s (busiest key; mean key)",
        [f"{r['hot']['creates_per_s']:,}; {r['hot']['mean_shard_creates_per_s']:,}" for r in results])
    for name in results[0]["pages"]:
        row(f"N = {n:,}, page of 20: {name} — index entries / entities / Query calls / round trips",
            [f"{p['entries']} / {p['entities']} / {p['queries']} / {p['round_trips']}"
             for p in (r["pages"][name] for r in results)])
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="entities in the collection the pages read")
    ap.add_argument("--creates", type=int, default=3_000, help="creates counted for the hottest key")
    ap.add_argument("--shards", type=int, nargs="+", default=[1, 32, 64])
    ap.add_argument("--write", action="store_true", help=f"replace the sharded-indexes table of {DOC.name}")
    args = ap.parse_args()
    results = [measure(s, args.n, args.creates) for s in args.shards]
    body = ("`.venv/bin/python bench/shards.py" + (f" --n {args.n}" if args.n != 10_000 else "")
            + (f" --creates {args.creates}" if args.creates != 3_000 else "")
            + (" --shards " + " ".join(map(str, args.shards)) if args.shards != [1, 32, 64] else "") + " --write`\n\n"
            + table(results, args.n, args.creates))
    print(body)
    print(json.dumps(results, indent=1), file=sys.stderr)
    if args.write:
        write_section("shards", body)


if __name__ == "__main__":
    main()
