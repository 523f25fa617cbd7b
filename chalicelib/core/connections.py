"""Connections between entities (Usergrid's `/{collection}/{entity}/{verb}/{target}`), both ways.

Each connection is two index items: `<app>#conn#<source>#<verb>` -> target and
`<app>#connecting#<target>#<verb>` -> source, written in one batch. Listing either way is one
Query on one small partition plus one BatchGetItem for the page of entities: no Scan.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cursors import Cursors
from .errors import InvalidInput, InvalidQuery
from .indexing import SEP, TOP
from .ports import EntityStore, Record
from .query import Node, matches

VERB_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass
class Linked:
    records: list[Record]
    cursor: str | None


class Connections:
    def __init__(self, store: EntityStore, cursors: Cursors | None = None) -> None:
        self.store = store
        self.cursors = cursors or Cursors()

    def connect(self, app: str, source: Record, verb: str, target: Record) -> None:
        verb = _verb(verb)
        self.store.write_index(f"{app}#", [
            (f"conn#{source.uuid}#{verb}", f"{target.collection}{SEP}{target.uuid}"),
            (f"connecting#{target.uuid}#{verb}", f"{source.collection}{SEP}{source.uuid}"),
        ], [])

    def disconnect(self, app: str, source: Record, verb: str, target: Record) -> None:
        verb = _verb(verb)
        self.store.write_index(f"{app}#", [], [
            (f"conn#{source.uuid}#{verb}", f"{target.collection}{SEP}{target.uuid}"),
            (f"connecting#{target.uuid}#{verb}", f"{source.collection}{SEP}{source.uuid}"),
        ])

    def list(self, app: str, entity: Record, verb: str, *, reverse: bool = False, collection: str | None = None,
             where: Node | None = None, limit: int = 10, cursor: str | None = None,
             visible: object = None, descending: bool = False) -> Linked:
        """Entities connected from (or, reverse, to) `entity` by `verb`, newest connection order by uuid."""
        verb = _verb(verb)
        part = f"{app}#{'connecting' if reverse else 'conn'}#{entity.uuid}#{verb}"
        low, high = (collection + SEP, collection + SEP + TOP) if collection else ("0", TOP)
        after = self._decode(app, cursor)
        if after is not None and not low <= after <= high:
            raise InvalidQuery("invalid cursor")
        out: list[Record] = []
        while len(out) < limit:
            hits, last = self.store.query_index(part, low, high, descending, after, min(100, limit - len(out) + 2))
            recs = self.store.batch_get(app, [h.sk.split(SEP)[1] for h in hits]) if hits else {}
            for h in hits:
                after = h.sk
                rec = recs.get(h.sk.split(SEP)[1])
                if rec is not None and matches(where, rec.doc | {"uuid": rec.uuid}) and (
                        visible is None or visible(rec)):  # type: ignore[operator]
                    out.append(rec)
                    if len(out) == limit:
                        return Linked(out, self.cursors.seal(app, h.sk) if (last or h is not hits[-1]) else None)
            if last is None:
                return Linked(out, None)
            after = last
        return Linked(out, self.cursors.seal(app, after) if after else None)

    def _decode(self, app: str, cursor: str | None) -> str | None:
        if not cursor:
            return None
        after = self.cursors.open(app, cursor)
        if not isinstance(after, str):
            raise InvalidQuery("invalid cursor")
        return after


def _verb(verb: str) -> str:
    v = (verb or "").lower()
    if not v or len(v) > 64 or not set(v) <= VERB_CHARS:
        raise InvalidInput(f"invalid connection verb: {verb!r}")
    return v
