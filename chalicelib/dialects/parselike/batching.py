"""Batch answers that fit one response, for BEA's and Parse's `POST /batch`.

Each command of a batch is bounded (a find by its limit and the response size check, a write by one
object), but fifty of them together are not: fifty finds of 5 MB would be a 250 MB answer, far past
Lambda's 6 MB. The batch protocol answers each command on its own (`{success}` or `{error}`), so a
command whose answer no longer fits gets an error of its own instead of the whole batch failing after
its writes are done: a read is refused (and once the answer is full, not even run), a write, which has
happened, keeps the fields that identify it (objectId, createdAt, updatedAt) without the values its
atomic operators echo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core.budget import Room
from ...core.errors import CoreError

Result = dict[str, Any]
ErrorBody = Callable[[CoreError], dict[str, object]]
WRITE_KEYS = ("objectId", "createdAt", "updatedAt", "sessionToken")


def run_fitting(room: Room, method: str, run: Callable[[], Result], error_body: ErrorBody) -> Result:
    """One command's result, as much of it as the answer still has room for."""
    if method == "GET" and room.full():
        out: Result = {"error": error_body(room.error())}
    else:
        out = run()
        if not room.fits(out):
            success = out.get("success")
            if method != "GET" and isinstance(success, dict):
                out = {"success": {k: v for k, v in success.items() if k in WRITE_KEYS}}
            else:
                out = {"error": error_body(room.error())}
    room.take(out)
    return out


def taken(room: Room, results: list[Result]) -> list[Result]:
    """Results produced together (a run of creates: small, one object id each), counted against the room."""
    for r in results:
        room.take(r)
    return results
