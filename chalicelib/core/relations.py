"""Relations between entities as Backendless declares them (`column:Table:1` or `:n`), over the storage
Parse and Usergrid already use, so one relation is seen through every dialect:

- to-one: a Pointer in the parent's document, `{"__type": "Pointer", "className", "objectId"}`, which
  Parse and BEA read as a pointer (`include`);
- to-many: core connections named by the column (core/connections.py: Usergrid's
  `/{collection}/{id}/{column}`, Parse's `AddRelation` and `$relatedTo`), the column itself holding
  `{"__type": "Relation", "className"}` as Parse's relation fields do.

The class registry (core/classes.py) records each column's kind and target class, as for Parse.

Loading relations for a page of parents costs, per level of the requested paths, one Query per
(parent, to-many column) sent together and ONE batched read (BatchGetItem, 100 ids a call) of every
related id of the level: never a read per object. Related entities the caller may not read are left
out (a to-one then reads as null): AppData's read rule decides, as for any read. Bounds: MAX_DEPTH
levels, MAX_PAGE members per to-many column and parent, `budget.limits().related` related entities
per request (BAAS_BUDGET_RELATED),
MAX_SCAN members read to list, filter or replace one relation, `budget.limits().bulk` children per change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from . import budget, parallel
from .budget import OverBudget
from .classes import FIELD_RE
from .data import AppData
from .entities import SYSTEM_PROPS
from .errors import InvalidInput, InvalidQuery
from .ids import is_uuid
from .ports import Record

MAX_DEPTH = 5  # relationsDepth: each level is two sequential round trips
MAX_INCLUDE_DEPTH = 10  # Parse's include paths: each level is one sequential round trip
MAX_PAGE = 100  # relationsPageSize: members of one to-many column loaded per parent
DEFAULT_PAGE = 10  # Backendless' default relationsPageSize
MAX_SCAN = 1_000  # members read to list a relation with where/sortBy, or to replace (set) it
# never relation columns: the dialects' system columns, unique names, passwords, the geo-indexed field
RESERVED = ("objectId", "ownerId", "updated", "ACL", "password", "name", "username", "email", "location", "path")


@dataclass(frozen=True)
class Column:
    name: str
    target: str  # the class name pointers carry (the dialect's; Parse's `_User` for users)
    many: bool


@dataclass
class Node:
    """A loaded entity and the relations loaded under it (to-one: a Node or None; to-many: a list)."""

    record: Record
    cls: str = ""  # the class name it was reached by (a column's target); "" for the records loaded from
    related: dict[str, Node | list[Node] | None] = field(default_factory=dict)


def check_depth(tree: dict[str, Any], limit: int, what: str) -> None:
    """Refuses a tree of relation paths (`{"a": {"b": {}}}` for `a.b`: 2 levels) deeper than `limit`:
    each level costs sequential round trips, and a cycle of pointers never ends a path by itself
    (Backendless' loadRelations, Parse's include). No recursion: the paths come from a URL."""
    depth, level = 0, [tree]
    while level := [sub for node in level for sub in node.values()]:
        depth += 1
        if depth > limit:
            raise InvalidQuery(f"{what} is at most {limit} levels deep")


def pointer(class_name: str, uuid: str) -> dict[str, str]:
    return {"__type": "Pointer", "className": class_name, "objectId": uuid}


def marker(class_name: str) -> dict[str, str]:
    return {"__type": "Relation", "className": class_name}


def kind(value: Any) -> str | None:
    """`Pointer` or `Relation` for a relation value stored in a document, else None."""
    if isinstance(value, dict) and value.get("__type") in ("Pointer", "Relation") \
            and isinstance(value.get("className"), str):
        return str(value["__type"])
    return None


class Relations:
    """Relations of one caller's data; `resolve` maps a pointer's class name to its collection."""

    def __init__(self, data: AppData, resolve: Callable[[str], str]) -> None:
        self.data, self.resolve = data, resolve

    # -- columns --------------------------------------------------------------------------
    def column(self, collection: str, name: str, doc: dict[str, Any] | None = None) -> Column | None:
        """The relation column `name` of a collection: from the document's own value, else the registry."""
        value = (doc or {}).get(name)
        if isinstance(value, dict) and kind(value):
            return Column(name, value["className"], kind(value) == "Relation")
        registry = self.data.registry
        spec = ((registry.classes(self.data.app.uuid).get(collection) or {}).get("fields") or {}).get(name) \
            if registry is not None else None
        if isinstance(spec, dict) and spec.get("type") in ("Pointer", "Relation") and spec.get("targetClass"):
            return Column(name, str(spec["targetClass"]), spec["type"] == "Relation")
        return None

    def declare(self, collection: str, name: str, target: str | None, many: bool | None) -> Column:
        """The column a change names: an existing one (a declaration must agree with it), or the one
        `target`/`many` declare (Backendless' `column:Table:1|n` for a column that does not exist yet)."""
        if not FIELD_RE.match(name) or name in SYSTEM_PROPS or name in RESERVED:
            raise InvalidInput(f"invalid relation column name: {name}")
        known = self.column(collection, name)
        if known is not None:
            if (target is not None and self.resolve(target) != self.resolve(known.target)) or \
                    (many is not None and many != known.many):
                raise InvalidInput(f"relation column {name} is {self.describe(known)}")
            return known
        if target is None or many is None:
            raise InvalidInput(f"{name} is not a relation column; name a new one as {name}:<Table>:1 "
                               f"(one-to-one) or {name}:<Table>:n (one-to-many)")
        self.resolve(target)  # a bad table name is a 400 here, before anything is written
        return Column(name, target, many)

    @staticmethod
    def describe(col: Column) -> str:
        return f"{'one-to-many' if col.many else 'one-to-one'} to {col.target}"

    # -- loading --------------------------------------------------------------------------
    def load(self, records: list[Record], tree: dict[str, Any], depth: int = 0,
             page: int = DEFAULT_PAGE) -> list[Node]:
        """The records with the relations of `tree` (`{"a": {"b": {}}}` for `a.b`) and, `depth` levels
        deep, every relation column they hold; each level is read in one batch."""
        if not 0 <= depth <= MAX_DEPTH:
            raise InvalidQuery(f"relationsDepth must be between 0 and {MAX_DEPTH}")
        if not 1 <= page <= MAX_PAGE:
            raise InvalidQuery(f"relationsPageSize must be between 1 and {MAX_PAGE}")
        check_depth(tree, MAX_DEPTH, "a relation path (loadRelations)")
        nodes = [Node(r) for r in records]
        level: list[tuple[Node, dict[str, Any], int]] = [(n, tree, depth) for n in nodes]
        loaded = 0
        while level:
            asks: list[tuple[Node, Column, dict[str, Any], int]] = []
            for node, sub, d in level:
                rec = node.record
                names = dict.fromkeys(k for k in sub if k != "*")
                if d > 0 or "*" in sub:  # `loadRelations=*`: every relation column, one level
                    names.update(dict.fromkeys(k for k, v in rec.doc.items() if kind(v)))
                for name in names:
                    col = self.column(rec.collection, name, rec.doc)
                    if col is None:
                        raise InvalidQuery(f"{name} is not a relation of {rec.collection}")
                    asks.append((node, col, sub.get(name) or {}, max(d - 1, 0)))
            many = [(node, col) for node, col, _, _ in asks if col.many]
            members = parallel.run_all([partial(self._member_ids, node.record.uuid, col, page) for node, col in many])
            member_of = {(id(node), col.name): ids for (node, col), ids in zip(many, members, strict=True)}
            wanted: dict[str, str] = {}
            for node, col, _, _ in asks:
                for coll, uuid in member_of.get((id(node), col.name), []) if col.many else \
                        self._pointed(node.record.doc.get(col.name)):
                    wanted[uuid] = coll
            if loaded + len(wanted) > budget.limits().related:
                self._too_many()
            got = self.data.readable_by_uuid(wanted)
            level = []
            for node, col, sub, d in asks:
                if col.many:
                    kids = [Node(got[u], col.target) for _, u in member_of[(id(node), col.name)] if u in got]
                    node.related[col.name] = kids
                else:
                    one = [Node(got[u], col.target) for _, u in self._pointed(node.record.doc.get(col.name)) if u in got]
                    kids = one
                    node.related[col.name] = one[0] if one else None
                loaded += len(kids)
                if sub or d > 0:
                    level += [(k, sub, d) for k in kids]
            if loaded > budget.limits().related:
                self._too_many()
        return nodes

    @staticmethod
    def _too_many() -> None:
        raise OverBudget(f"this request loads more than {budget.limits().related} related objects; ask for fewer "
                         "relations, a smaller relationsDepth, relationsPageSize or pageSize")

    def _pointed(self, value: Any) -> list[tuple[str, str]]:
        if kind(value) != "Pointer" or not isinstance(value.get("objectId"), str) or not is_uuid(value["objectId"]):
            return []  # entities have uuids: any other id (a hand-written Parse pointer) names none
        try:
            return [(self.resolve(value["className"]), value["objectId"].lower())]
        except InvalidInput:
            return []

    def _member_ids(self, parent: str, col: Column, limit: int) -> list[tuple[str, str]]:
        assert self.data.connections is not None
        try:
            target = self.resolve(col.target)
        except InvalidInput:  # a class name no table can have (written by another dialect): no members
            return []
        found = self.data.connections.ids(self.data.app.uuid, parent, col.name, limit)
        # once each (two racing adds of one child may both connect it): the first connection counts
        return list(dict.fromkeys((c, u) for c, u in found if c == target))

    def members(self, collection: str, ident: str, name: str, limit: int) -> tuple[Column, list[Record]]:
        """The related entities of one object the caller may read (two-step retrieval), at most `limit`
        (MAX_SCAN + 1 at most: the caller filters or sorts them)."""
        parent = self.data.record(collection, ident)
        col = self.column(collection, name, parent.doc)
        if col is None:
            raise InvalidQuery(f"{name} is not a relation of {collection}")
        ids = self._member_ids(parent.uuid, col, min(limit, MAX_SCAN + 1)) if col.many else \
            self._pointed(parent.doc.get(name))
        got = self.data.readable_by_uuid(dict((u, c) for c, u in ids))
        return col, [got[u] for _, u in ids if u in got]

    # -- changes ---------------------------------------------------------------------------
    def change(self, collection: str, ident: str, col: Column, children: list[Record], mode: str) -> int:
        """`set` (replace), `add` or `delete` `children` (entities the caller may read, of the column's
        table) in the relation; the count Backendless answers: members set, added or removed. The
        parent must be one the caller may update; at most the stage's bulk limit of children."""
        budget.check_bulk(len(children))
        parent = self.data.writable(collection, ident)
        kids = list({c.uuid: c for c in children}.values())
        if not col.many:
            return self._change_one(parent, col, kids, mode)
        assert self.data.connections is not None
        conns, app = self.data.connections, self.data.app.uuid
        mark = marker(col.target)
        if mode != "delete" and parent.doc.get(col.name) != mark:
            parent = self.data.update_record(collection, parent.uuid, {col.name: mark}, current=parent)
        have = {u for _, u in self._member_ids(parent.uuid, col, MAX_SCAN + 1)}
        if len(have) > MAX_SCAN and mode == "set":
            raise OverBudget(f"this relation holds more than {MAX_SCAN} objects: change it with add and delete")
        new = [k for k in kids if k.uuid not in have]
        fresh = len(have) <= MAX_SCAN  # every member known: a new one needs no edge lookup
        calls: list[Callable[[], Any]] = []
        if mode in ("set", "add") and fresh:
            calls.append(partial(conns.connect_new, app, parent, col.name, new))
        elif mode in ("set", "add"):
            calls += [partial(conns.connect, app, parent, col.name, k) for k in new]
        gone = [k for k in kids if k.uuid in have] if mode == "delete" else []
        if mode == "set":
            keep = {k.uuid for k in kids}
            stale = [u for u in have if u not in keep]
            gone_recs = self.data.entities.store.batch_get(app, stale) if stale else {}
            gone = list(gone_recs.values())
        calls += [partial(conns.disconnect, app, parent, col.name, k) for k in gone]
        parallel.run_all(calls)
        return len(gone) if mode == "delete" else len(new)  # as Backendless: members already held do not count

    def _change_one(self, parent: Record, col: Column, kids: list[Record], mode: str) -> int:
        current = self._pointed(parent.doc.get(col.name))
        now = current[0][1] if current else None
        if mode == "delete":
            if now is None or now not in {k.uuid for k in kids}:
                return 0
            self.data.update_record(parent.collection, parent.uuid, {col.name: None}, current=parent)
            return 1
        if len(kids) > 1:
            raise InvalidInput(f"{col.name} is a one-to-one relation: give it one object")
        if not kids or now == kids[0].uuid:
            return 0
        new = pointer(col.target, kids[0].uuid)

        def put(doc: dict[str, Any]) -> dict[str, Any]:  # on every attempt: a racing add cannot slip in
            held = self._pointed(doc.get(col.name))
            if mode == "add" and held and held[0][1] != kids[0].uuid:
                raise InvalidInput(f"{col.name} is a one-to-one relation that already holds an object: set it instead")
            return {**doc, col.name: new}

        self.data.check_new_fields(parent.collection, {col.name: new})  # `put` brings the field, not props
        self.data.update_record(parent.collection, parent.uuid, {}, mutate=put, current=parent)
        return 1
