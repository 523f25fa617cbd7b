"""`GET /aggregate/{Class}` (master key): `pipeline` stages or `distinct`, with an optional `where`.

The `where` and a leading `$match` become the where clause of one indexed query (the planner
reads only what matches; see docs/ARCHITECTURE.md); the matching objects, in their Parse form,
then go through the remaining stages in memory (core/aggregate.py). A request reads at most
`core.aggregate.MAX_DOCS` objects: a wider match is a 400 (code 102) asking for a narrower
`where`, never an unbounded read. docs/BENCHMARKS.md shows what an aggregate costs.

`pipeline` is an array of one-key stages or an object of them (Parse accepts both); `$group`
needs `_id` and refuses `objectId`; each group comes back with its key as `objectId`.
"""

from __future__ import annotations

import json
from typing import Any

from ...core import aggregate
from ...core.errors import InvalidQuery
from ...core.query import And, Node, Query
from ..parselike import errors
from ..parselike.codec import to_wire
from ..parselike.queries import Finder
from .common import Ctx, Out, Req, require_master, route
from .errors import ParseError, Refused
from .names import class_collection

PAGE = 1000
MAX_PAGES = 40  # planner runs one request may make (each reads at most 4,000 index entries)


def _json(value: Any, name: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            if name == "distinct":
                return value
            raise ParseError(errors.INVALID_JSON, f"{name} parameter is not valid JSON") from None
    return value


def pipeline_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    """Parse's AggregateRouter.getPipeline: `pipeline` or the body itself; arrays or objects of stages."""
    raw = _json(params["pipeline"], "pipeline") if "pipeline" in params else {
        k: v for k, v in params.items() if k not in ("distinct", "where", "hint", "explain", "comment",
                                                     "readPreference", "rawValues", "rawFieldNames")}
    stages = raw if isinstance(raw, list) else [{k: v} for k, v in raw.items()] if isinstance(raw, dict) else None
    if stages is None:
        raise ParseError(errors.INVALID_QUERY, "pipeline must be an array or an object of stages")
    for stage in stages:
        if not isinstance(stage, dict) or len(stage) != 1:
            keys = ", ".join(stage) if isinstance(stage, dict) else str(stage)
            raise ParseError(errors.INVALID_QUERY, f"Pipeline stages should only have one key but found {keys}.")
        name = next(iter(stage))
        if not name.startswith("$"):
            raise ParseError(errors.INVALID_QUERY, f"Invalid aggregate stage '{name}'.")
    return stages


def where_node(ctx: Ctx, where: Any) -> Node | None:
    """A Parse where (or a leading $match), sub-queries included, as the find compiles it."""
    return Finder(ctx.data, class_collection).where_node(where)


def _read(ctx: Ctx, coll: str, where: Node | None) -> list[dict[str, Any]]:
    """Every matching object in its Parse form, at most MAX_DOCS of them."""
    out: list[dict[str, Any]] = []
    cursor = None
    for _ in range(MAX_PAGES):
        page = ctx.data.query(coll, Query(where=where, limit=PAGE, cursor=cursor))
        out.extend(to_wire(r) for r in page.records)
        if len(out) > aggregate.MAX_DOCS:
            break
        cursor = page.cursor
        if cursor is None:
            return out
    raise ParseError(errors.INVALID_QUERY, f"an aggregate reads at most {aggregate.MAX_DOCS} objects: "
                                          "narrow it with where or a leading $match")


def run(ctx: Ctx, class_name: str, params: dict[str, Any]) -> list[Any]:
    coll = class_collection(class_name)
    stages = pipeline_of(params)
    terms: list[Node | None] = []
    if params.get("where") not in (None, "", {}):
        terms.append(where_node(ctx, _json(params["where"], "where")))
    if stages and "$match" in stages[0]:
        try:
            terms.append(where_node(ctx, stages[0]["$match"]))
            stages = stages[1:]  # compiled into the indexed read
        except (InvalidQuery, ParseError):
            pass  # MongoDB-only syntax: matched in memory instead
    nodes = [t for t in terms if t is not None]
    where = None if not nodes else nodes[0] if len(nodes) == 1 else And(tuple(nodes))
    docs = _read(ctx, coll, where)
    if params.get("distinct") not in (None, ""):
        return aggregate.distinct(docs, str(_json(params["distinct"], "distinct")))
    return aggregate.run(docs, stages)


@route("aggregate")
def aggregate_route(ctx: Ctx, req: Req) -> Out:
    if len(req.parts) != 1 or req.method != "GET":
        raise Refused(f"unknown route: {req.method} /aggregate/{'/'.join(req.parts)}", 404)
    require_master(ctx)
    return Out(200, {"results": run(ctx, req.parts[0], dict(req.params))})
