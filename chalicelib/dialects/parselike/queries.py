"""Finds as the Parse-style dialects run them: `where`/`order`/`limit`/`skip`/`count`/`keys`/`include`.

Shared by BEA and Parse: a `Finder` is bound to the caller's data and to the dialect's own
class-name rule (`resolve`: className -> collection). Paging goes through the core's cursors, so
a page of k reads O(k) items; `count` pages the index within a budget; `$select`/`$inQuery`
sub-queries read at most 1,000 objects; `include` reads each level of its paths in one batched
query per class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...core import budget, parallel
from ...core.data import AppData
from ...core.entities import Page
from ...core.errors import InvalidQuery
from ...core.ids import is_uuid
from ...core.ports import Record
from ...core.query import Compare, Node, Or, Query, get_path
from ...core.relations import MAX_INCLUDE_DEPTH, check_depth
from .codec import to_wire
from .errors import ParseStyleError
from .where import compile_where, field_path, parse_order, parse_where

DEFAULT_LIMIT, MAX_LIMIT, MAX_SKIP = 100, 1000, 10_000
MAX_COUNT_PAGES = 50  # count=1 reads at most 50 pages of 1,000


def int_param(params: dict[str, Any], name: str, default: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    if isinstance(raw, bool):
        raise InvalidQuery(f"{name} must be an integer")
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise InvalidQuery(f"{name} must be an integer") from None


@dataclass
class Finder:
    data: AppData
    resolve: Callable[[str], str]  # className -> collection (raises for a bad name)
    wire: Callable[[Record], dict[str, Any]] = to_wire
    related: Callable[[Any, Any], list[str]] | None = None  # Parse's $relatedTo: (object, key) -> uuids
    reader: Callable[[Query], Page] | None = None  # how pages are read: AppData.query, or profiles for users
    reader_collection: str | None = None  # the one collection `reader` serves (sub-queries read their own)

    # -- where ------------------------------------------------------------------------------
    def where_node(self, where: Any) -> Node | None:
        if isinstance(where, str) or where is None:
            where = parse_where(where)
        return compile_where(where, self.select_values, related=self.related)

    def select_values(self, class_name: str, where: Any, key: str) -> list[Any]:
        """The `key` values of the objects matching a sub-query (at most MAX_LIMIT of them)."""
        coll = self.resolve(class_name)
        recs, _ = self.collect(coll, self.where_node(where), [], MAX_LIMIT)
        fld = field_path(key)
        values = []
        for r in recs:
            v = r.uuid if fld == "uuid" else get_path(r.doc, fld)
            if isinstance(v, (str, int, float, bool, dict)):
                values.append(v)
        return values

    # -- find -------------------------------------------------------------------------------
    def find(self, coll: str, params: dict[str, Any], default_order: bool = True) -> dict[str, Any]:
        keys, exclude = params.get("keys") or params.get("fields"), params.get("excludeKeys")
        project({}, keys, exclude)  # a bad keys/excludeKeys is a 400 even when nothing matches
        if params.get("include") and not isinstance(params["include"], (str, list)):
            raise InvalidQuery("include is a comma-separated list of pointer keys")
        where = self.where_node(params.get("where"))
        order = parse_order(params.get("order"))
        limit = int_param(params, "limit", DEFAULT_LIMIT)
        skip = int_param(params, "skip", 0)
        if limit < 0 or not 0 <= skip <= MAX_SKIP:
            raise InvalidQuery(f"limit must be 0 or more and skip between 0 and {MAX_SKIP}")
        limit = min(limit, MAX_LIMIT)
        count = str(params.get("count", "")).lower() in ("1", "true")
        if not order and where is None and default_order:
            order = [("created", False)]
        counted: int | None = None
        if count:
            self.data.check_count(coll)  # a count the class permissions refuse, whichever way it is counted
        if count and (self.reader is None or coll != self.reader_collection) and self.data.countable(coll, where):
            # the index counts the matches (one Select=COUNT, no entity read), beside the page's own read;
            # None when entries predate the readability flag a REST-key count needs: then read them
            counted, (recs, _) = parallel.run_all([lambda: self.data.count(coll, where),
                                                   lambda: self.collect(coll, where, order, skip + limit, False)])
        if counted is not None:
            total = counted
        else:
            recs, total = self.collect(coll, where, order, skip + limit, count)
        objs = [project(self.wire(r), keys, exclude) for r in recs[skip: skip + limit]]
        self.include(objs, params.get("include"))  # after `keys`: a pointer it drops is not read
        body: dict[str, Any] = {"results": objs}
        budget.check_answer(body["results"])  # skip/limit has no cursor: fewer results would make a client skip some
        if count:
            body["count"] = total
        return body

    def collect(self, coll: str, where: Node | None, order: list[tuple[str, bool]], want: int,
                count: bool = False) -> tuple[list[Record], int]:
        """The first `want` matches (paging through the core's cursors), and how many match if `count`."""
        out: list[Record] = []
        total, cursor, pages = 0, None, 0
        if want <= 0 and not count:
            return [], 0
        while True:
            size = MAX_LIMIT if count else min(MAX_LIMIT, max(1, want - len(out)))
            q = Query(where=where, order=list(order), limit=size, cursor=cursor)
            own = self.reader is not None and coll == self.reader_collection
            page = self.reader(q) if own and self.reader is not None else self.data.query(coll, q)
            total += len(page.records)
            if len(out) < want:
                out.extend(page.records[: want - len(out)])
            cursor, pages = page.cursor, pages + 1
            if cursor is None or (not count and len(out) >= want):
                return out, total
            if pages >= (MAX_COUNT_PAGES if count else MAX_SKIP // 100):
                if count:
                    raise InvalidQuery(f"count stops at {MAX_COUNT_PAGES * MAX_LIMIT} objects; narrow the where")
                return out, total

    def one(self, obj: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """A single object as a GET answers it: pointers expanded by `include`, then `keys` (or `fields`)
        and `excludeKeys`; refused (400) when the expansions would not fit in one response."""
        out = project(obj, params.get("keys") or params.get("fields"), params.get("excludeKeys"))
        self.include([out], params.get("include"))  # after `keys`: a pointer it drops is not read
        budget.check_answer([out])
        return out

    # -- include ----------------------------------------------------------------------------
    def include(self, objs: list[dict[str, Any]], spec: Any) -> None:
        """Replace pointers by their objects, one batched read per class and level of the paths."""
        if not spec:
            return
        if isinstance(spec, list):
            spec = ",".join(str(s) for s in spec)
        if not isinstance(spec, str):
            raise InvalidQuery("include is a comma-separated list of pointer keys")
        tree: dict[str, Any] = {}
        for path in spec.split(","):
            node = tree
            for part in path.strip().split("."):
                if part:
                    node = node.setdefault(part, {})
        check_depth(tree, MAX_INCLUDE_DEPTH, "an include path")
        self._include(objs, tree)

    def _include(self, objs: list[dict[str, Any]], tree: dict[str, Any]) -> None:
        if "*" in tree:  # every pointer key of these objects, one level
            for o in objs:
                for k, v in o.items():
                    if _pointers(v):
                        tree.setdefault(k, {})
            tree.pop("*")
        for key, sub in tree.items():
            wanted: dict[str, set[str]] = {}
            for o in objs:
                for p in _pointers(o.get(key)):
                    wanted.setdefault(p["className"], set()).add(p["objectId"].lower())
            fetched: dict[tuple[str, str], dict[str, Any]] = {}
            for cls, ids in wanted.items():
                try:
                    coll = self.resolve(cls)
                except ParseStyleError:
                    continue
                ordered = sorted(i for i in ids if is_uuid(i))
                for i in range(0, len(ordered), MAX_LIMIT):
                    chunk = ordered[i: i + MAX_LIMIT]
                    self._fetch(coll, cls, chunk, fetched)
            for o in objs:
                v = o.get(key)
                if isinstance(v, list):
                    o[key] = [_swap(x, fetched) for x in v]
                elif v is not None:
                    o[key] = _swap(v, fetched)
            children = list(fetched.values())
            if sub and children:
                self._include(children, sub)

    def _fetch(self, coll: str, cls: str, ids: list[str], fetched: dict[tuple[str, str], dict[str, Any]]) -> None:
        """The objects of `ids`, every page of them: a page stops short when its objects fill an answer
        (planner, `budget.fitting`), so the cursor is followed, and once what was read passes the answer's
        room the request is refused then and there rather than after reading every one of them."""
        where = Or(tuple(Compare("uuid", "eq", u) for u in ids))
        cursor, size = None, 0
        while True:
            page = self.data.query(coll, Query(where=where, limit=len(ids), cursor=cursor))
            for r in page.records:
                fetched[(cls, r.uuid)] = obj = {"__type": "Object", "className": cls, **self.wire(r)}
                size += budget.entity_bytes(obj)
            if size > budget.limits().page_bytes:
                raise budget.OverBudget(f"the objects `include` expands are more than {budget.limits().page_bytes:,} "
                                        "bytes, more than one response may carry; include fewer keys or ask for "
                                        "fewer objects")
            cursor = page.cursor
            if cursor is None or not page.records:
                return


def project(obj: dict[str, Any], keys: Any, exclude: Any = None) -> dict[str, Any]:
    """`keys` (select; dot paths keep their top-level key) and `excludeKeys`."""
    out = obj
    if keys:
        if isinstance(keys, list):
            keys = ",".join(str(k) for k in keys)
        if not isinstance(keys, str):
            raise InvalidQuery("keys is a comma-separated list of field names")
        keep = {"objectId", "createdAt", "updatedAt", "ACL", "__type", "className"} | \
            {k.strip().split(".")[0] for k in keys.split(",")}
        out = {k: v for k, v in out.items() if k in keep}
    if exclude:
        if isinstance(exclude, list):
            exclude = ",".join(str(k) for k in exclude)
        if not isinstance(exclude, str):
            raise InvalidQuery("excludeKeys is a comma-separated list of field names")
        drop = {k.strip() for k in exclude.split(",")} - {"objectId"}
        out = {k: v for k, v in out.items() if k not in drop}
    return out


def _pointers(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [p for p in items if isinstance(p, dict) and p.get("__type") == "Pointer"
            and isinstance(p.get("className"), str) and isinstance(p.get("objectId"), str)]


def _swap(v: Any, fetched: dict[tuple[str, str], dict[str, Any]]) -> Any:
    if isinstance(v, dict) and v.get("__type") == "Pointer":
        return fetched.get((v.get("className", ""), str(v.get("objectId", "")).lower()), v)
    return v
