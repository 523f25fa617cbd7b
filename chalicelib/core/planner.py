"""Turns a query AST into index reads, and runs them with verification, paging and repair.

A plan is a list of index range scans read one after another (a union for OR, IN, geo cells),
optionally collected into a bounded window and sorted in memory (distance, or an order that
no single index gives). Every hit is checked against the entity as stored: the hit must be one
of the entity's current keys (else it is stale: skipped and deleted), the first of the entity's
keys in scan order (so multi-valued properties and overlapping scans yield each entity once),
and the entity must match the whole where clause. Reads follow the page, not the collection.

A dotted path reads the nested index `indexing.index_name` gives it (`items.*.sku` and
`items.0.sku` both read `items.sku`): that index holds every value the path can reach in any
entity, so nothing `matches` accepts is missed, and verification drops what the exact path
does not reach (another element, a case-sensitive mismatch).
"""

from __future__ import annotations

import hashlib
import math
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from . import budget, geo, indexing, parallel
from .cursors import Cursors
from .errors import InvalidQuery
from .ids import is_uuid, now_ms
from .indexing import HIGH, PRESENT, SEP, TOP, encode, index_name, kind_bounds
from .ports import EntityStore, Record
from .query import (
    And,
    Compare,
    Contains,
    Exists,
    In,
    InPolygon,
    Node,
    Or,
    Prefix,
    Query,
    Within,
    get_path,
    matches,
    sort_value,
)

MAX_LIMIT = 1000
WINDOW = 1000  # most entities an in-memory sort may hold
READ_BUDGET = 4000  # most index entries one request reads before it returns a cursor
GRACE_MS = 60_000

Visible = Callable[[Record], bool]
# (app, collection) -> the live index layouts (shard counts) a read merges: core/layouts.Layouts.live
LiveLayouts = Callable[[str, str], "tuple[int, ...]"]


@dataclass(frozen=True)
class IndexRange:
    """One key range of one index partition: read with DynamoDB Query (never Scan), page by page."""

    index: str
    low: str
    high: str
    descending: bool = False


@dataclass
class Plan:
    scans: list[IndexRange] = field(default_factory=list)
    direct: list[str] | None = None  # uuids to fetch by key
    sort: list[tuple[str, bool]] | None = None  # windowed: sort these in memory
    near: Within | None = None  # windowed: sort by distance from this point


# -- planning ---------------------------------------------------------------------------------
def plan(query: Query, multi: Callable[[str], bool] = lambda index: True) -> Plan:
    """`multi(index)`: may some entity hold several values under that index (indexing.MULTI_SUFFIX)?
    The default assumes so, which is always correct; the executor asks the store."""
    where, order = query.where, query.order
    direct = _direct_uuids(where)
    if direct is not None:
        return Plan(direct=direct, sort=order or None)
    if order and any(f in query.alternatives for f, _ in order):  # several spellings: no one index is in order
        return Plan(_driver(where) or [IndexRange("created", *kind_bounds("n"), True)], sort=order)
    if order:
        fld, desc = order[0]
        scan = _range_on(where, fld, desc, multi) if len(order) == 1 else None
        if scan is not None:
            return Plan([scan])
        driver = _driver(where)
        if driver is None:
            name = index_name(fld) if len(order) == 1 else None
            if name is not None:
                return Plan([IndexRange(name, "b", "t", desc)])
            driver = [IndexRange("created", *kind_bounds("n"), True)]
        return Plan(driver, sort=order)
    near = _find_within(where)
    driver = _driver(where)
    if driver is None:
        driver = [IndexRange("created", *kind_bounds("n"), True)]
    return Plan(driver, near=near if near is not None and _only_within_driver(driver) else None)


def count_range(where: Node | None) -> IndexRange | None:
    """The one index range holding exactly one entry per match, when the where clause has one; then
    DynamoDB counts the matches (`Select=COUNT`) and no entity is read.

    The whole collection (`created`), or an equality on a top-level field with a number or boolean:
    an entity holds at most one entry per distinct value of a field, and such keys are exact (string
    keys are lower-cased and cut, nested paths elide arrays, so those are verified per entity instead).
    Like every index count, entries of a write in flight or of a crashed one not yet repaired count too.
    """
    if where is None:
        return IndexRange("created", *kind_bounds("n"))
    if not (isinstance(where, Compare) and where.op == "eq" and "." not in where.field and where.field != "uuid"):
        return None
    v = where.value
    if not isinstance(v, (bool, int, float)) or (isinstance(v, float) and v != v):
        return None
    name, enc = index_name(where.field), encode(v)
    if name is None or enc is None:
        return None
    return IndexRange(name, enc + SEP, enc + HIGH)


def _is_field_indexable(fld: str) -> bool:
    return index_name(fld) is not None


def _direct_uuids(node: Node | None) -> list[str] | None:
    if isinstance(node, Compare) and node.field == "uuid" and node.op == "eq" and isinstance(node.value, str):
        return [node.value.lower()] if is_uuid(node.value) else []
    if isinstance(node, Or):
        out: list[str] = []
        for c in node.children:
            got = _direct_uuids(c)
            if got is None:
                return None
            out += got
        return out
    if isinstance(node, And):
        for c in node.children:
            got = _direct_uuids(c)
            if got is not None:
                return got
    return None


_PRIORITY = {"eq": 0, "in": 1, "contains": 2, "within": 3, "prefix": 4, "range": 5, "exists": 6}


def _driver(node: Node | None) -> list[IndexRange] | None:
    best = _candidates(node)
    return best[1] if best else None


def _candidates(node: Node | None) -> tuple[float, list[IndexRange]] | None:
    """(priority, scans) of the most selective index read that covers every match of `node`."""
    if node is None or not _indexable_field(node):
        if isinstance(node, And):
            opts = [c for c in (_candidates(ch) for ch in node.children) if c]
            merged = _merged_ranges(node)
            opts += [(_PRIORITY["range"] - 0.5, scans) for scans in merged]
            return min(opts, key=lambda o: o[0]) if opts else None
        if isinstance(node, Or):
            parts = [_candidates(c) for c in node.children]
            if any(p is None for p in parts):
                return None
            scans = [s for p in parts for s in p[1]]  # type: ignore[index]
            return (max(p[0] for p in parts) + 1, scans)  # type: ignore[index]
        return None
    name = index_name(node.field)  # type: ignore[union-attr]
    if name is None:
        return None
    if isinstance(node, Compare):
        enc = encode(node.value)
        if enc is None or node.op == "ne":
            return None
        if node.op == "eq":
            return (_PRIORITY["eq"], [IndexRange(name, enc + SEP, enc + HIGH, True)])
        if _case_sensitive_range(node):
            return (_PRIORITY["range"] + 0.5, [IndexRange(name, *kind_bounds("s"))])
        return (_PRIORITY["range"], [_compare_scan(name, node.op, enc)])
    if isinstance(node, In):
        scans = []
        for v in node.values:
            enc = encode(v)
            if enc is None:
                return None
            scans.append(IndexRange(name, enc + SEP, enc + HIGH, True))
        return (_PRIORITY["in"], scans)
    if isinstance(node, Prefix):
        p = _prefix_key(node.prefix)
        return (_PRIORITY["prefix"], [IndexRange(name, p, p + TOP)])
    if isinstance(node, Contains):
        words = sorted(indexing.keywords(node.text.rstrip("*")))
        if not words:
            return None
        prefix = node.text.endswith("*")
        w = words[-1] if prefix else words[0]
        kw = name + indexing.KEYWORD_SUFFIX
        if prefix:
            return (_PRIORITY["contains"], [IndexRange(kw, w, w + TOP), IndexRange(name, "s" + w, "s" + w + TOP)])
        return (_PRIORITY["contains"], [IndexRange(kw, w + SEP, w + HIGH, True), IndexRange(name, "s" + w + SEP, "s" + w + HIGH, True)])
    if isinstance(node, Within):
        idx = name + indexing.GEO_SUFFIX
        return (_PRIORITY["within"], [IndexRange(idx, c, c + TOP) for c in geo.covering_cells(node.lat, node.lon, node.radius_m)])
    if isinstance(node, InPolygon):
        idx = name + indexing.GEO_SUFFIX
        return (_PRIORITY["within"], [IndexRange(idx, c, c + TOP) for c in geo.polygon_cells(node.points)])
    if isinstance(node, Exists):
        # PRESENT markers make every existing path visible, whatever it holds; `location` keeps
        # its geohash under its own index name
        scans = [IndexRange(name, PRESENT, "t")]
        if name == "location":
            scans.append(IndexRange(name + indexing.GEO_SUFFIX, "0", TOP))
        return (_PRIORITY["exists"], scans)
    return None


def _indexable_field(node: Node) -> bool:
    """Whether `node` is a leaf term whose field has an index that holds all its matches.

    Only the top-level `location` has geohashes: `within` or a polygon on any other field is a filter.
    """
    f = getattr(node, "field", None)
    if isinstance(node, (Within, InPolygon)):
        return f == "location"
    return isinstance(f, str) and not isinstance(node, (And, Or)) and _is_field_indexable(f)


def _case_sensitive_range(node: Compare) -> bool:
    """A case-sensitive string range (Lightblue, BEA `equals`-style) cannot use a bounded scan:
    keys are lower-cased, and `'a' > 'B'` holds while `'a' < 'b'`, so only the whole string
    range of the index is sure to hold every match."""
    return node.case_sensitive and isinstance(node.value, str) and node.op in ("lt", "lte", "gt", "gte")


def _prefix_key(prefix: str) -> str:
    """The key prefix of values starting with `prefix`: encoded as values are (cut at
    MAX_STRING_KEY, control characters replaced), so long prefixes still find their values."""
    return encode(prefix) or "s"


def _compare_scan(fld: str, op: str, enc: str, desc: bool = False) -> IndexRange:
    lo, hi = kind_bounds(enc[0])
    if enc[0] == "s" and len(enc) > indexing.MAX_STRING_KEY:
        op = {"gt": "gte", "lt": "lte"}.get(op, op)  # a cut key: longer values share it, verified on read
    if op == "gt":
        return IndexRange(fld, enc + HIGH, hi, desc)
    if op == "gte":
        return IndexRange(fld, enc + SEP, hi, desc)
    if op == "lt":
        return IndexRange(fld, lo, enc, desc)
    if op == "lte":
        return IndexRange(fld, lo, enc + HIGH, desc)
    return IndexRange(fld, enc + SEP, enc + HIGH, desc)


def _merged_ranges(node: And) -> list[list[IndexRange]]:
    """`price > 1 and price < 5`: one scan bounded on both sides instead of two half-open ones, plus
    the index's multi-value markers (one Query, empty unless some entity holds several values)."""
    by_field: dict[str, list[IndexRange]] = {}
    for c in node.children:
        name = index_name(c.field) if isinstance(c, Compare) else None
        if isinstance(c, Compare) and c.op in ("lt", "lte", "gt", "gte") and name and not _case_sensitive_range(c):
            enc = encode(c.value)
            if enc is not None:
                by_field.setdefault(c.field, []).append(_compare_scan(name, c.op, enc))
    out = []
    for _fld, scans in by_field.items():
        if len(scans) > 1:
            name = scans[0].index
            out.append([IndexRange(name, max(s.low for s in scans), min(s.high for s in scans)),
                        IndexRange(name + indexing.MULTI_SUFFIX, indexing.MULTI, indexing.MULTI + HIGH)])
    return out


def _range_on(node: Node | None, fld: str, desc: bool, multi: Callable[[str], bool]) -> IndexRange | None:
    """One scan on `fld` in the requested order that covers every match, if the where clause allows.
    Several bounds narrow it to their intersection only when no entity holds several values of
    `fld` (else one of them could match every bound with a different value and lie outside)."""
    name = index_name(fld)
    if name is None:
        return None
    if node is None:
        return IndexRange(name, "b", "t", desc)
    terms = node.children if isinstance(node, And) else (node,)
    scans = []
    for t in terms:
        if isinstance(t, Compare) and t.field == fld and t.op != "ne" and encode(t.value) is not None:
            if _case_sensitive_range(t):
                scans.append(IndexRange(name, *kind_bounds("s"), desc))
            else:
                scans.append(_compare_scan(name, t.op, encode(t.value) or "", desc))
        elif isinstance(t, Prefix) and t.field == fld:
            p = _prefix_key(t.prefix)
            scans.append(IndexRange(name, p, p + TOP, desc))
    if not scans:
        return None
    if len(scans) > 1 and multi(name):
        return None
    return IndexRange(name, max(s.low for s in scans), min(s.high for s in scans), desc)


def _find_within(node: Node | None) -> Within | None:
    if isinstance(node, Within):
        return node
    if isinstance(node, And):
        for c in node.children:
            if isinstance(c, Within):
                return c
    return None


def _only_within_driver(scans: list[IndexRange]) -> bool:
    return all(s.index.endswith(indexing.GEO_SUFFIX) for s in scans)


# -- execution --------------------------------------------------------------------------------
@dataclass
class Result:
    records: list[Record]
    cursor: str | None


class Executor:
    def __init__(self, store: EntityStore, clock: Callable[[], int] = now_ms, cursors: Cursors | None = None,
                 layouts: LiveLayouts | None = None) -> None:
        self.store = store
        self.clock = clock
        self.cursors = cursors or Cursors()
        self.layouts = layouts

    def live(self, app: str, collection: str) -> tuple[int, ...]:
        return self.layouts(app, collection) if self.layouts is not None else (1,)

    def run(self, app: str, collection: str, query: Query, visible: Visible | None = None,
            shards: tuple[int, ...] | None = None) -> Result:
        """`shards`: the layouts to merge, when the caller read them itself (a migration); the cached
        live layouts of the collection otherwise."""
        if not 0 < query.limit <= MAX_LIMIT:
            raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}")
        probed: dict[str, bool] = {}
        live = shards or self.live(app, collection)

        def multi(index: str) -> bool:
            if index not in probed:  # one Query of at most one item per partition, only for ordered multi-bound reads
                parts = indexing.partitions(index + indexing.MULTI_SUFFIX, live)
                pages = parallel.run_all([partial(self.store.query_index, f"{app}#{collection}#{part}", indexing.MULTI,
                                                  indexing.MULTI + HIGH, False, None, 1) for part in parts])
                probed[index] = any(hits for hits, _ in pages)
            return probed[index]

        p = plan(query, multi)
        budget.check_branches(len(p.scans))
        qhash = hashlib.sha256(repr((collection, query.where, query.order)).encode()).hexdigest()[:12]
        state = self._open(app, query.cursor, qhash, len(p.scans))
        ok = visible or (lambda r: True)
        if p.direct is not None:
            recs = self.store.batch_get(app, p.direct) if p.direct else {}
            found = [r for u in p.direct if (r := recs.get(u)) and r.collection == collection
                     and matches(query.where, r.doc | {"uuid": r.uuid}) and ok(r)]
            return self._window(app, found, p, query, state, qhash)
        run = _Run(self, app, collection, p.scans, query.where, ok, live)
        if p.sort is not None or p.near is not None:
            found = []
            for rec, _, _ in run.hits(0, None, 100):
                found.append(rec)
                if len(found) > WINDOW:
                    raise InvalidQuery(
                        f"this query matches more than {WINDOW} entities and cannot be sorted that way; "
                        "order by the field you filter on, or narrow the filter")
            if run.exhausted_budget:
                raise InvalidQuery("this query reads too much of the collection to sort it; narrow the filter")
            run.repair()
            return self._window(app, found, p, query, state, qhash)
        start_scan, start_key = (state.get("i", 0), state.get("k")) if state else (0, None)
        out: list[Record] = []
        cursor = None
        size, room, last = 0, budget.limits().page_bytes, (start_scan, start_key)
        for rec, i, sk in run.hits(start_scan, start_key, query.limit):
            size += budget.entity_bytes(rec.doc)
            if out and size > room:  # too big for one response: stop before it, continue from the last one kept
                cursor = self.cursors.seal(app, {"i": last[0], "k": last[1], "h": qhash})
                break
            out.append(rec)
            last = (i, sk)
            if len(out) == query.limit:
                cursor = self.cursors.seal(app, {"i": i, "k": sk, "h": qhash})
                break
        else:
            if run.exhausted_budget and run.position is not None:
                cursor = self.cursors.seal(app, {"i": run.position[0], "k": run.position[1], "h": qhash})
        run.repair()
        return Result(out, cursor)

    def count(self, app: str, collection: str, where: Node | None = None, public_only: bool = False) -> int | None:
        """How many entities match, counted on one index range (`count_range`: the `created` index for the
        whole collection); None when the where clause has no such range and the matches must be read.
        `public_only`: only entities whose ACL lets anyone read them (None if an entry predates the flag)."""
        r = count_range(where)
        if r is None:
            return None
        parts = indexing.partitions(r.index, self.live(app, collection))
        counts: list[int | None] = parallel.run_all([
            partial(self.store.count_index, f"{app}#{collection}#{part}", r.low, r.high, public_only=public_only)
            for part in parts])
        return None if any(c is None for c in counts) else sum(c for c in counts if c is not None)

    def _open(self, app: str, cursor: str | None, qhash: str, scans: int) -> dict[str, Any] | None:
        """A cursor's state: signed by this deployment for this app and query, fields of the right type
        and range (a sort key past the scan's range must never reach DynamoDB's ExclusiveStartKey)."""
        if not cursor:
            return None
        state = self.cursors.open(app, cursor)
        if not isinstance(state, dict) or state.get("h") != qhash:
            raise InvalidQuery("cursor does not belong to this query")
        if "o" in state:
            if type(state["o"]) is not int or not 0 <= state["o"] <= WINDOW:
                raise InvalidQuery("invalid cursor")
        elif type(state.get("i")) is not int or not 0 <= state["i"] < max(scans, 1) or not isinstance(state.get("k"), str):
            raise InvalidQuery("invalid cursor")
        return state

    def _window(self, app: str, found: list[Record], p: Plan, query: Query, state: dict[str, Any] | None,
                qhash: str) -> Result:
        if p.near is not None:
            n = p.near
            found.sort(key=lambda r: _distance(r, n))
        for fld, desc in reversed(p.sort or []):
            alts = query.alternatives.get(fld, ())
            found.sort(key=lambda r: sort_value(r.doc, fld, alts), reverse=desc)
        offset = int(state.get("o", 0)) if state else 0
        page = found[offset: offset + query.limit]
        page = page[: budget.fitting(r.doc for r in page)]  # what one response carries; the cursor goes on from there
        end = offset + len(page)
        return Result(page, self.cursors.seal(app, {"o": end, "h": qhash}) if end < len(found) else None)


def _distance(rec: Record, n: Within) -> float:
    loc = get_path(rec.doc, n.field)
    return geo.distance_m(n.lat, n.lon, float(loc["latitude"]), float(loc["longitude"]))


class _Run:
    """One execution over a list of scans: reads pages, verifies hits, remembers garbage.

    A scan of a sharded collection reads every partition of its index under every live layout
    (`indexing.partitions`) at once and merges them by sort key (`_merged`), so it yields hits in the
    same order as one partition would, and a cursor (scan number, last sort key) resumes every
    partition after that key.
    """

    def __init__(self, ex: Executor, app: str, coll: str, scans: list[IndexRange], where: Node | None, ok: Visible,
                 live: tuple[int, ...] = (1,)) -> None:
        self.ex, self.app, self.coll, self.scans, self.where, self.ok = ex, app, coll, scans, where, ok
        self.live = live
        self.prefix = f"{app}#{coll}#"
        self.garbage: list[tuple[str, str]] = []
        self.reads = 0
        self.rejected = 0
        self.exhausted_budget = False
        self.position: tuple[int, str] | None = None
        self._keys: dict[str, set[tuple[str, str]]] = {}
        self._props = {indexing.top_property(s.index) for s in scans}  # what verification needs

    def hits(self, start_scan: int, start_key: str | None, want: int = 100) -> Iterator[tuple[Record, int, str]]:
        """Verified hits in scan order. Reads track the page, not the collection: see `_merged`."""
        yielded = 0
        for i in range(start_scan, len(self.scans)):
            scan = self.scans[i]
            after = start_key if i == start_scan else None
            parts = indexing.partitions(scan.index, self.live)
            for batch in self._merged(scan, parts, after, want):
                while batch:
                    # the entities of as many hits as the page still needs (+2), all of them once hits get
                    # rejected: a merged batch can hold more entries than the page takes
                    take = len(batch) if self.rejected else max(2, want - yielded + 2)
                    chunk, batch = batch[:take], batch[take:]
                    uuids = list(dict.fromkeys(indexing.split_sort_key(sk)[1] for _, sk, _ in chunk))
                    recs = self.ex.store.batch_get(self.app, uuids) if uuids else {}
                    for part, sk, written in chunk:
                        self.position = (i, sk)
                        rec = self._verify(i, scan, part, sk, written, recs)
                        if rec is not None:
                            yielded += 1
                            yield rec, i, sk
                        else:
                            self.rejected += 1
            if self.exhausted_budget:
                return

    def _merged(self, scan: IndexRange, parts: list[str], after: str | None,
                want: int) -> Iterator[list[tuple[str, str, int]]]:
        """Batches of (partition, sort key, written ms) in the scan's order, merged over `parts`.

        One partition (the unsharded layout): pages of `want` + 2 doubling up to 100, as before.
        P partitions: every partition is read at once (one round trip) in pages of
        p = ⌈k/P + 2·√(k/P)⌉ + 1 for a page of k: a partition's share of the first k hits is about
        k/P ± √(k/P), so one round almost always holds all of them (k = 20, P = 32: p = 4, one round
        in 99% of pages against 1.7 rounds on average for p = 2), and a Query call is billed by the
        4 KB read, which 4 entries do not fill. A batch holds every buffered entry up to the smallest
        (descending: largest) last key among partitions not yet exhausted, which no unread entry can
        precede; partitions whose buffer drained are refilled together, in pages of p. Without
        rejected hits a page of k reads at most k + P·p ≤ 2k + 2√(kP) + 2P ≤ 3k + 3P entries (one
        round: P·p); once verification or a filter rejects hits, refills double per partition (to 100)
        so a filtered read does not crawl. At most READ_BUDGET entries per request.
        """
        n = len(parts)
        single = n == 1
        first = min(100, want + 2) if single else min(100, math.ceil(want / n + 2 * math.sqrt(want / n)) + 1)
        size = [first] * n
        bufs: list[deque[tuple[str, int]]] = [deque() for _ in parts]
        last: list[str | None] = [after] * n
        done = [False] * n
        while True:
            need = [j for j in range(n) if not bufs[j] and not done[j]]
            if need:
                if self.reads >= READ_BUDGET:
                    self.exhausted_budget = True
                    return
                pages = parallel.run_all([partial(self.ex.store.query_index, self.prefix + parts[j], scan.low,
                                                  scan.high, scan.descending, last[j], size[j]) for j in need])
                for j, (page, more) in zip(need, pages, strict=True):
                    self.reads += len(page)
                    bufs[j].extend((h.sk, h.written_ms) for h in page)
                    done[j], last[j] = more is None, more
                    if single or self.rejected:
                        size[j] = min(100, size[j] * 2)
                if any(not bufs[j] and not done[j] for j in range(n)):
                    continue  # an empty page that is not the end (DynamoDB may return one): read on
            if all(not b for b in bufs):
                return
            open_ends = [bufs[j][-1][0] for j in range(n) if not done[j]]
            bound = (max if scan.descending else min)(open_ends) if open_ends else None
            batch: list[tuple[str, str, int]] = []
            for j in range(n):
                b = bufs[j]
                while b and (bound is None or (b[0][0] >= bound if scan.descending else b[0][0] <= bound)):
                    sk, t = b.popleft()
                    batch.append((parts[j], sk, t))
            batch.sort(key=lambda e: e[1], reverse=scan.descending)
            yield batch

    def _verify(self, i: int, scan: IndexRange, part: str, sk: str, written: int,
                recs: dict[str, Record]) -> Record | None:
        """`part`: the partition the entry was read from. An entry under another layout than the one
        the entity's entries live in now (`Record.shards`) is stale, like an entry of an old value."""
        _, uuid, version = indexing.split_sort_key(sk)
        rec = recs.get(uuid)
        if rec is None or rec.collection != self.coll:
            if self.ex.clock() - written > GRACE_MS:
                self.garbage.append((part, sk))
            return None
        keys = self._current_keys(rec)
        if (scan.index, sk) not in keys or part != indexing.shard_name(scan.index, uuid, rec.shards):
            if version <= rec.version or self.ex.clock() - written > GRACE_MS:
                self.garbage.append((part, sk))
            return None
        for j, other in enumerate(self.scans[: i + 1]):
            for idx, key in keys:
                if idx == other.index and other.low <= key <= other.high:
                    if j < i or (key < sk if not scan.descending else key > sk):
                        return None  # this entity is emitted at an earlier key
        doc = rec.doc | {"uuid": rec.uuid}
        if not matches(self.where, doc) or not self.ok(rec):
            return None
        return rec

    def _current_keys(self, rec: Record) -> set[tuple[str, str]]:
        """The entity's current keys in the indexes this run reads (only their top-level properties are
        indexed again: a hit is checked against the entry read, not against every entry of the entity)."""
        if rec.uuid not in self._keys:
            keys = set()
            for prop in self._props:
                v = rec.prop_versions.get(prop)
                if v is not None and prop in rec.doc:
                    keys |= {(e.prop, indexing.sort_key(e.enc, rec.uuid, v))
                             for e in indexing.prop_entries(prop, rec.doc[prop])}
            self._keys[rec.uuid] = keys
        return self._keys[rec.uuid]

    def repair(self) -> None:
        if self.garbage:
            self.ex.store.write_index(self.prefix, [], sorted(set(self.garbage)))
            self.garbage = []
