"""Lightblue update expressions: $set, $unset, $add, $append, $insert and $foreach, applied in order.

`parse` checks the whole expression up front (a malformed one is a request error, 400); `apply`
runs it on a copy of one document and raises InvalidInput (a data error for that document only)
when the document does not fit, e.g. $append to a field that is not an array. The data routes run
`apply` inside AppData.update's `mutate`, so it is re-applied on the fresh document on every
optimistic retry and concurrent updates never lose each other's changes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ...core.errors import InvalidInput, InvalidQuery
from ...core.query import Node, matches, path_values
from ...core.validate import is_index
from .expressions import MAX_DEPTH, PARENT, THIS, Compiler, Scope, path, resolve

OPS = ("$set", "$unset", "$add", "$append", "$insert", "$foreach")
MAX_OPS = 100


@dataclass
class Op:
    kind: str
    path: str
    value: Any = None
    query: Node | None = None  # $foreach: None means $all
    nested: list[Op] | None = None  # $foreach: None means $remove


def parse(expr: Any, compiler: Compiler, scope: Scope = (), depth: int = 0) -> list[Op]:
    """The whole expression checked up front; `scope` is the array element a $foreach update runs on."""
    if depth > MAX_DEPTH:
        raise InvalidQuery("update nested too deeply", code="query:InvalidUpdate")
    items = expr if isinstance(expr, list) else [expr]
    if not items or len(items) > MAX_OPS:
        raise InvalidQuery("update must be an update expression or a non-empty array of them",
                           code="query:InvalidUpdate")
    ops: list[Op] = []
    for item in items:
        if not isinstance(item, dict) or len(item) != 1 or next(iter(item)) not in OPS:
            raise InvalidQuery(f"unknown update expression; expected one of {', '.join(OPS)}",
                               code="query:InvalidUpdate")
        (kind, body), = item.items()
        if kind == "$unset":
            paths = body if isinstance(body, list) else [body]
            if not paths or len(paths) > MAX_OPS:
                raise InvalidQuery("$unset takes a path or a non-empty array of paths", code="query:InvalidUpdate")
            ops += [Op(kind, _target(p, scope)) for p in paths]
        elif kind == "$foreach":
            ops.append(_foreach(body, compiler, scope, depth))
        else:
            if not isinstance(body, dict) or not body or len(body) > MAX_OPS:
                raise InvalidQuery(f"{kind} takes an object of path: value", code="query:InvalidUpdate")
            for p, v in body.items():
                _check_rvalue(kind, v)
                if kind == "$insert" and not is_index(path(p).split(".")[-1]):
                    raise InvalidQuery("$insert needs a path ending in an index", code="crud:InsertionRequiresIndex")
                ops.append(Op(kind, _target(p, scope), v))
        if len(ops) > MAX_OPS:
            raise InvalidQuery(f"at most {MAX_OPS} updates", code="query:InvalidUpdate")
    return ops


def _target(p: Any, scope: Scope) -> str:
    """`$this` names the element inside a $foreach update only; `$parent` is not supported in updates."""
    target = path(p)
    segs = target.split(".")
    if PARENT in segs or THIS in segs[1:] or (segs[0] == THIS and not scope):
        raise InvalidQuery(f"{p}: $this starts a path inside a $foreach update; $parent is not supported "
                           "in update paths", code="query:InvalidUpdate")
    return target


def _check_rvalue(kind: str, v: Any) -> None:
    """rvalue_expression := value | {$valueof: path} | {}; $add takes numbers (or $valueof)."""
    for x in v if isinstance(v, list) and kind in ("$append", "$insert") else [v]:
        if isinstance(x, dict) and "$valueof" in x:
            if not _valueof(x):
                raise InvalidQuery("$valueof takes a field path", code="query:InvalidUpdate")
            path(x["$valueof"])
    if kind == "$add" and not _is_number(v) and not _valueof(v):
        raise InvalidQuery("$add takes numbers", code="query:InvalidUpdate")


def _foreach(body: Any, compiler: Compiler, scope: Scope, depth: int) -> Op:
    """update.md: the query sees the element as `$this` (or its absolute path) and plain paths from the root."""
    if not isinstance(body, dict) or "$update" not in body or len(body) != 2:
        raise InvalidQuery("$foreach takes {path: $all | query, $update: $remove | update}", code="query:InvalidUpdate")
    arr = _target(next(k for k in body if k != "$update"), scope)
    q, upd = body[arr], body["$update"]
    elem = resolve(arr, scope, plain_relative=bool(scope))
    if q != "$all" and not isinstance(q, dict):
        raise InvalidQuery("the $foreach query is $all or a query expression", code="query:InvalidUpdate")
    query = None if q == "$all" else compiler.subquery(q, elem, plain_relative=False, outer_ok=True)
    nested = None if upd == "$remove" else parse(upd, compiler, elem, depth + 1)
    return Op("$foreach", arr, query=query, nested=nested)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _valueof(v: Any) -> bool:
    return isinstance(v, dict) and set(v) == {"$valueof"} and isinstance(v["$valueof"], str)


# -- application ------------------------------------------------------------------------------
# A document's identity and entity name are the server's: no update expression changes them.
FIXED = ("_id", "objectType")


def apply(ops: list[Op], doc: dict[str, Any]) -> dict[str, Any]:
    """Raises InvalidInput (a data error of this document) when it does not fit, or when an
    expression targets `_id` or `objectType` (Lightblue: crud:InvalidAssignment)."""
    for op in ops:
        if _segs(op.path)[0] in FIXED:
            raise InvalidInput(f"{op.path} cannot be updated", code="crud:InvalidAssignment")
    out = copy.deepcopy(doc)
    _run(ops, out, out)
    return out


def _run(ops: list[Op], target: dict[str, Any], root: dict[str, Any]) -> None:
    for op in ops:
        segs = _segs(op.path)
        if op.kind == "$set":
            for cont, key in _locations(target, segs, create=True):
                cont[key] = _rvalue(op.value, target, root)
        elif op.kind == "$unset":
            found = [ck for ck in _locations(target, segs, create=False) if _has(*ck)]
            for cont, key in sorted(found, key=lambda ck: -_order(ck[1])):
                del cont[key]
        elif op.kind == "$add":
            for cont, key in _locations(target, segs, create=True):
                cur = cont[key] if _has(cont, key) else 0
                inc = _rvalue(op.value, target, root)
                if not _is_number(cur) or not _is_number(inc):
                    raise InvalidInput(f"$add needs numbers at {op.path}", code="crud:IncompatibleAssignment")
                cont[key] = cur + inc
        elif op.kind == "$append":
            values = op.value if isinstance(op.value, list) else [op.value]
            for cont, key in _locations(target, segs, create=True):
                if not _has(cont, key) or cont[key] is None:
                    cont[key] = []
                if not isinstance(cont[key], list):
                    raise InvalidInput(f"{op.path} is not an array", code="crud:ArrayRequired")
                cont[key].extend(_rvalue(v, target, root) for v in values)
        elif op.kind == "$insert":
            values = op.value if isinstance(op.value, list) else [op.value]
            arr_segs, index = segs[:-1], int(segs[-1])
            for cont, key in _locations(target, arr_segs, create=False):
                if not _has(cont, key):
                    continue  # nothing to insert into: as $foreach, a missing array is left alone
                arr = cont[key]
                if not isinstance(arr, list):
                    raise InvalidInput(f"{'.'.join(arr_segs)} is not an array", code="crud:ArrayRequired")
                at = index if index >= 0 else max(0, len(arr) + index + 1)
                arr[at:at] = [_rvalue(v, target, root) for v in values]
        elif op.kind == "$foreach":
            for cont, key in _locations(target, segs, create=False):
                if _has(cont, key) and isinstance(cont[key], list):  # a missing array: nothing to do
                    cont[key] = _foreach_apply(op, cont[key], root)


def _foreach_apply(op: Op, arr: list[Any], root: dict[str, Any]) -> list[Any]:
    out = []
    for e in arr:
        if op.query is not None and not matches(op.query, {**root, THIS: e}):
            out.append(e)
            continue
        if op.nested is None:
            continue  # $remove
        box = {"$this": copy.deepcopy(e)}
        nested = [_rebase(n) for n in op.nested]
        _run(nested, box, root)
        out.append(box["$this"])
    return out


def _rebase(op: Op) -> Op:
    p = op.path if op.path == "$this" or op.path.startswith("$this.") else f"$this.{op.path}"
    return Op(op.kind, p, op.value, op.query, op.nested)


def _rvalue(v: Any, target: dict[str, Any], root: dict[str, Any]) -> Any:
    if _valueof(v):
        src = v["$valueof"]
        got = path_values(target if src.startswith("$this") else root, src)
        if not got:
            raise InvalidInput(f"$valueof {src}: no such field", code="crud:FieldNotThere")
        return copy.deepcopy(got[0])
    return copy.deepcopy(v)


def _segs(p: str) -> list[str]:
    return p.split(".")


def _has(cont: Any, key: Any) -> bool:
    return key in cont if isinstance(cont, dict) else isinstance(key, int) and 0 <= key < len(cont)


def _order(key: Any) -> int:
    return key if isinstance(key, int) else 0


def _locations(cur: Any, segs: list[str], create: bool) -> list[tuple[Any, Any]]:
    """(container, key) of every place a path names; `*` fans out over array elements."""
    head, rest = segs[0], segs[1:]
    keys: list[Any] = []
    if isinstance(cur, dict):
        if head == "*" or is_index(head) and not create and head not in cur:
            return []
        keys = [head]
        if rest and (head not in cur or cur[head] is None):
            if not create:
                return []
            cur[head] = {}
    elif isinstance(cur, list):
        if head == "*":
            keys = list(range(len(cur)))
        elif is_index(head):
            i = int(head)
            i = i + len(cur) if i < 0 else i
            if not 0 <= i < len(cur):
                if create and not rest and i == len(cur):
                    cur.append(None)
                else:
                    raise InvalidInput(f"array index {head} out of range", code="crud:InvalidDeference")
            keys = [i]
        else:
            raise InvalidInput(f"{head} addresses an array element by name", code="crud:InvalidDeference")
    else:
        raise InvalidInput(f"cannot address {head} inside a value", code="crud:InvalidDeference")
    if not rest:
        return [(cur, k) for k in keys]
    out: list[tuple[Any, Any]] = []
    for k in keys:
        out += _locations(cur[k], rest, create)
    return out
