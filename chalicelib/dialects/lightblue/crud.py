"""The five Lightblue data operations over AppData: insert, save, update, delete and find.

Documents are identified by `_id`. It maps to the core uuid: a uuid `_id` is the uuid itself,
any other value a name-based uuid (uuid5 of collection and `_id`), so a lookup by `_id` is one
GetItem and a duplicate insert fails the conditional PutItem: no extra claim, no race. `_id` is
kept in the document too (generated as a uuid7 when an insert has none), `objectType` is added
on the way out. Every write goes through AppData: permissions, and the schema check of
core/metadata.py against the request's version, whose failures become `dataErrors`.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field, replace
from typing import Any

from ...bootstrap import services
from ...core import budget
from ...core.data import AppData
from ...core.errors import CoreError, Forbidden, InvalidInput, InvalidQuery, MalformedBody
from ...core.ids import is_uuid, uuid7
from ...core.metadata import EntityMeta, SchemaViolation
from ...core.ports import Record, VersionConflict
from ...core.query import And, ElemMatch, FieldCompare, In, Node, Not, Or, Query, matches
from ...core.retry import retry_optimistic
from ...core.schemas import Schema
from . import projection as proj
from . import updates
from .common import Caller, envelope
from .errors import code_of, error_object
from .expressions import Compiler, parse_sort

NAMESPACE = uuidlib.UUID("2b3c8a4e-61f0-4c4e-9d8a-6c1b9f0e7a55")
MAX_DOCS = 1000  # documents per insert/save request
MAX_MATCH = 10_000  # most documents one find/update/delete may match (matchCount is exact below it)
EXACT_COUNT = 1000  # up to this many documents, an unsorted find reads them all: an exact matchCount
MAX_RUNS = 10  # planner runs (each reads at most 4,000 index entries) one request may chain
SYNC_WRITES = 500  # matched documents an update or delete writes inside the API call; more go async
HIDDEN = ("uuid", "type", "created", "modified")


class GoAsync(Exception):
    """An update or delete matched more than an API call should write (29 s behind API Gateway):
    the request is to run as an asynchronous task instead, which re-reads the match itself."""


@dataclass
class Op:
    """One data request, resolved: who, which entity, which schema version."""

    caller: Caller
    meta: EntityMeta
    schema: Schema
    version: str | None
    body: dict[str, Any]
    sync_writes: int | None = SYNC_WRITES  # None: no limit (the task worker, up to 15 minutes)
    compiler: Compiler = field(init=False)

    def __post_init__(self) -> None:
        self.compiler = Compiler(self.schema, self.uuid_of)

    @property
    def coll(self) -> str:
        return self.meta.collection

    @property
    def data(self) -> AppData:
        return self.caller.data(self.version)

    def uuid_of(self, ident: Any) -> str:
        text = str(ident)
        return text.lower() if is_uuid(text) else str(uuidlib.uuid5(NAMESPACE, f"{self.coll}#{text}"))

    def context(self, op: str) -> str:
        return f"rest/{op}/{self.meta.name}"

    def out(self, rec: Record) -> dict[str, Any]:
        declared = self.schema.fields
        doc = {k: v for k, v in rec.doc.items() if k not in HIDDEN or k in declared}
        doc.setdefault("_id", rec.uuid)
        doc["objectType"] = self.meta.name
        for p in self.schema.hidden_fields("find", self.caller.roles):
            _drop(doc, p.split("."))
        return doc


def resolve(caller: Caller, operation: str, entity: str, version: str | None, body: Any) -> Op:
    if not isinstance(body, dict):
        raise MalformedBody("the request must be a JSON object", code="rest-crud:IllFormedRequest")
    if body.get("entity") not in (None, entity):
        raise InvalidInput(f"entity {body.get('entity')!r} does not match the path ({entity})",
                           code="rest-crud:NoEntityMatch")
    if version is not None and body.get("entityVersion") not in (None, version):
        raise InvalidInput("entityVersion does not match the path", code="rest-crud:NoVersionMatch")
    version = version or body.get("entityVersion")
    if version is not None and not isinstance(version, str):
        raise InvalidInput("entityVersion must be a string", code="rest-crud:NoVersionMatch")
    meta = services().metadata.require(caller.app.uuid, entity)
    schema = meta.schema(version)
    version = schema.version
    if not schema.allows(operation, caller.roles):
        raise Forbidden(f"no {operation} access to {entity}", code="crud:NoAccess")
    return Op(caller, meta, schema, version, body)


def _drop(doc: Any, segs: list[str]) -> None:
    if isinstance(doc, list):
        for e in doc:
            _drop(e, segs[1:] if segs[0] == "*" else segs)
    elif isinstance(doc, dict) and segs[0] in doc:
        if len(segs) == 1:
            del doc[segs[0]]
        else:
            _drop(doc[segs[0]], segs[1:])


def _docs(op: Op) -> list[Any]:
    data = op.body.get("data")
    docs = data if isinstance(data, list) else [data] if isinstance(data, dict) else None
    if not docs or len(docs) > MAX_DOCS:
        raise InvalidInput(f"data must be a document or an array of 1 to {MAX_DOCS}", code="rest-crud:IllFormedRequest")
    return docs


def _data_error(op: Op, doc: Any, e: Exception, name: str) -> dict[str, Any]:
    ctx = op.context(name)
    if isinstance(e, SchemaViolation):
        errs = [error_object(fe.code, fe.msg, f"{ctx}/{fe.field}") for fe in e.errors]
    elif isinstance(e, VersionConflict):
        errs = [error_object("mongo-crud:Duplicate", "a document with this _id already exists", ctx)]
    elif isinstance(e, CoreError):
        errs = [error_object(code_of(e)[1], e.message, ctx)]
    else:
        raise e
    return {"data": doc, "errors": errs}


def _result(modified: int, matched: int, processed: list[Any] | None, errors: list[Any]) -> dict[str, Any]:
    status = "COMPLETE" if not errors else "PARTIAL" if modified or processed else "ERROR"
    return envelope(status, modified, matched, processed or [], errors)


def _projector(op: Op) -> list[proj.Rule] | None:
    """`returning` is the name Lightblue's early documentation gave the projection; both are accepted."""
    return proj.parse(op.body.get("projection", op.body.get("returning")), op.compiler)


def _clean(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as stored: `objectType` is the server's; `_id`, the identity, must be a scalar."""
    ident = doc.get("_id")
    if ident is not None and (isinstance(ident, bool) or not isinstance(ident, (str, int, float))):
        raise InvalidInput("_id must be a string or a number", code="crud:InvalidEntity")
    return {k: v for k, v in doc.items() if k != "objectType"}


def _insert_access(op: Op, doc: dict[str, Any], kind: str) -> None:
    for p in op.schema.hidden_fields(kind, op.caller.roles):
        if p.split(".")[0] in doc:
            raise Forbidden(f"no {kind} access to {p}", code=f"crud:{kind}:NoFieldAccess")


# -- operations ------------------------------------------------------------------------------
def insert(op: Op) -> dict[str, Any]:
    rules, d = _projector(op), op.data
    processed, errors, n = [], [], 0
    for doc in _docs(op):
        try:
            if not isinstance(doc, dict):
                raise InvalidInput("each document must be an object", code="crud:InvalidEntity")
            clean = _clean(doc)
            clean["_id"] = clean["_id"] if clean.get("_id") is not None else uuid7()
            _insert_access(op, clean, "insert")
            rec = d.create_record(op.coll, clean, uuid=op.uuid_of(clean["_id"]))
        except (CoreError, VersionConflict) as e:
            errors.append(_data_error(op, doc, e, "insert"))
            continue
        n += 1
        if rules is not None:
            processed.append(proj.project(op.out(rec), rules))
    return _result(n, 0, processed, errors)


def save(op: Op) -> dict[str, Any]:
    rules, d = _projector(op), op.data
    upsert = op.body.get("upsert") is True
    if upsert and not op.schema.allows("insert", op.caller.roles):
        raise Forbidden(f"no insert access to {op.meta.name}", code="crud:NoAccess")
    processed, errors, n = [], [], 0
    for doc in _docs(op):
        try:
            rec = _save_one(op, d, doc, upsert)
        except (CoreError, VersionConflict) as e:
            errors.append(_data_error(op, doc, e, "save"))
            continue
        n += 1
        if rules is not None:
            processed.append(proj.project(op.out(rec), rules))
    return _result(n, 0, processed, errors)


def _save_one(op: Op, d: AppData, doc: Any, upsert: bool) -> Record:
    if not isinstance(doc, dict):
        raise InvalidInput("each document must be an object", code="crud:InvalidEntity")
    clean = _clean(doc)
    if clean.get("_id") is None:
        if not upsert:
            raise InvalidInput("save needs _id unless upsert is true", code="mongo-crud:SaveError")
        clean["_id"] = uuid7()
    ident = op.uuid_of(clean["_id"])

    def attempt() -> Record:
        current = d.find_record(op.coll, ident)
        if current is not None:
            _insert_access(op, {k: v for k, v in clean.items() if current.doc.get(k) != v}, "update")
            return d.update_record(op.coll, ident, clean, replace=True, current=current)
        if not upsert:
            raise InvalidInput(f"no document with _id {clean['_id']}", code="mongo-crud:SaveError")
        _insert_access(op, clean, "insert")
        return d.create_record(op.coll, clean, uuid=ident)  # VersionConflict: created meanwhile, save over it

    return retry_optimistic(attempt, tries=3)


def matching(op: Op, where: Node | None) -> list[Record]:
    """Every record the query matches, read page by page through the planner (bounded)."""
    d, out, cursor = op.data, [], None
    for _ in range(MAX_RUNS):
        page = d.query(op.coll, Query(where=where, limit=1000, cursor=cursor))
        out += page.records
        if len(out) > MAX_MATCH:
            raise InvalidQuery(f"the query matches more than {MAX_MATCH} documents; narrow it",
                               code="crud:ResultSizeTooLarge")
        cursor = page.cursor
        if cursor is None:
            return out
    raise InvalidQuery("the query reads too much of the collection; add an indexed term",
                       code="crud:ResultSizeTooLarge")


def _fold(node: Node, name: str) -> Node | bool:
    """Terms on `objectType` decided against the entity's name, the rest of the query kept.

    Lightblue stores `objectType` (the entity name) in every document, so `objectType = <entity>`
    matches them all: it is how python-lightblue's find_all/delete_all select everything. Here it
    is added on the way out, not stored, so such a term is true or false for the whole entity.
    """
    if isinstance(node, (And, Or)):
        absorbing = isinstance(node, Or)  # True decides an $or, False an $and
        kids = [_fold(c, name) for c in node.children]
        if any(k is absorbing for k in kids):
            return absorbing
        rest = [k for k in kids if not isinstance(k, bool)]
        if not rest:
            return not absorbing
        return rest[0] if len(rest) == 1 else type(node)(tuple(rest))
    if isinstance(node, Not):
        child = _fold(node.child, name)
        return (not child) if isinstance(child, bool) else Not(child)
    if getattr(node, "field", None) == "objectType" and not isinstance(node, (ElemMatch, FieldCompare)):
        return matches(node, {"objectType": name})
    return node


def _compile(op: Op) -> Node | None:
    where = op.compiler.compile(op.body.get("query"))
    folded = where if where is None else _fold(where, op.meta.name)
    if isinstance(folded, bool):
        return None if folded else In("uuid", ())  # every document, or none (read nothing)
    return folded


def _where(op: Op) -> Node | None:
    """Update and delete need a query (Lightblue: mongo-crud:NullQuery); it cannot be null either."""
    if op.body.get("query") is None:
        raise InvalidQuery("the request needs a query", code="mongo-crud:NullQuery")
    return _compile(op)


def update(op: Op) -> dict[str, Any]:
    where, rules = _where(op), _projector(op)
    ops = updates.parse(op.body.get("update"), op.compiler)
    for u in ops:
        for p in op.schema.hidden_fields("update", op.caller.roles):
            if u.path == p or u.path.startswith(p + "."):
                raise Forbidden(f"no update access to {p}", code="crud:update:NoFieldAccess")
    d = op.data
    recs = _writable(op, matching(op, where))
    d.check_all("update", op.coll, recs)  # every target checked before any changes
    if rules is not None:  # the answer carries every updated document: refuse before writing what cannot be sent
        budget.check_answer([proj.project(op.out(_updated(ops, r)), rules) for r in recs], code="crud:ResultSizeTooLarge")
    processed, errors, n = [], [], 0
    for rec in recs:
        try:
            if _same(updates.apply(ops, rec.doc), rec.doc):
                continue  # nothing would change: no write, not counted
            changed = [False]

            def mutate(doc: dict[str, Any], changed: list[bool] = changed) -> dict[str, Any]:
                new = updates.apply(ops, doc)
                changed[0] = not _same(new, doc)
                return new

            new_rec = d.update_record(op.coll, rec.uuid, {}, mutate=mutate, current=rec)
        except CoreError as e:
            errors.append(_data_error(op, op.out(rec), e, "update"))
            continue
        if changed[0]:
            n += 1
            if rules is not None:
                processed.append(proj.project(op.out(new_rec), rules))
    return _result(n, len(recs), processed, errors)


def _updated(ops: list[updates.Op], rec: Record) -> Record:
    """`rec` as `ops` would leave it (as it is, when they fail on it: that document is an error, not an answer)."""
    try:
        return replace(rec, doc=updates.apply(ops, rec.doc))
    except CoreError:
        return rec


def _writable(op: Op, recs: list[Record]) -> list[Record]:
    if op.sync_writes is not None and len(recs) > op.sync_writes:
        raise GoAsync()
    return recs


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return {k: v for k, v in a.items() if k != "modified"} == {k: v for k, v in b.items() if k != "modified"}


def delete(op: Op) -> dict[str, Any]:
    where = _where(op)
    d = op.data
    recs = _writable(op, matching(op, where))
    d.check_all("delete", op.coll, recs)  # every target checked before any is deleted
    errors, n = [], 0
    for rec in recs:
        try:
            d.delete_record(op.coll, rec.uuid, current=rec)
            n += 1
        except CoreError as e:
            errors.append(_data_error(op, op.out(rec), e, "delete"))
    return _result(n, len(recs), None, errors)


def _range(body: dict[str, Any]) -> tuple[Any, Any]:
    """`range: [from, to]`, else `from`/`to`; `maxResults` bounds `to` as in lightblue-rest (from + n - 1)."""
    rng = body.get("range")
    frm, to = body.get("from"), body.get("to")
    if rng is not None:
        if not isinstance(rng, list) or len(rng) != 2:
            raise InvalidQuery("range is [from, to]", code="query:InvalidRange")
        frm, to = rng
    n = body.get("maxResults")
    if n is not None and to is None:
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise InvalidQuery("maxResults must be a positive integer", code="query:InvalidRange")
        to = (frm if isinstance(frm, int) else 0) + n - 1
    return frm, to


def find(op: Op) -> dict[str, Any]:
    where = _compile(op)
    rules, order = _projector(op), parse_sort(op.body.get("sort"))
    op.data.check_fields(op.coll, [k for k, _ in order])  # no sort on what the caller may not read
    frm, to = _range(op.body)
    proj.window([], frm, to)  # a bad range is a 400 before anything is read
    listed = _listing(op, frm or 0, to) if where is None and not order and to is not None else None
    if listed is not None:
        total, page = listed[0], [op.out(r) for r in listed[1]]
    else:
        docs = [op.out(r) for r in matching(op, where)]
        total, page = len(docs), proj.window(proj.sort_docs(docs, order), frm, to)
    processed = [proj.project(doc, rules) for doc in page] if rules is not None else []
    budget.check_answer(processed, code="crud:ResultSizeTooLarge")  # Lightblue's own answer to a result too big
    return envelope("COMPLETE", 0, total, processed)


def _listing(op: Op, frm: int, to: int) -> tuple[int, list[Record]] | None:
    """A page of a whole, unsorted collection (python-lightblue's find_all/find_paginated) without
    reading all of it: the count comes from the `created` index (DynamoDB counts; no entity read)
    and only documents up to `to` are read, newest first as the full read would order them.
    None (read the whole match instead, exactly) for small collections, where that costs little
    and the count is exact, and for callers from whom some documents may be hidden."""
    if to + 1 > MAX_MATCH:
        return None
    total = op.data.count_all(op.coll, asked=False)
    if total is None or total <= EXACT_COUNT:
        return None
    d, cursor = op.data, None
    out: list[Record] = []
    while len(out) <= to:
        page = d.query(op.coll, Query(limit=min(1000, to + 1), cursor=cursor))
        out += page.records
        cursor = page.cursor
        if cursor is None:
            break
    return total, out[frm: to + 1]


OPERATIONS = {"insert": insert, "save": save, "update": update, "delete": delete, "find": find}
ACCESS = {"insert": "insert", "save": "update", "update": "update", "delete": "delete", "find": "find"}
