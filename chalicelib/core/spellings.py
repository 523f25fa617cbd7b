"""Recording the spellings of data stored before spellings were recorded: a backfill run once.

Case-insensitive ql (core/casefold.py) reads the spellings the class registry recorded when each
entity was written (`ClassRegistry.observe`). Entities written by a version that did not record them
(or imported by one) keep mixed-case names the registry has never seen, so `NAME = 'x'` misses an
entity storing `Name` until it is written again. An operator runs this walk once after upgrading
(`baas spellings APP [COLLECTION]`, or the management route it calls): it reads a collection, or every
collection the app lists (bootstrap.CollectionList), page by page through the `created` index, and
records each page's mixed-case indexed paths with `ClassRegistry.record_spellings`, under the bounds
`observe` keeps (spellings per collection, characters per path, characters per app).

Cost of one step: the entities it reads (one `Query` and one `BatchGetItem` per 100, as any listing)
and, for a page bringing a mixed-case path the registry lacks, one `GetItem` and one conditional
`PutItem` of the registry (its 30 s cache answers the rest). A step stops at `limit` entities or `MAX_READS` listings (a whole-app step crosses from one
collection to the next), or early when the request's budget runs low (calls or seconds), and hands back a signed cursor naming where it stopped; no cursor: the walk is complete.
Other containers see the recorded spellings once their registry cache (30 s) expires.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import budget
from .classes import cased_paths
from .data import AppData
from .errors import Forbidden, InvalidInput, InvalidQuery
from .query import Query

PAGE = 500  # entities per step unless asked otherwise
MAX_PAGE = 1000  # the planner's own maximum
RESERVE_CALLS = 40  # a step stops while this many DynamoDB calls are left: one more page costs ~13
RESERVE_SECONDS = 5.0  # ... or this much of the request's time
MAX_READS = 10  # listings per step (each reads at most 4,000 index entries: within the items ceiling)


@dataclass
class BackfillStep:
    read: int = 0  # entities read
    recorded: int = 0  # spellings recorded that the registry did not hold
    collections: list[str] = field(default_factory=list)  # collections this step read from
    cursor: str | None = None  # None: the walk is complete


def backfill(data: AppData, collection: str | None = None, cursor: str | None = None,
             limit: int = PAGE) -> BackfillStep:
    """One bounded step of recording the spellings stored in `collection` (None: every collection)."""
    if not data.policy.sees_everything(data.app, data.principal):
        raise Forbidden("recording spellings needs the app's credentials or an org admin")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    registry, app = data.registry, data.app.uuid
    coll = data.collection(collection) if collection is not None else None
    scope = coll or "*"  # a cursor resumes the walk it was made by, nothing else
    if cursor is None:
        todo, inner = ([coll] if coll else data.collections()), None
    else:
        state = data.executor.cursors.open(app, cursor)
        if (not isinstance(state, dict) or state.get("s") != scope or not isinstance(state.get("c"), str)
                or not isinstance(state.get("q"), (str, type(None)))):
            raise InvalidQuery("invalid cursor")
        current, inner = state["c"], state["q"]
        todo = [current, *(c for c in (data.collections() if coll is None else []) if c > current)]
    step, reads = BackfillStep(), 0
    while todo and step.read < limit and reads < MAX_READS:
        reads += 1
        name = todo[0]
        got = data.executor.run(app, name, Query(limit=limit - step.read, cursor=inner))
        step.read += len(got.records)
        if name not in step.collections:
            step.collections.append(name)
        if registry is not None:
            paths = set().union(*(cased_paths(r.doc) for r in got.records))
            step.recorded += registry.record_spellings(app, name, paths)
        inner = got.cursor
        if inner is None:
            todo.pop(0)
        if _running_low():
            break
    if todo:
        step.cursor = data.executor.cursors.seal(app, {"s": scope, "c": todo[0], "q": inner})
    return step


def _running_low() -> bool:
    calls, seconds = budget.calls_left(), budget.seconds_left()
    return (calls is not None and calls < RESERVE_CALLS) or (seconds is not None and seconds < RESERVE_SECONDS)
