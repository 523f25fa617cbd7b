"""Bugs mypy found at the Backendless edge, shown over HTTP."""

from __future__ import annotations

from typing import Any


def test_a_file_part_that_is_itself_multipart_is_refused_not_stored_empty(bl: Any) -> None:
    """A part named `file` holding nested parts has no bytes of its own (get_payload gives None):
    a 400, not an empty file saved under the name."""
    inner, outer = "InNeR", "OuTeR"
    body = (f"--{outer}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
            f"Content-Type: multipart/mixed; boundary={inner}\r\n\r\n"
            f"--{inner}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{inner}--\r\n"
            f"--{outer}--\r\n").encode()
    r = bl("POST", "/files/d/a.txt", raw=body, headers={"Content-Type": f"multipart/form-data; boundary={outer}"})
    assert r.status_code == 400, r.body
    assert "code" in r.val
    assert bl("GET", "/files/d/a.txt").status_code == 404
