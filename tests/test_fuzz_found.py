"""5xx causes the random-request and schemathesis runs found (issue 12), one test each, in every dialect
that shares the code: the answer is a 4xx in the dialect's own format."""

from __future__ import annotations

from typing import Any

import pytest

from tests.bea.conftest import Bea
from tests.parse.conftest import Parse


@pytest.fixture(params=["parse", "bea"])
def parselike(request: Any, client: Any, org: dict[str, Any]) -> tuple[str, Any]:
    c = org["credentials"]
    if request.param == "parse":
        return "classes/Thing", Parse(client, c["uuid"], c["rest_api_key"], c["master_key"])
    return "Thing", Bea(client, c["uuid"], c["rest_api_key"], c["master_key"])


@pytest.mark.parametrize("op", [[], {}, ["Add"], 1, None])
def test_an_operator_name_that_is_not_a_string_is_a_400(parselike: tuple[str, Any], op: Any) -> None:
    """`{"__op": [...]}` reached a dict lookup with a list (TypeError: unhashable type, a 500)."""
    path, cli = parselike
    r = cli.post(path, {"f": {"__op": op, "objects": [1]}})
    assert r.status_code == 400 and set(r.json) == {"code", "error"}, r.body
    oid = cli.post(path, {"n": 1}).json["objectId"]
    r = cli.put(f"{path}/{oid}", {"f": {"__op": op}})
    assert r.status_code == 400 and set(r.json) == {"code", "error"}, r.body
