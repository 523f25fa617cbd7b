"""Connections between entities (Usergrid's `/{collection}/{entity}/{verb}/{target}`), both ways.

Each connection is four index items written in one batch (see `Connections`). Listing either way
is one Query on one small partition plus one BatchGetItem for the page of entities: no Scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import budget
from .cursors import Cursors
from .errors import InvalidInput, InvalidQuery
from .ids import now_ms
from .indexing import SEP, TOP
from .ports import EntityStore, Record
from .query import Node, matches

VERB_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")
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

    def __init__(self, store: EntityStore, cursors: Cursors | None = None, clock: Callable[[], int] = now_ms) -> None:
        self.store = store
        self.cursors = cursors or Cursors()
        self.clock = clock

    def connect(self, app: str, source: Record, verb: str, target: Record, *, fresh: bool = False) -> None:
        """`fresh`: the target was just created, so no earlier edge can exist (no lookup)."""
        verb = _verb(verb)
        old = [] if fresh else self._edges(app, source, verb, target)
        t = max([self.clock(), *(ms + 1 for ms in old)])
        self.store.write_index(f"{app}#", _items(source, verb, target, t), self._stale(source, verb, target, old))

    def connect_new(self, app: str, source: Record, verb: str, targets: list[Record]) -> None:
        """Targets not connected yet (the caller knows: no lookup), in one batched write, connected in
        the given order (times now, now + 1 ms, ...)."""
        verb, t0 = _verb(verb), self.clock()
        items = [item for i, t in enumerate(targets) for item in _items(source, verb, t, t0 + i)]
        if items:
            self.store.write_index(f"{app}#", items, [])

    def disconnect(self, app: str, source: Record, verb: str, target: Record) -> None:
        verb = _verb(verb)
        self.store.write_index(f"{app}#", [], self._stale(source, verb, target, self._edges(app, source, verb, target)))

    def connected(self, app: str, source: Record, verb: str, target: Record) -> bool:
        return bool(self._edges(app, source, _verb(verb), target))

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
             visible: object = None) -> Linked:
        """Entities connected from (or, reverse, to) `entity` by `verb`, newest connection first."""
        verb = _verb(verb)
        side = "connecting" if reverse else "conn"
        timed = f"{app}#{side}t#{entity.uuid}#{verb}"
        after = self._decode(app, cursor)
        if after is None or after.startswith("t:"):
            got = self._read(app, timed, where, limit, after[2:] if after else None, visible, "t:")
            if got.records or got.cursor or after:
                return got
            after = None  # nothing time-ordered: a collection of connections older than connection times
        legacy = after[2:] if after and after.startswith("m:") else None
        return self._read(app, f"{app}#{side}#{entity.uuid}#{verb}", where, limit, legacy, visible, "m:",
                          descending=False)

    def _read(self, app: str, part: str, where: Node | None, limit: int, after: str | None,
              visible: object, tag: str, descending: bool = True) -> Linked:
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
                if rec is not None and matches(where, rec.doc | {"uuid": rec.uuid}) and (
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


def _verb(verb: str) -> str:
    v = (verb or "").lower()
    if not v or len(v) > 64 or not set(v) <= VERB_CHARS:
        raise InvalidInput(f"invalid connection verb: {verb!r}")
    return v
