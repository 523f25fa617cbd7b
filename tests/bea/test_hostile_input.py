# ruff: noqa: UP031 - raw JSON bodies read best as %-templates (json.dumps would refuse NaN and surrogates)
"""Issue 12: hostile numbers, text and shapes are a 400 in BEA's own format (see tests/test_hostile_input.py)."""

from __future__ import annotations

from typing import Any

from tests.test_hostile_input import BIG, SURROGATE


def test_bea_objects(bea: Any) -> None:
    for raw in ['{"score": NaN}', '{"score": %s}' % BIG, '{"s": %s}' % SURROGATE, '{%s: 1}' % SURROGATE,
                '{"score": "+=%s"}' % BIG, '{"score": "+=%s"}' % ("9" * 5000)]:
        r = bea.post("GameScore", raw=raw)
        assert r.status_code == 400, (raw[:30], r.body)
        assert set(r.json) == {"code", "error"}
    oid = bea.post("GameScore", {"score": 1e125}).json["objectId"]
    r = bea.put(f"GameScore/{oid}", raw='{"score": {"__op": "Increment", "amount": 9e125}}')  # the sum overflows: refused at the store
    assert r.status_code == 400, r.body
    assert bea.get("GameScore").status_code == 200


def test_bea_form_body_depth_and_where_numbers(bea: Any) -> None:
    r = bea.post("GameScore", raw="a=" + "[" * 5000 + "]" * 5000,
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400, r.body
    r = bea.post("GameScore", raw="a=" + "%5B" * 200 + "%5D" * 200,
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400, r.body
    r = bea.get("GameScore", params={"where": '{"score": {"$gt": %s}}' % BIG})
    assert r.status_code == 400, r.body
    r = bea.get("GameScore", params={"where": '{"score": {"$gt": NaN}}'})
    assert r.status_code == 400, r.body
