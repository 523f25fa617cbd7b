"""Backendless aggregates on find: `property=Count(objectId) as total`, `Sum`, `Avg`, `Min`, `Max`,
with `groupBy` and `having` (Backendless' "Data retrieval with aggregate functions").

Without `groupBy` the whole match is one group and the answer one object; with it, one object
per distinct combination of the grouped columns, holding those columns and the aggregates. An
aggregate's default name is its function in lower case (`count`, `sum`, ...) as Backendless
names them; `as` renames it. `having` is a where clause over the grouped objects, in which an
aggregate may be written as it is in `property` (`Count(objectId) > 2`) or by its name.

Cost: a group needs every object of the match, so the match is read in full through the
indexes (only matching objects are read) and refused with a 400 past MAX_OBJECTS; a bare
`Count(objectId)` (or `Count(*)`) over a whole table the caller sees in full is one index count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...core.errors import InvalidQuery
from ...core.query import MISSING, get_path, matches
from .where import column, parse_where

MAX_OBJECTS = 10_000
_AGG = re.compile(r"^\s*(count|sum|avg|min|max)\s*\(\s*(distinct\s+)?([\w$.*]+)\s*\)\s*(?:as\s+([A-Za-z_$][\w$]*))?\s*$",
                  re.IGNORECASE)
_PLAIN = re.compile(r"^\s*([A-Za-z_$][\w$.]*)\s*(?:as\s+([A-Za-z_$][\w$]*))?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Aggregate:
    fn: str  # count, sum, avg, min, max
    column: str  # core name ("uuid" for objectId), or "*"
    name: str  # the output property
    distinct: bool = False

    def compute(self, docs: list[dict[str, Any]]) -> Any:
        if self.column == "*":
            values: list[Any] = [1] * len(docs)
        else:
            values = [v for d in docs if (v := get_path(d, self.column)) is not None and not _missing(v)]
        if self.distinct:
            values = list({repr(v): v for v in values}.values())
        if self.fn == "count":
            return len(values)
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if self.fn == "sum":
            return sum(numbers)
        if self.fn == "avg":
            return sum(numbers) / len(numbers) if numbers else None
        pool: list[float] | list[str] = numbers or [v for v in values if isinstance(v, str)]
        if not pool:
            return None
        return min(pool) if self.fn == "min" else max(pool)


def _missing(v: Any) -> bool:
    return v is MISSING


@dataclass(frozen=True)
class Plan:
    columns: list[tuple[str, str]]  # (core column, output name): plain properties asked for
    aggregates: list[Aggregate]
    group_by: list[str]
    having: Any  # a core AST node over the grouped objects, or None


def plan(properties: list[str] | None, group_by: Any, having: Any) -> Plan | None:
    """The aggregate plan of a find, or None when it asks for no aggregate and no grouping."""
    aggs: list[Aggregate] = []
    cols: list[tuple[str, str]] = []
    for prop in properties or []:
        m = _AGG.match(prop)
        if m:
            fn, distinct, col, alias = m.group(1).lower(), bool(m.group(2)), m.group(3), m.group(4)
            if col == "*" and fn != "count":
                raise InvalidQuery(f"{fn.capitalize()}(*) is not an aggregate; name a column")
            aggs.append(Aggregate(fn, "*" if col == "*" else column(col), alias or fn, distinct))
            continue
        p = _PLAIN.match(prop)
        if not p or "(" in prop:
            raise InvalidQuery(f"invalid property: {prop}")
        cols.append((column(p.group(1)), p.group(2) or p.group(1)))
    groups = [column(g.strip()) for g in (group_by if isinstance(group_by, list) else str(group_by or "").split(","))
              if str(g).strip()]
    if not aggs and not groups:
        if having:
            raise InvalidQuery("having needs groupBy or an aggregate property")
        return None
    names = [a.name for a in aggs] + [n for _, n in cols]
    if len(set(names)) != len(names):
        raise InvalidQuery("two properties have the same name: rename one with 'as'")
    return Plan(cols, aggs, groups, _having(having, aggs))


def _having(text: Any, aggs: list[Aggregate]) -> Any:
    """`having` as a where clause; each `Fn(col)` written in it becomes the aggregate's name."""
    if not text:
        return None
    src = str(text)

    def named(m: re.Match[str]) -> str:
        fn, col = m.group(1).lower(), column(m.group(3))
        for a in aggs:
            if a.fn == fn and a.column == ("*" if col == "*" else col):
                return a.name
        raise InvalidQuery(f"having uses {m.group(0).strip()}, which is not among the properties")

    return parse_where(re.sub(r"(count|sum|avg|min|max)\s*\(\s*(distinct\s+)?([\w$.*]+)\s*\)", named, src,
                              flags=re.IGNORECASE))


def run(p: Plan, docs: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    """Group the match and compute each group's aggregates; `having` keeps the groups that match."""
    groups: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for d in docs:
        key_values = {g: _plain(get_path(d, g)) for g in p.group_by}
        key = repr(sorted(key_values.items()))
        groups.setdefault(key, (key_values, []))[1].append(d)
    if not p.group_by and not groups:
        groups[""] = ({}, [])
    out = []
    for key_values, members in groups.values():
        row: dict[str, Any] = {_out(g): v for g, v in key_values.items()}
        first = members[0] if members else {}
        for col, name in p.columns:
            if col not in p.group_by:
                row[name] = _plain(get_path(first, col))
        for a in p.aggregates:
            row[a.name] = a.compute(members)
        if p.having is None or matches(p.having, row):
            row["___class"] = table
            out.append(row)
    return out


def _plain(v: Any) -> Any:
    return None if _missing(v) else v


def _out(col: str) -> str:
    return {"uuid": "objectId", "modified": "updated"}.get(col, col)


def count_only(p: Plan) -> bool:
    """A bare count of every object: answered from the index when nothing is hidden from the caller."""
    return (not p.group_by and not p.columns and p.having is None and len(p.aggregates) == 1
            and p.aggregates[0].fn == "count" and p.aggregates[0].column in ("*", "uuid")
            and not p.aggregates[0].distinct)


Reader = Callable[[int], list[dict[str, Any]]]


def read_bounded(read: Reader) -> list[dict[str, Any]]:
    docs = read(MAX_OBJECTS + 1)
    if len(docs) > MAX_OBJECTS:
        raise InvalidQuery(f"an aggregate may group at most {MAX_OBJECTS} objects; narrow the where clause")
    return docs
