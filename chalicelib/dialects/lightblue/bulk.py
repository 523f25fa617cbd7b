"""`POST /rest/data/bulk`: several data requests in one call, as lightblue-rest's BulkRequest.

Body `{"requests": [{"seq": 0, "op": "FIND|INSERT|SAVE|UPDATE|DELETE", "request": {...}}], "ordered": b}`;
answer `{"responses": [{"seq": 0, "response": {...}}]}` in `seq` order. Each request names its
own `entity` (and `entityVersion`) and fails on its own: its response is an ERROR envelope, the
others still run, as in Lightblue. Requests run one after another whatever `ordered` says (order
is then simply kept); the whole call is bounded so it stays inside one Lambda invocation.
"""

from __future__ import annotations

from typing import Any

from ...core.errors import CoreError, InvalidInput
from ..http import json_body
from . import crud, models
from .common import Caller, caller, envelope, json_response, request, view
from .errors import code_of, error_object

MAX_REQUESTS = 50
MAX_DOCS = 1000  # documents across every insert/save of one bulk call
OPS = {"find": "find", "insert": "insert", "save": "save", "update": "update", "delete": "delete"}


@view("/rest/data/bulk", ["POST"], spec=models.BULK)
def bulk() -> Any:
    c = caller()
    items = _requests(json_body(request(), default=None))
    return json_response({"responses": [{"seq": seq, "response": _one(c, op, body)} for seq, op, body in items]})


def _requests(body: Any) -> list[tuple[int, str, dict[str, Any]]]:
    """Validate the envelope up front: a malformed bulk call is one 400, nothing runs."""
    reqs = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(reqs, list) or not reqs or len(reqs) > MAX_REQUESTS:
        raise InvalidInput(f"requests must be an array of 1 to {MAX_REQUESTS} requests", code="rest-crud:IllFormedRequest")
    if "ordered" in body and not isinstance(body["ordered"], bool):
        raise InvalidInput("ordered must be a boolean", code="rest-crud:IllFormedRequest")
    out, docs = [], 0
    for i, r in enumerate(reqs):
        if not isinstance(r, dict) or not isinstance(r.get("request"), dict):
            raise InvalidInput(f"requests[{i}] needs op and a request object", code="rest-crud:IllFormedRequest")
        op, seq = r.get("op"), r.get("seq", i)
        if not isinstance(op, str) or op.lower() not in OPS:
            raise InvalidInput(f"requests[{i}].op must be one of {', '.join(o.upper() for o in OPS)}",
                               code="rest-crud:IllFormedRequest")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise InvalidInput(f"requests[{i}].seq must be an integer", code="rest-crud:IllFormedRequest")
        data = r["request"].get("data")
        docs += len(data) if isinstance(data, list) else 1 if data is not None else 0
        out.append((seq, OPS[op.lower()], r["request"]))
    if docs > MAX_DOCS:
        raise InvalidInput(f"a bulk call carries at most {MAX_DOCS} documents", code="rest-crud:RequestTooLarge")
    return sorted(out, key=lambda x: x[0])


def _one(c: Caller, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    entity = body.get("entity")
    context = f"rest/bulk/{operation}/{entity}"
    if not isinstance(entity, str) or not entity:
        return envelope("ERROR", errs=[error_object("rest-crud:NoEntity", "each request names its entity", context)])
    try:
        op = crud.resolve(c, crud.ACCESS[operation], entity, None, body)
        return crud.OPERATIONS[operation](op)
    except crud.GoAsync:
        return envelope("ERROR", errs=[error_object(
            "rest-crud:TooLargeForBulk", f"this {operation} matches more than {crud.SYNC_WRITES} documents: "
            "send it on its own, where it runs asynchronously", context)])
    except CoreError as e:
        return envelope("ERROR", errs=[error_object(code_of(e)[1], e.message, context)])
