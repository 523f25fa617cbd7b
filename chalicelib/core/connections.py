"""Connections between entities (Usergrid's `/{collection}/{entity}/{verb}/{target}`), both ways.

Each connection is four index items written in one batch (see `Connections`). Listing either way
is one Query on one small partition plus one BatchGetItem for the page of entities: no Scan.

Each entity also keeps the verbs it is the source and the target of (`Record.out_verbs` /
`in_verbs`, on the entity item): Usergrid shows them as `metadata.connections` / `connecting`
links, which then cost no read, and deleting an entity knows which partitions hold its edges.
A verb is added by the first connection that uses it (one UpdateItem per end, only then) and
removed when its last connection goes (see `_prune`).

Deleting an entity removes its edges both ways (`unlink`): up to `SYNC_EDGES` in the request,
the rest by a task (`submit`) that pages through them. Until then, and for edges no verb list
names (written before verbs were kept), listings skip them: the entity they name is gone, or
was created after the edge (an edge is never older than both its ends).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from . import budget, parallel
from .casefold import fold_keys
from .cursors import Cursors
from .errors import InvalidInput, InvalidQuery, TooManyVerbs
from .ids import now_ms
from .indexing import SEP, TOP
from .ports import EntityStore, Record
from .query import Node, matches

VERB_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")
SYNC_EDGES = 100  # edges a delete unlinks in the request (4 item deletes and a verb check each); then a task
PAGE = 100
MAX_VERBS = 100  # distinct verbs per entity and direction: they live on the entity item (400 KB with its document)
CALLS_PER_EDGE = 4  # an edge's share of a page's Query and deletes, and its other end's verb check (3.2 measured)
ALL_READ_BUDGET = 4000  # index entries one all-verbs listing reads before it hands back a cursor (planner's)
RESERVE_CALLS = 100  # left to the rest of a request that unlinks (the task's submission, the answer's reads)
UNLINK_TASK = "connections-unlink"
Submit = Callable[[str, str, dict[str, Any]], Any]  # (app, runner, params): start a task (core/tasks.py)
Ids = list[tuple[str, str]]  # (collection, uuid) pairs; `list` is a method name inside Connections


@dataclass
class Linked:
    records: list[Record]
    cursor: str | None


class Connections:
    """Each connection is four index items: membership, `conn#<source>#<verb>` -> `<collection>
    SEP <target> SEP <ms>` and `connecting#<target>#<verb>` -> the source, which answer "is this
    connected?" with one Query on a key prefix; and the same two ordered by connection time,
    `connt#...` / `connectingt#...` -> `<ms, 13 digits> SEP <collection> SEP <uuid>`, which list
    newest connection first (Usergrid's order: re-connecting moves an entity to the front).
    Connections written before the time-ordered items existed (sort key without `SEP <ms>`) are
    listed from the membership items, in uuid order, until they are re-connected."""

    def __init__(self, store: EntityStore, cursors: Cursors | None = None, clock: Callable[[], int] = now_ms,
                 submit: Submit | None = None) -> None:
        self.store = store
        self.cursors = cursors or Cursors()
        self.clock = clock
        self.submit = submit  # None: a delete unlinks every edge in the request (tests, scripts)

    def connect(self, app: str, source: Record, verb: str, target: Record, *, fresh: bool = False) -> None:
        """`fresh`: the target was just created, so no earlier edge can exist (no lookup). The edge is
        written first, then each end's verb (first use only): a reader never sees a verb without an edge
        for longer than the write takes."""
        verb = _verb(verb)
        for rec, side in ((source, "out"), (target, "in")):
            if verb not in _verbs(rec, side) and len(_verbs(rec, side)) >= MAX_VERBS:
                raise TooManyVerbs(f"an entity has at most {MAX_VERBS} connection verbs each way")
        old = [] if fresh else self._edges(app, source, verb, target)
        # never older than an end (listings skip such edges as left by a deleted entity): clocks differ
        t = max([self.clock(), _created(source), _created(target), *(ms + 1 for ms in old)])
        items = _items(source, verb, target, t)
        self.store.write_index(f"{app}#", items, self._stale(source, verb, target, old))
        self._note_ends(app, verb, [(source, "out"), (target, "in")], items)

    def connect_new(self, app: str, source: Record, verb: str, targets: list[Record]) -> None:
        """Targets not connected yet (the caller knows: no lookup), in one batched write, connected in
        the given order (times now, now + 1 ms, ...)."""
        verb, t0 = _verb(verb), self.clock()
        ends = [(source, "out")] * bool(targets) + [(t, "in") for t in targets]
        for rec, side in ends:
            if verb not in _verbs(rec, side) and len(_verbs(rec, side)) >= MAX_VERBS:
                raise TooManyVerbs(f"an entity has at most {MAX_VERBS} connection verbs each way")
        # never older than an end (listings skip such edges as left by a deleted entity), as in `connect`
        items = [item for i, t in enumerate(targets)
                 for item in _items(source, verb, t, max(t0 + i, _created(source), _created(t)))]
        if items:
            self.store.write_index(f"{app}#", items, [])
        # each end's verb on first use, so links show it and a delete unlinks it (as `connect`)
        self._note_ends(app, verb, ends, items)

    def disconnect(self, app: str, source: Record, verb: str, target: Record) -> None:
        verb = _verb(verb)
        self.store.write_index(f"{app}#", [], self._stale(source, verb, target, self._edges(app, source, verb, target)))
        parallel.run_all([partial(self._prune, app, source.uuid, "out", verb),
                          partial(self._prune, app, target.uuid, "in", verb)])

    def connected(self, app: str, source: Record, verb: str, target: Record) -> bool:
        born = max(_created(source), _created(target))
        return any(ms < 0 or ms >= born for ms in self._edges(app, source, _verb(verb), target))

    def _note_ends(self, app: str, verb: str, ends: list[tuple[Record, str]], items: list[tuple[str, str]]) -> None:
        """Record `verb` at each end that lacks it (the edges are written). The MAX_VERBS check above
        reads the request's copy; the write checks again, so of connects racing for an end's last
        verb slot one loses: its edges are withdrawn and the verb taken off the ends that got it
        (if no other edge of it is left there), then it is a 400, as a connect past the limit is."""
        todo = [(rec, side) for rec, side in ends if verb not in _verbs(rec, side)]
        try:
            parallel.run_all([partial(self._note, app, rec, side, verb) for rec, side in todo])
        except TooManyVerbs:
            if items:
                self.store.write_index(f"{app}#", [], items)
            parallel.run_all([partial(self._prune, app, rec.uuid, side, verb) for rec, side in todo])
            raise

    def _note(self, app: str, rec: Record, side: str, verb: str) -> None:
        if self.store.change_verbs(app, rec.uuid, side, verb, True, limit=MAX_VERBS):
            verbs = tuple(sorted({*_verbs(rec, side), verb}))
            if side == "out":
                rec.out_verbs = verbs  # this request's copy: the next connect of its fan-out skips the write
            else:
                rec.in_verbs = verbs

    def _prune(self, app: str, uuid: str, side: str, verb: str) -> None:
        """Drop `verb` from an end that has no edge of it left. A connect racing with this may have seen
        the verb and skipped adding it: so look again after removing, and put it back if an edge is there."""
        if self._any_edge(app, uuid, side, verb):
            return
        if self.store.change_verbs(app, uuid, side, verb, False) and self._any_edge(app, uuid, side, verb):
            self.store.change_verbs(app, uuid, side, verb, True)

    def _any_edge(self, app: str, uuid: str, side: str, verb: str) -> bool:
        hits, _ = self.store.query_index(f"{app}#{'conn' if side == 'out' else 'connecting'}#{uuid}#{verb}",
                                         "0", TOP, False, None, 1)
        return bool(hits)

    # -- deleting an entity ---------------------------------------------------------------------
    def unlink(self, app: str, entity: Record) -> None:
        """Remove a deleted entity's edges both ways: `SYNC_EDGES` here, the rest by a task."""
        if not (entity.out_verbs or entity.in_verbs):
            return
        limit: int | None = None
        if self.submit is not None:  # what the request can still afford (a bulk delete unlinks many entities)
            left = budget.calls_left()
            limit = SYNC_EDGES if left is None else max(0, min(SYNC_EDGES, (left - RESERVE_CALLS) // CALLS_PER_EDGE))
        if limit != 0 and self.unlink_some(app, entity.uuid, entity.collection, list(entity.out_verbs),
                                           list(entity.in_verbs), limit):
            return
        assert self.submit is not None
        self.submit(app, UNLINK_TASK, {"app": app, "uuid": entity.uuid, "collection": entity.collection,
                                       "out": list(entity.out_verbs), "in": list(entity.in_verbs)})

    def run_unlink(self, params: dict[str, Any], budget_s: float = 600.0) -> dict[str, Any]:
        """The task's work: unlink page by page, handing on to a new task before the worker's time is up."""
        import time

        app, started = str(params["app"]), time.monotonic()
        while time.monotonic() - started < budget_s:
            if self.unlink_some(app, str(params["uuid"]), str(params["collection"]), list(params["out"]),
                                list(params["in"]), PAGE * 10):
                return {"result": "done"}
        assert self.submit is not None
        return {"result": "continued", "next": self.submit(app, UNLINK_TASK, params)}

    def unlink_some(self, app: str, uuid: str, collection: str, out: list[str], into: list[str],
                    limit: int | None) -> bool:
        """Unlink up to `limit` edges (None: all) of the entity `uuid`; True once none is left. Each page
        is one Query of the membership partition, one batch of deletes, and one verb check per other end."""
        me = Record(app, collection, uuid, 0, {})
        done = 0
        for side, verbs in (("out", out), ("in", into)):
            for verb in verbs:
                part = f"{app}#{'conn' if side == 'out' else 'connecting'}#{uuid}#{_verb(verb)}"
                after: str | None = None  # pages on past what was read: progress even if a delete did not land
                while limit is None or done < limit:
                    size = PAGE if limit is None else min(PAGE, limit - done)
                    hits, last = self.store.query_index(part, "0", TOP, False, after, size)
                    if not hits:
                        break
                    after = hits[-1].sk
                    stale: list[tuple[str, str]] = []
                    others: set[str] = set()
                    for h in hits:
                        parts = h.sk.split(SEP)
                        if len(parts) < 2:
                            continue
                        other = Record(app, parts[0], parts[1], 0, {})
                        ms = [int(parts[2])] if len(parts) > 2 and parts[2].isdigit() else [-1]
                        stale += self._stale(me, verb, other, ms) if side == "out" else self._stale(other, verb, me, ms)
                        others.add(other.uuid)
                    self.store.write_index(f"{app}#", [], stale)
                    parallel.run_all([partial(self._prune, app, o, "in" if side == "out" else "out", verb)
                                      for o in sorted(others)])
                    done += len(hits)
                    if last is None:
                        break
                else:
                    return False
        return True

    def _edges(self, app: str, source: Record, verb: str, target: Record) -> list[int]:
        """The connection times of source -verb-> target (-1: an edge older than connection times)."""
        prefix = f"{target.collection}{SEP}{target.uuid}"
        hits, _ = self.store.query_index(f"{app}#conn#{source.uuid}#{_verb(verb)}", prefix, prefix + SEP + TOP,
                                         False, None, 10)
        return [int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else -1
                for parts in (h.sk.split(SEP) for h in hits)]

    @staticmethod
    def _stale(source: Record, verb: str, target: Record, times: list[int]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for ms in times:
            if ms < 0:  # written before connection times: membership items without one
                out += [(f"conn#{source.uuid}#{verb}", f"{target.collection}{SEP}{target.uuid}"),
                        (f"connecting#{target.uuid}#{verb}", f"{source.collection}{SEP}{source.uuid}")]
            else:
                out += _items(source, verb, target, ms)
        return out

    def list(self, app: str, entity: Record, verb: str, *, reverse: bool = False,
             where: Node | None = None, limit: int = 10, cursor: str | None = None,
             visible: object = None, fold_case: bool = False) -> Linked:
        """Entities connected from (or, reverse, to) `entity` by `verb`, newest connection first.
        `fold_case`: `where` names paths lower-cased and matches them in any case (casefold.fold_keys)."""
        verb = _verb(verb)
        side = "connecting" if reverse else "conn"
        timed = f"{app}#{side}t#{entity.uuid}#{verb}"
        after = self._decode(app, cursor)
        if after is None or after.startswith("t:"):
            got = self._read(app, timed, where, limit, after[2:] if after else None, visible, "t:",
                             born=_created(entity), fold=fold_case)
            if got.records or got.cursor or after:
                return got
            after = None  # nothing time-ordered: a collection of connections older than connection times
        legacy = after[2:] if after and after.startswith("m:") else None
        return self._read(app, f"{app}#{side}#{entity.uuid}#{verb}", where, limit, legacy, visible, "m:",
                          descending=False, born=_created(entity), fold=fold_case)

    def _read(self, app: str, part: str, where: Node | None, limit: int, after: str | None,
              visible: object, tag: str, descending: bool = True, born: int = 0, fold: bool = False) -> Linked:
        """One side's page: `t:` items hold the uuid third (`ms SEP coll SEP uuid`), `m:` second."""
        uuid_at = 2 if tag == "t:" else 1
        out: list[Record] = []
        size, room, kept = 0, budget.limits().page_bytes, after
        while len(out) < limit:
            hits, last = self.store.query_index(part, "0", TOP, descending, after, min(100, limit - len(out) + 2))
            uuid_of = {h.sk: h.sk.split(SEP)[uuid_at] for h in hits}
            recs = self.store.batch_get(app, list(uuid_of.values())) if hits else {}
            for h in hits:
                after = h.sk
                rec = recs.get(uuid_of[h.sk])
                if rec is not None and 0 <= _edge_ms(h.sk, tag) < max(born, _created(rec)):
                    rec = None  # an edge older than an end: left by an entity deleted before (its uuid reused)
                doc = (fold_keys(rec.doc) if fold and where is not None else rec.doc) if rec is not None else {}
                if rec is not None and matches(where, doc | {"uuid": rec.uuid}) and (
                        visible is None or visible(rec)):  # type: ignore[operator]
                    size += budget.entity_bytes(rec.doc)
                    if out and size > room:  # one Lambda response is full: go on from the last one kept
                        return Linked(out, self.cursors.seal(app, tag + str(kept)))
                    out.append(rec)
                    kept = h.sk
                    if len(out) == limit:
                        return Linked(out, self.cursors.seal(app, tag + h.sk) if (last or h is not hits[-1]) else None)
            if last is None:
                return Linked(out, None)
            after = last
        return Linked(out, self.cursors.seal(app, tag + after) if after else None)

    def list_all(self, app: str, entity: Record, verbs: Sequence[str], *, reverse: bool = False,
                 where: Node | None = None, limit: int = 10, cursor: str | None = None,
                 visible: object = None, fold_case: bool = False) -> Linked:
        """Entities connected from (or, reverse, to) `entity` by any of `verbs`, newest connection
        first across them: Usergrid's `/{c}/{e}/connections` and `/{c}/{e}/connecting`.

        Each verb's time-ordered partition is read at once (one round trip) in pages of
        p = ceil(k/V + 2*sqrt(k/V)) + 1 for a page of k over V verbs (as the sharded-index merge in
        planner.py); a verb drained before the others is refilled in pages doubling up to 100 (it holds
        the newest connections, or its hits were rejected). Entries merge by (sort key, verb)
        descending, and only entries no unread one can precede are taken, so a page of k reads about
        2k + V*p entries, never more than ALL_READ_BUDGET. The cursor is the last
        (sort key, verb) taken: each verb resumes below it (a verb sorting lower also at that very key,
        the same entity connected in the same millisecond by two verbs). An entity connected by two
        verbs is listed once per connection. Edges older than connection times are not merged: the
        per-verb listing still shows them."""
        names = sorted({_verb(v) for v in verbs})
        if len(names) > MAX_VERBS:
            raise InvalidInput(f"an entity has at most {MAX_VERBS} connection verbs each way")
        side = "connectingt" if reverse else "connt"
        at_sk, at_verb = self._decode_all(app, cursor)
        n = len(names)
        if not n:
            return Linked([], None)
        high = [at_sk if at_sk is not None and v < at_verb else TOP for v in names]
        last: list[str | None] = [at_sk if at_sk is not None and v >= at_verb else None for v in names]
        size = [min(100, math.ceil(limit / n + 2 * math.sqrt(limit / n)) + 1)] * n
        bufs: list[deque[str]] = [deque() for _ in names]
        done = [False] * n
        born, room, used, reads = _created(entity), budget.limits().page_bytes, 0, 0
        out: list[Record] = []
        kept: tuple[str, str] | None = (at_sk, at_verb) if at_sk is not None else None

        def sealed(pos: tuple[str, str] | None) -> str | None:
            return self.cursors.seal(app, ["a", pos[0], pos[1]]) if pos else None

        while True:
            need = [j for j in range(n) if not bufs[j] and not done[j]]
            if need:
                left = budget.calls_left()  # a page over many verbs stops with a cursor before the ceiling
                if kept is not None and (reads >= ALL_READ_BUDGET or (left is not None and left < len(need) + 10)):
                    return Linked(out, sealed(kept))
                for j in need:  # a verb drained before the others holds the newest: read more of it at once
                    if last[j] is not None and reads:
                        size[j] = min(100, size[j] * 2)
                share = max(1, (ALL_READ_BUDGET - reads) // len(need))  # the last round too stays in budget
                pages = parallel.run_all([partial(self.store.query_index, f"{app}#{side}#{entity.uuid}#{names[j]}",
                                                  "0", high[j], True, last[j], min(size[j], share)) for j in need])
                for j, (page, more) in zip(need, pages, strict=True):
                    reads += len(page)
                    bufs[j].extend(h.sk for h in page)
                    done[j], last[j] = more is None, more
                if any(not bufs[j] and not done[j] for j in range(n)):
                    continue  # an empty page that is not the end (DynamoDB may return one): read on
            if all(not b for b in bufs):
                return Linked(out, None)
            # entries no unread one can precede: down to the highest last-read key of a verb not done
            open_ends = [bufs[j][-1] for j in range(n) if not done[j]]
            bound = max(open_ends) if open_ends else None
            batch: list[tuple[str, str]] = []
            while len(batch) < limit - len(out) + 2:
                heads = [(bufs[j][0], names[j], j) for j in range(n)
                         if bufs[j] and (bound is None or bufs[j][0] >= bound)]
                if not heads:
                    break
                sk, verb, j = max(heads)
                bufs[j].popleft()
                batch.append((sk, verb))
            recs = self.store.batch_get(app, list(dict.fromkeys(sk.split(SEP)[2] for sk, _ in batch)))
            for sk, verb in batch:
                rec = recs.get(sk.split(SEP)[2])
                if rec is not None and 0 <= _edge_ms(sk, "t:") < max(born, _created(rec)):
                    rec = None  # an edge older than an end: left by an entity deleted before (its uuid reused)
                doc = (fold_keys(rec.doc) if fold_case and where is not None else rec.doc) if rec is not None else {}
                if rec is None or not matches(where, doc | {"uuid": rec.uuid}) or (
                        visible is not None and not visible(rec)):  # type: ignore[operator]
                    kept = (sk, verb)  # nothing to show up to here: resume below it
                    continue
                used += budget.entity_bytes(rec.doc)
                if out and used > room:  # one Lambda response is full: go on from the last one kept
                    return Linked(out, sealed(kept))
                out.append(rec)
                kept = (sk, verb)
                if len(out) == limit:
                    more = any(bufs) or not all(done) or (sk, verb) != batch[-1]
                    return Linked(out, sealed(kept) if more else None)

    def ids(self, app: str, source: str, verb: str, limit: int) -> Ids:
        """(collection, uuid) of the first `limit` entities connected from `source` by `verb`, oldest
        connection first: the index alone, one Query per 100 (no entity read). Relations load their
        members this way for a whole page of parents, then read every member in one batch."""
        verb = _verb(verb)
        out: Ids = []
        for part, at in ((f"{app}#connt#{source}#{verb}", 1), (f"{app}#conn#{source}#{verb}", 0)):
            after: str | None = None
            while len(out) < limit:
                hits, last = self.store.query_index(part, "0", TOP, False, after, min(100, limit - len(out)))
                out += [(p[at], p[at + 1]) for p in (h.sk.split(SEP) for h in hits) if len(p) > at + 1]
                if last is None:
                    break
                after = last
            if out:  # connections older than connection times have membership items only
                return out
        return out

    def _decode_all(self, app: str, cursor: str | None) -> tuple[str | None, str]:
        """An all-verbs cursor: the last (sort key, verb) listed; InvalidQuery for anything else."""
        if not cursor:
            return None, ""
        state = self.cursors.open(app, cursor)
        if (not isinstance(state, list) or len(state) != 3 or state[0] != "a"
                or not all(isinstance(x, str) for x in state[1:]) or not state[1] or len(state[1]) > 1024):
            raise InvalidQuery("invalid cursor")
        try:
            return state[1], _verb(state[2])
        except InvalidInput:
            raise InvalidQuery("invalid cursor") from None

    def _decode(self, app: str, cursor: str | None) -> str | None:
        if not cursor:
            return None
        after = self.cursors.open(app, cursor)
        if not isinstance(after, str) or not after.startswith(("t:", "m:")):
            raise InvalidQuery("invalid cursor")
        return after


def _items(source: Record, verb: str, target: Record, ms: int) -> list[tuple[str, str]]:
    t = f"{ms:013d}"
    return [(f"conn#{source.uuid}#{verb}", f"{target.collection}{SEP}{target.uuid}{SEP}{t}"),
            (f"connecting#{target.uuid}#{verb}", f"{source.collection}{SEP}{source.uuid}{SEP}{t}"),
            (f"connt#{source.uuid}#{verb}", f"{t}{SEP}{target.collection}{SEP}{target.uuid}"),
            (f"connectingt#{target.uuid}#{verb}", f"{t}{SEP}{source.collection}{SEP}{source.uuid}")]


def _verbs(rec: Record, side: str) -> tuple[str, ...]:
    return rec.out_verbs if side == "out" else rec.in_verbs


def _created(rec: Record) -> int:
    c = rec.doc.get("created")
    return c if isinstance(c, int) and not isinstance(c, bool) else 0


def _edge_ms(sk: str, tag: str) -> int:
    """An edge's connection time from its sort key; -1 for one written before connection times."""
    parts = sk.split(SEP)
    ms = parts[0] if tag == "t:" else (parts[2] if len(parts) > 2 else "")
    return int(ms) if ms.isdigit() else -1


def _verb(verb: str) -> str:
    v = (verb or "").lower()
    if not v or len(v) > 64 or not set(v) <= VERB_CHARS:
        raise InvalidInput(f"invalid connection verb: {verb!r}")
    return v
