"""Index layouts: over how many partition keys each index of a collection is spread (hot partitions).

Every index entry of one index of one collection used to share one partition key
(`<app>#<collection>#<index>`), and DynamoDB takes about 1,000 writes/s per key: `created`,
`modified` and any keyword every document shares capped a collection at a few hundred creates/s.
A collection's layout spreads each index over S keys (`indexing.shard_name`: `<index>#<i>/<S>`,
i = crc32(uuid) mod S); readers merge the S ranges by sort key (planner). S = 1 is the old layout,
key for key, and the default: every indexed read of a sharded collection costs S Queries (one round
trip, billed per call), so S is chosen per collection, for the collections that need it.

Where S is kept: one document per sharded collection, `layout#<app>#<collection>` in the tenants
table (the DocStore port), read through a per-container cache (`CACHE_S`): the hot path pays no
read, a container one GetItem per collection every CACHE_S (collections never sharded included:
the absence is cached too).

A switch keeps readers ahead of writers. `set_shards` records the new count, the count writers use
until then (`previous`) and `switch_ms` = now + CACHE_S + 1 s, and adds the new count to `live`,
the layouts readers merge. Every container's cached copy is fresher than CACHE_S, so by the time
any writer writes under the new layout every reader already reads it. Entries written under
older layouts stay readable (they are among `live`) until `migrate_page` has rewritten every entity
under the new count (core/entities.Entities.reshard) and `finish` drops the old layouts from `live`.
Each entity records the count its entries were written under (`Record.shards`), so updates and
deletes remove the entries where they are, whatever the collection's layout is now.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from . import parallel
from .entities import collection_key
from .errors import Conflict, Forbidden, InvalidInput, InvalidQuery
from .ids import now_ms
from .indexing import MAX_SHARDS
from .ports import DocStore, Record, VersionConflict
from .query import Query

if TYPE_CHECKING:
    from .data import AppData

CACHE_S = 30.0  # how stale a container's copy of a layout may be
GRACE_MS = 60_000  # a write that read the old layout just before the switch has landed after this
MAX_LIVE = 3  # layouts a read may merge at once (the current one and those a migration has yet to empty)
MIGRATE_PAGE = 25  # entities one migration step reads and moves (25 at once: ~3 sequential round trips)
_CACHED = 10_000


@dataclass(frozen=True)
class Layout:
    shards: int = 1  # what writers use from switch_ms on
    previous: int = 1  # what writers used before switch_ms
    switch_ms: int = 0
    live: tuple[int, ...] = (1,)  # every layout that may hold entries: readers merge them all

    def write_shards(self, now: int) -> int:
        return self.shards if now >= self.switch_ms else self.previous

    def public(self, now: int) -> dict[str, Any]:
        return {"shards": self.shards, "writing": self.write_shards(now), "switch_ms": self.switch_ms,
                "live": list(self.live), "migrated": self.live == (self.shards,)}


def _key(app: str, collection: str) -> str:
    return f"layout#{app}#{collection}"


def _parse(doc: dict[str, Any]) -> Layout:
    return Layout(int(doc["shards"]), int(doc["previous"]), int(doc["switch_ms"]),
                  tuple(int(s) for s in doc["live"]))


class Layouts:
    def __init__(self, docs: DocStore, clock: Callable[[], int] = now_ms,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.docs, self.clock, self.monotonic = docs, clock, monotonic
        self._cache: dict[tuple[str, str], tuple[float, Layout]] = {}
        self._lock = threading.Lock()

    # -- the hot path ------------------------------------------------------------------------
    def get(self, app: str, collection: str) -> Layout:
        """The collection's layout as this container knows it: at most CACHE_S old."""
        key = (app, collection)
        now = self.monotonic()
        got = self._cache.get(key)
        if got is not None and got[0] > now:
            return got[1]
        layout, _ = self._read(app, collection)
        with self._lock:
            if len(self._cache) >= _CACHED:
                self._cache.clear()
            self._cache[key] = (now + CACHE_S, layout)
        return layout

    def write_shards(self, app: str, collection: str) -> int:
        """The shard count a write made now files new index entries under."""
        return self.get(app, collection).write_shards(self.clock())

    def live(self, app: str, collection: str) -> tuple[int, ...]:
        """The layouts a read merges (the old one among them until a migration has finished)."""
        return self.get(app, collection).live

    # -- management --------------------------------------------------------------------------
    def _read(self, app: str, collection: str) -> tuple[Layout, int | None]:
        got = self.docs.get(_key(app, collection))
        return (_parse(got[0]), got[1]) if got is not None else (Layout(), None)

    def _write(self, app: str, collection: str, layout: Layout, version: int | None) -> None:
        doc = {"shards": layout.shards, "previous": layout.previous, "switch_ms": layout.switch_ms,
               "live": list(layout.live)}
        try:
            self.docs.put(_key(app, collection), doc, version)
        except VersionConflict:
            raise Conflict("the collection's layout changed meanwhile; read it and try again") from None
        with self._lock:
            self._cache.pop((app, collection), None)

    def stored(self, app: str, collection: str) -> Layout:
        """The layout as stored (no cache): what management shows."""
        return self._read(app, collection)[0]

    def set_shards(self, app: str, collection: str, shards: Any) -> Layout:
        """Spread the collection's indexes over `shards` keys (1 undoes it). Writers follow after
        CACHE_S + 1 s; entries already written stay readable; `migrate_page` moves them."""
        if type(shards) is not int or not 1 <= shards <= MAX_SHARDS:
            raise InvalidInput(f"shards must be an integer between 1 and {MAX_SHARDS}")
        cur, version = self._read(app, collection)
        now = self.clock()
        if shards == cur.shards:
            return cur
        live = tuple(dict.fromkeys((*cur.live, shards)))
        if len(live) > MAX_LIVE or sum(live) > 2 * MAX_SHARDS:
            # every read merges every live layout: they stay few until a migration drops the old ones
            raise Conflict(f"the collection still has entries under the layouts {list(cur.live)}; "
                           "migrate it before changing its layout again")
        new = Layout(shards, cur.write_shards(now), now + int(CACHE_S * 1000) + 1000, live)
        self._write(app, collection, new, version)
        return new

    def finish(self, app: str, collection: str, expected: Layout) -> Layout:
        """Drop every older layout from `live`, once a migration under `expected` has moved every entity."""
        cur, version = self._read(app, collection)
        if cur != expected:
            raise Conflict("the collection's layout changed during the migration; run it again")
        done = replace(cur, live=(cur.shards,))
        if done != cur:
            self._write(app, collection, done, version)
        return done


@dataclass
class MigrationStep:
    moved: int
    seen: int
    cursor: str | None  # None: the walk is complete and the old layouts are dropped
    layout: Layout


def migrate_page(layouts: Layouts, entities: Any, executor: Any, app: str, collection: str,
                 cursor: str | None = None, limit: int = MIGRATE_PAGE) -> MigrationStep:
    """One bounded step of rewriting a collection's entities under its current layout.

    Walks the collection in `created` order through the planner (every live layout merged, so
    entities still under an old one are found), moves each entity written under another count
    (`Entities.reshard`: new entries, then the entity, then the old entries: the write protocol),
    and hands back a cursor; the last step drops the older layouts. Run it to the end from a
    task or the CLI (`baas shards migrate`); each step fits in one request. Refused until writers
    that read the old layout just before the switch can no longer be in flight.
    """
    layout, _ = layouts._read(app, collection)
    now = layouts.clock()
    if now < layout.switch_ms + GRACE_MS:
        wait = (layout.switch_ms + GRACE_MS - now + 999) // 1000
        raise Conflict(f"writers switch to the new layout first; migrate in {wait} s")
    if layout.live == (layout.shards,) and cursor is None:
        return MigrationStep(0, 0, None, layout)
    # The cursor names the layout it walks for: entities behind it were checked against that count
    # only, so a walk begun before another switch must start over, or `finish` would drop a layout
    # that still holds some of them.
    mine = [layout.shards, layout.switch_ms]
    inner = None
    if cursor is not None:
        state = executor.cursors.open(app, cursor)
        if not isinstance(state, dict) or not isinstance(state.get("m"), str):
            raise InvalidQuery("invalid cursor")
        if state.get("l") != mine:
            raise Conflict("the collection's layout changed during the migration; start it again without a cursor")
        inner = state["m"]
    got = executor.run(app, collection, Query(limit=limit, cursor=inner), shards=layout.live)
    todo: list[Record] = [r for r in got.records if r.shards != layout.shards]
    moved = 0
    for i in range(0, len(todo), 25):
        moved += sum(parallel.run_all([partial(entities.reshard, r, layout.shards) for r in todo[i:i + 25]]))
    if got.cursor is None:
        return MigrationStep(moved, len(got.records), None, layouts.finish(app, collection, layout))
    return MigrationStep(moved, len(got.records), executor.cursors.seal(app, {"m": got.cursor, "l": mine}), layout)


# -- what a dialect calls: the app's data as its caller may see it --------------------------------
def _admin(data: AppData, collection: str) -> str:
    """Layouts change what every request of the collection costs: the app's credentials or an org
    admin only (the callers that see everything), whatever route asks."""
    if not data.policy.sees_everything(data.app, data.principal):
        raise Forbidden("changing a collection's index layout needs the app's credentials or an org admin")
    return collection_key(collection)


def show(data: AppData, layouts: Layouts, collection: str) -> tuple[str, Layout]:
    coll = _admin(data, collection)
    return coll, layouts.stored(data.app.uuid, coll)


def set_shards(data: AppData, layouts: Layouts, collection: str, shards: Any) -> tuple[str, Layout]:
    coll = _admin(data, collection)
    return coll, layouts.set_shards(data.app.uuid, coll, shards)


def migrate(data: AppData, layouts: Layouts, collection: str, cursor: str | None = None,
            limit: int = MIGRATE_PAGE) -> MigrationStep:
    coll = _admin(data, collection)
    return migrate_page(layouts, data.entities, data.executor, data.app.uuid, coll, cursor, limit)
