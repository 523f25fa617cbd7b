"""Atomic field operators of seed 003, applied inside the core's optimistic update loop.

`AppData.update(..., mutate=fn)` calls `fn` on the current document at every attempt and writes
conditionally on the version it read, so two clients incrementing or adding at once both land
(the loser re-reads and re-applies). Forms accepted for a key:

- `"+=N"` / `"-=N"` (the seed), `{"__op": "Increment", "amount": N}` (Parse);
- `{"add" | "addUnique" | "remove": X}` where X is `{"objects": [...]}`, a list, or one value
  (the seed's shorthand `{"skills": {"addUnique": "flying"}}`); `{"__op": "Add" | "AddUnique" |
  "Remove", "objects": [...]}`;
- relations: `{"addUnique" | "remove": "objectId"}` on an array of Pointers adds or removes a
  Pointer of the same class; `{"__op": "AddRelation" | "RemoveRelation", "objects": [pointers]}`;
- `{"__op": "Delete"}` removes the key (a plain `null` is stored as null by BEA; the Parse dialect
  still removes the key on `null`, see its README section).

A dict value with exactly one key named `add`, `addUnique` or `remove` is therefore an operator,
never stored as data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ...core import validate
from . import errors
from .codec import decode, pointer
from .errors import ParseStyleError

INCREMENT_RE = re.compile(r"^([+-])=\s*(\d+(?:\.\d+)?)$")
ARRAY_OPS = {"add": "add", "addUnique": "addUnique", "addunique": "addUnique", "remove": "remove",
             "Add": "add", "AddUnique": "addUnique", "Remove": "remove",
             "AddRelation": "addUnique", "RemoveRelation": "remove"}
Op = Callable[[Any, bool], Any]  # (current value, present) -> new value (or DELETE)
DELETE = object()


def split_ops(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Op]]:
    """(plain values, operators by key)."""
    plain: dict[str, Any] = {}
    ops: dict[str, Op] = {}
    for k, v in fields.items():
        op = _op(k, v)
        if op is None:
            plain[k] = decode(v)
        else:
            ops[k] = op
    return plain, ops


def mutation(ops: dict[str, Op]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def apply(doc: dict[str, Any]) -> dict[str, Any]:
        out = dict(doc)
        for k, op in ops.items():
            new = op(out.get(k), k in out)
            if new is DELETE:
                out.pop(k, None)
            else:
                out[k] = new
        return out

    return apply


def initial(ops: dict[str, Op]) -> dict[str, Any]:
    """Operators on a new object (create): applied to nothing."""
    return {k: v for k, v in mutation(ops)({}).items()}


def _op(key: str, v: Any) -> Op | None:
    if isinstance(v, str):
        m = INCREMENT_RE.match(v)
        if m:
            n = validate.finite(m.group(2), "an increment")
            return _increment(key, -n if m.group(1) == "-" else n)
        return None
    if not isinstance(v, dict):
        return None
    if "__op" in v:
        name = v["__op"]
        if not isinstance(name, str):
            raise ParseStyleError(errors.INVALID_JSON, "__op must be the name of an operator")
        if name == "Increment":
            amount = v.get("amount", 1)
            if not isinstance(amount, (int, float)) or isinstance(amount, bool):
                raise ParseStyleError(errors.INVALID_JSON, "Increment amount must be a number")
            return _increment(key, amount)
        if name == "Delete":
            return lambda cur, present: DELETE
        if name in ARRAY_OPS:
            objs = v.get("objects")
            if not isinstance(objs, list):
                raise ParseStyleError(errors.INVALID_JSON, f"{name} takes a list in objects")
            return _array(key, ARRAY_OPS[name], [decode(o) for o in objs])
        raise ParseStyleError(errors.INVALID_JSON, f"unknown operator: {name}")
    if len(v) == 1:
        (name, arg), = v.items()
        if name in ("add", "addUnique", "addunique", "remove"):
            objs = arg.get("objects") if isinstance(arg, dict) and "objects" in arg else arg
            objs = objs if isinstance(objs, list) else [objs]
            return _array(key, ARRAY_OPS[name], [decode(o) for o in objs])
    return None


def _increment(key: str, amount: int | float) -> Op:
    def apply(cur: Any, present: bool) -> Any:
        if not present or cur is None:
            return amount
        if not isinstance(cur, (int, float)) or isinstance(cur, bool):
            raise ParseStyleError(errors.INCORRECT_TYPE, f"cannot increment {key}: it is not a number")
        return cur + amount

    return apply


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and a.get("__type") == "Pointer" and isinstance(b, dict) and b.get("__type") == "Pointer":
        return bool(a.get("objectId") == b.get("objectId") and a.get("className") == b.get("className"))
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _as_pointers(cur: list[Any], objs: list[Any]) -> list[Any]:
    """Relation shorthand: bare objectIds next to Pointers become Pointers of the same class."""
    cls = next((c["className"] for c in cur if isinstance(c, dict) and c.get("__type") == "Pointer"), None)
    return [pointer(cls, o) if cls and isinstance(o, str) else o for o in objs]


def _array(key: str, kind: str, objs: list[Any]) -> Op:
    def apply(cur: Any, present: bool) -> Any:
        if not present or cur is None:
            cur = []
        if not isinstance(cur, list):
            raise ParseStyleError(errors.INCORRECT_TYPE, f"cannot {kind} on {key}: it is not an array")
        items = _as_pointers(cur, objs)
        if kind == "add":
            return cur + items
        if kind == "addUnique":
            out = list(cur)
            for o in items:
                if not any(_same(o, c) for c in out):
                    out.append(o)
            return out
        return [c for c in cur if not any(_same(c, o) for o in items)]

    return apply
