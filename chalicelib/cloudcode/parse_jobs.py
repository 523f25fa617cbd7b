"""Parse Cloud jobs: `POST /parse/jobs/<name>` (master key) runs one as a task; see dialects/parse/server.py.

A job receives an `Invocation` (`args` = the job's params, `data` = the app's data with the app's
own rights, `user` = None) and returns its status message (a string) or None. Raising marks the
`_JobStatus` as `failed` with the error's message. Add your own jobs here with `@method`.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.cloudcode import Invocation, method
from chalicelib.core.query import Query


@method
def hello(call: Invocation) -> Any:
    name = call.args.get("name") if isinstance(call.args, dict) else None
    return f"Hello, {name or 'world'}!"


@method
def count_objects(call: Invocation) -> Any:
    """Counts the objects of a collection (params: {"collection": "gamescores"}), up to 10,000."""
    coll = call.args.get("collection") if isinstance(call.args, dict) else None
    if not isinstance(coll, str) or not coll:
        raise ValueError("params.collection is required")
    total, cursor = 0, None
    for _ in range(10):
        page = call.data.query(coll, Query(limit=1000, cursor=cursor))
        total, cursor = total + len(page.records), page.cursor
        if cursor is None:
            break
    return f"{coll}: {total} objects"
