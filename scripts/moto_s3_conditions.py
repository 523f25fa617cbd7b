"""A small patch to moto 5.2.5 so CopyObject honours `If-None-Match: *` and `If-Match` on its target.

S3 takes both conditions on CopyObject as on PutObject (a copy onto a new path is a creation, a copy
onto an existing file replaces exactly the version that was checked); moto 5.2.5 checks them on
PutObject only and copies regardless. Without this the tests could not tell a conditional copy from
a blind one. The patch checks the target the way moto's own `put_object` does, then runs moto's code.

Applied only by the local server (scripts/local.py) and the tests (tests/conftest.py), never by the
app: chalicelib does not import it. Tested in tests/test_moto_s3_conditions.py (and tests/permissions/test_attacks.py).
"""

from __future__ import annotations

from typing import Any

_applied = False


def apply() -> bool:
    """Patch moto's S3Response once; False when this moto has no copy_object to wrap (left alone)."""
    global _applied
    if _applied:
        return True
    try:
        from moto.s3.exceptions import PreconditionFailed
        from moto.s3.responses import S3Response
    except ImportError:
        return False
    original = getattr(S3Response, "copy_object", None)
    if original is None:
        return False

    def copy_object(self: Any) -> Any:
        if_match, if_none_match = self.headers.get("If-Match"), self.headers.get("If-None-Match")
        if if_match or if_none_match:
            target = self.backend.get_object(self.bucket_name, self.parse_key_name())
            if if_none_match == "*" and target is not None:
                raise PreconditionFailed("If-None-Match")
            if if_match and (target is None or if_match.replace('"', "") != target.etag.replace('"', "")):
                raise PreconditionFailed("If-Match")
        return original(self)

    S3Response.copy_object = copy_object
    _applied = True
    return True
