"""Aggregation pipelines over a bounded set of documents, in memory (Parse's `/aggregate`).

The first `$match` of a pipeline is the dialect's job: it becomes the where clause of an indexed
query, so only matching documents are read (at most `MAX_DOCS`, the request's budget). The
stages after it run here on those documents: `$match` (equality and `$eq $ne $gt $gte $lt $lte
$in $nin $exists`, `$and $or $nor`), `$group` (`_id` null, a `$field` or an object of them;
accumulators `$sum $avg $min $max $count $first $last $push $addToSet`), `$sort`, `$skip`,
`$limit`, `$project` (1/0/true/false and `$field` references), `$count`, `$unwind`.

Field references (`"$score"`, `"$address.city"`) read dotted paths. Typed values compare by
what they mean: a Date hash by its instant, so `$min` of Dates is the earliest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .errors import InvalidQuery

MAX_DOCS = 10_000  # documents one aggregate request may read and hold
MAX_GROUPS = 10_000


def run(docs: list[dict[str, Any]], stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = docs
    for stage in stages:
        if not isinstance(stage, dict) or len(stage) != 1:
            raise InvalidQuery(f"Pipeline stages should only have one key but found {', '.join(stage or [])}.")
        name, arg = next(iter(stage.items()))
        fn = STAGES.get(name)
        if fn is None:
            raise InvalidQuery(f"Invalid aggregate stage '{name}'.")
        out = fn(out, arg)
    return out


def get(doc: Any, path: str) -> Any:
    cur = doc
    for part in path.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part)
        else:
            return None
    return cur


def value(doc: dict[str, Any], expr: Any) -> Any:
    """An expression: `"$path"` reads the document, an object builds one, anything else is a literal."""
    if isinstance(expr, str) and expr.startswith("$"):
        return get(doc, expr[1:])
    if isinstance(expr, dict) and not any(k.startswith("$") for k in expr):
        return {k: value(doc, v) for k, v in expr.items()}
    return expr


def sort_key(v: Any) -> tuple[int, Any]:
    """MongoDB's order of kinds: null < numbers < strings < objects < arrays < booleans < dates."""
    if isinstance(v, dict) and v.get("__type") == "Date":
        return (6, str(v.get("iso", "")))
    if v is None:
        return (0, 0)
    if isinstance(v, bool):
        return (5, v)
    if isinstance(v, (int, float)):
        return (1, v)
    if isinstance(v, str):
        return (2, v)
    if isinstance(v, dict):
        return (3, json.dumps(v, sort_keys=True))
    return (4, json.dumps(v, sort_keys=True, default=str))


# -- $match ---------------------------------------------------------------------------------
def matches(doc: dict[str, Any], cond: Any) -> bool:
    if not isinstance(cond, dict):
        raise InvalidQuery("$match takes an object")
    for key, want in cond.items():
        if key in ("$and", "$or", "$nor"):
            if not isinstance(want, list):
                raise InvalidQuery(f"{key} takes an array")
            hits = [matches(doc, c) for c in want]
            ok = all(hits) if key == "$and" else any(hits) if key == "$or" else not any(hits)
            if not ok:
                return False
        elif not _field_matches(get(doc, key), want):
            return False
    return True


def _field_matches(have: Any, want: Any) -> bool:
    if isinstance(want, dict) and want and all(k.startswith("$") for k in want):
        return all(_op(have, op, arg) for op, arg in want.items())
    if isinstance(have, list) and not isinstance(want, list):
        return any(_same(h, want) for h in have)
    return _same(have, want)


def _same(a: Any, b: Any) -> bool:
    return sort_key(a) == sort_key(b)


def _op(have: Any, op: str, arg: Any) -> bool:
    if op == "$exists":
        return (have is not None) == bool(arg)
    if op in ("$eq", "$ne"):
        return _field_matches(have, arg) == (op == "$eq")
    if op in ("$in", "$nin"):
        if not isinstance(arg, list):
            raise InvalidQuery(f"{op} takes an array")
        hit = any(_field_matches(have, a) for a in arg)
        return hit == (op == "$in")
    cmp = COMPARE.get(op)
    if cmp is None:
        raise InvalidQuery(f"bad $match operator: {op}")
    if have is None:
        return False
    a, b = sort_key(have), sort_key(arg)
    return a[0] == b[0] and cmp(a, b)


COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "$gt": lambda a, b: a > b, "$gte": lambda a, b: a >= b, "$lt": lambda a, b: a < b, "$lte": lambda a, b: a <= b}


# -- $group ---------------------------------------------------------------------------------
def _group(docs: list[dict[str, Any]], spec: Any) -> list[dict[str, Any]]:
    if not isinstance(spec, dict):
        raise InvalidQuery("$group takes an object")
    if "objectId" in spec:
        raise InvalidQuery("Cannot use 'objectId' in aggregation stage $group.")
    if "_id" not in spec:
        raise InvalidQuery("Invalid parameter for query: group. Missing key _id")
    accs = {k: _accumulator(k, v) for k, v in spec.items() if k != "_id"}
    groups: dict[str, tuple[Any, list[dict[str, Any]]]] = {}
    for d in docs:
        gid = value(d, spec["_id"])
        key = json.dumps(gid, sort_keys=True, default=str)
        if key not in groups:
            if len(groups) >= MAX_GROUPS:
                raise InvalidQuery(f"$group makes at most {MAX_GROUPS} groups")
            groups[key] = (gid, [])
        groups[key][1].append(d)
    return [{"objectId": gid, **{k: fn(members) for k, fn in accs.items()}} for gid, members in groups.values()]


def _accumulator(name: str, spec: Any) -> Callable[[list[dict[str, Any]]], Any]:
    if not isinstance(spec, dict) or len(spec) != 1:
        raise InvalidQuery(f"The field '{name}' must be an accumulator object")
    op, expr = next(iter(spec.items()))

    def values(ds: list[dict[str, Any]]) -> list[Any]:
        return [value(d, expr) for d in ds]

    def numbers(ds: list[dict[str, Any]]) -> list[float]:
        return [v for v in values(ds) if isinstance(v, (int, float)) and not isinstance(v, bool)]

    def present(ds: list[dict[str, Any]]) -> list[Any]:
        return [v for v in values(ds) if v is not None]

    table: dict[str, Callable[[list[dict[str, Any]]], Any]] = {
        "$sum": lambda ds: sum(numbers(ds)),
        "$avg": lambda ds: (sum(numbers(ds)) / len(numbers(ds))) if numbers(ds) else None,
        "$min": lambda ds: min(present(ds), key=sort_key, default=None),
        "$max": lambda ds: max(present(ds), key=sort_key, default=None),
        "$count": lambda ds: len(ds),
        "$first": lambda ds: values(ds)[0] if ds else None,
        "$last": lambda ds: values(ds)[-1] if ds else None,
        "$push": values,
        "$addToSet": lambda ds: _unique(values(ds)),
    }
    if op not in table:
        raise InvalidQuery(f"unknown group operator '{op}'")
    return table[op]


def _unique(vs: list[Any]) -> list[Any]:
    seen, out = set(), []
    for v in vs:
        k = json.dumps(v, sort_keys=True, default=str)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


# -- the other stages -----------------------------------------------------------------------
def _match(docs: list[dict[str, Any]], cond: Any) -> list[dict[str, Any]]:
    return [d for d in docs if matches(d, cond)]


def _sort(docs: list[dict[str, Any]], spec: Any) -> list[dict[str, Any]]:
    if not isinstance(spec, dict) or not spec or any(v not in (1, -1) for v in spec.values()):
        raise InvalidQuery("$sort takes an object of fields and 1 or -1")
    out = list(docs)
    for key, direction in reversed(list(spec.items())):
        path = "objectId" if key == "_id" else key
        out.sort(key=lambda d: sort_key(get(d, path)), reverse=direction == -1)
    return out


def _count_arg(stage: str, arg: Any) -> int:
    if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
        raise InvalidQuery(f"{stage} takes a non-negative integer")
    return arg


def _project(docs: list[dict[str, Any]], spec: Any) -> list[dict[str, Any]]:
    if not isinstance(spec, dict) or not spec:
        raise InvalidQuery("$project takes an object")
    include = {k: v for k, v in spec.items() if v not in (0, False)}
    exclude = [k for k, v in spec.items() if v in (0, False)]
    if include:
        keep_id = spec.get("objectId", spec.get("_id", 1)) not in (0, False)
        out = []
        for d in docs:
            p = {"objectId": d.get("objectId")} if keep_id and "objectId" in d else {}
            for k, v in include.items():
                if k in ("_id", "objectId"):
                    continue
                got = get(d, k) if v in (1, True) else value(d, v)
                if got is not None:
                    p[k] = got
            out.append(p)
        return out
    return [{k: v for k, v in d.items() if k not in exclude and not (k == "objectId" and "_id" in exclude)}
            for d in docs]


def _count(docs: list[dict[str, Any]], name: Any) -> list[dict[str, Any]]:
    if not isinstance(name, str) or not name or name.startswith("$"):
        raise InvalidQuery("$count takes a field name")
    return [{name: len(docs)}] if docs else []


def _unwind(docs: list[dict[str, Any]], spec: Any) -> list[dict[str, Any]]:
    path = spec.get("path") if isinstance(spec, dict) else spec
    if not isinstance(path, str) or not path.startswith("$") or "." in path:
        raise InvalidQuery("$unwind takes a top-level $field path")
    out = []
    for d in docs:
        items = get(d, path[1:])
        for item in items if isinstance(items, list) else []:
            out.append({**d, path[1:]: item})
            if len(out) > MAX_DOCS:
                raise InvalidQuery(f"$unwind makes at most {MAX_DOCS} documents")
    return out


STAGES: dict[str, Callable[[list[dict[str, Any]], Any], list[dict[str, Any]]]] = {
    "$match": _match, "$group": _group, "$sort": _sort, "$project": _project, "$count": _count,
    "$skip": lambda ds, n: ds[_count_arg("$skip", n):],
    "$limit": lambda ds, n: ds[: _count_arg("$limit", n)],
    "$unwind": _unwind,
}


def distinct(docs: list[dict[str, Any]], path: str) -> list[Any]:
    """The distinct values of a field, array elements counted one by one (as MongoDB does)."""
    vals: list[Any] = []
    for d in docs:
        v = get(d, path)
        vals.extend(v if isinstance(v, list) else [v] if v is not None else [])
    return _unique(vals)
