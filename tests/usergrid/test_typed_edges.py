"""Bugs mypy found at the Usergrid edge, shown over HTTP."""

from __future__ import annotations

from typing import Any

B = "/usergrid/acme/sandbox"


def test_counters_with_other_query_params_lists_the_names(api: Any, org: dict[str, Any]) -> None:
    """`?limit=5` without `counter` is a query string all the same: the names, not a KeyError (500)."""
    api.post(f"{B}/events", {"counters": {"clicks": 1}})
    r = api.get(f"{B}/counters?limit=5")
    assert r.status_code == 200, r.body
    assert r.json["data"] == ["clicks"]
