# ruff: noqa: UP031 - raw JSON bodies read best as %-templates (json.dumps would refuse NaN and surrogates)
"""Issue 12: hostile numbers, text and shapes are a 400 in Backendless's own format (see tests/test_hostile_input.py)."""

from __future__ import annotations

from typing import Any

from tests.test_hostile_input import BIG, SURROGATE


def test_backendless_objects_and_where(bl: Any) -> None:
    for raw in ['{"n": NaN}', '{"n": %s}' % BIG, '{"n": %s}' % SURROGATE]:
        r = bl("POST", "/data/Item", raw=raw)
        assert r.status_code == 400, r.body
        assert "code" in r.val and "message" in r.val
    assert bl("GET", f"/data/Item?where=n%3E{BIG}").status_code == 400


def test_backendless_counters(bl: Any) -> None:
    for path in [f"/counters/c/incrementby/get?value={BIG}", "/counters/c/incrementby/get?value=1e400",
                 "/counters/c/get/compareandset?expected=0&updatedvalue=" + BIG]:
        assert bl("PUT", path).status_code == 400, path
    assert bl("GET", "/counters/*/list").status_code == 200


def test_backendless_cache_times(bl: Any) -> None:
    for path in ["/cache/k?timeout=1e400", "/cache/k?timeout=NaN"]:
        assert bl("PUT", path, 1).status_code == 400, path
    assert bl("PUT", "/cache/k", 1).status_code == 200
    assert bl("PUT", "/cache/k/expireAt?timestamp=" + "9" * 30).status_code == 400
    assert bl("PUT", "/cache/k/expireAt?timestamp=NaN").status_code == 400


def test_backendless_publish_at(bl: Any) -> None:
    for at in ["1e30", "NaN", BIG, "-5e300"]:
        r = bl("POST", "/messaging/default", raw='{"message": "hi", "publishAt": %s}' % at)
        assert r.status_code == 400, (at, r.body)


def test_backendless_files_pagesize(bl: Any) -> None:
    from tests.backendless.test_services import _multipart

    body, ctype = _multipart("a.txt", b"hi")
    assert bl("POST", "/files/d/a.txt", raw=body, headers={"Content-Type": ctype}).status_code == 200
    assert bl("GET", "/files/d/?pagesize=abc").status_code == 400
    assert bl("GET", "/files/d/?offset=-1").status_code == 400


def test_backendless_shapes(bl: Any) -> None:
    from tests.backendless.test_services import _multipart

    body, ctype = _multipart("a.txt", b"hi")
    assert bl("POST", "/files/d/a.txt", raw=body, headers={"Content-Type": ctype}).status_code == 200
    r = bl("PUT", "/files/copy", {"sourcePath": "/d/a.txt", "targetPath": "/"})
    assert r.status_code in (200, 400), r.body
    for target in ("", "//", "/../x", "/d/a.txt/..", "\u0000"):
        r = bl("PUT", "/files/copy", {"sourcePath": "/d/a.txt", "targetPath": target})
        assert r.status_code < 500, (target, r.body)
    r = bl("POST", "/messaging/default", {"message": "x" * 900_000})
    assert r.status_code in (400, 413) and "code" in r.val, r.body
    r = bl("POST", "/messaging/email", {"subject": "hi", "bodyparts": {"textmessage": "t"},
                                        "to": [f"u{i}@example.com" for i in range(51)]})
    assert r.status_code == 400 and "code" in r.val, r.body
    r = bl("GET", "/data/Item?where=" + "a.%C2%B2%20%3D%201")  # a path step "²": not an array index
    assert r.status_code < 500, r.body
