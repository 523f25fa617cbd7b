"""Bugs mypy found at the BEA edge, shown over HTTP."""

from __future__ import annotations

from typing import Any


def test_a_file_part_that_is_itself_multipart_is_refused_not_stored_empty(bea: Any) -> None:
    """A part holding nested parts has no bytes of its own (get_payload gives None): a 400 in BEA's
    envelope, not an object created with an empty file."""
    raw = (b"--B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nsunset\r\n"
           b"--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"s.jpg\"\r\n"
           b"Content-Type: multipart/mixed; boundary=I\r\n\r\n"
           b"--I\r\nContent-Type: image/jpeg\r\n\r\nJPEGDATA\r\n--I--\r\n--B--\r\n")
    r = bea.post("Photo", raw=raw, headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert r.status_code == 400, r.body
    assert "code" in r.json and "error" in r.json
    assert bea.query("Photo") == []
