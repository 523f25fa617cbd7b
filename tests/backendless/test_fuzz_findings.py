"""500s the OpenAPI fuzzer found in the Backendless dialect (issue 12), each now a 400 in Backendless' envelope."""

from __future__ import annotations

import pytest

from .conftest import Bl


@pytest.mark.parametrize("where", [False, 0, 1.5, ["a"], {"a": 1}])
def test_a_where_that_is_not_text_is_a_400(bl: Bl, where: object) -> None:
    for method, path, body in (("POST", "/data/items/count", {"where": where}),
                               ("POST", "/data/items/find", {"where": where}),
                               ("POST", "/data/bulk/items/delete", {"where": where})):
        r = bl(method, path, body)
        assert r.status_code == 400, (method, path, r.body)
        assert isinstance(r.val["code"], int) and r.val["message"]


@pytest.mark.parametrize("query", ["pagesize=abc", "offset=x", "pagesize=-1", "offset=-5", "pagesize=1e3"])
def test_file_listing_paging_must_be_integers(bl: Bl, query: str) -> None:
    r = bl("GET", f"/files/docs/?{query}")
    assert r.status_code == 400, (query, r.body)
    assert r.val["message"]
