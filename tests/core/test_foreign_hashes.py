"""bcrypt hashes (Parse, Backendless, Node backends) are accepted at login once registered, and only then."""

from __future__ import annotations

import bcrypt
import pytest

from chalicelib import hashes
from chalicelib.core import secrets


@pytest.fixture(autouse=True)
def registered() -> None:
    hashes.install()


@pytest.mark.parametrize("prefix", ["$2a$", "$2b$", "$2y$"])
def test_bcrypt_variants_verify(prefix: str) -> None:
    stored = bcrypt.hashpw(b"open sesame", bcrypt.gensalt(rounds=4)).decode().replace("$2b$", prefix, 1)
    assert secrets.supported_hash(stored)
    assert secrets.verify_password("open sesame", stored)
    assert not secrets.verify_password("open sesamE", stored)


def test_long_passwords_compare_on_their_first_72_bytes_as_bcrypt_always_did() -> None:
    pw = "x" * 80
    stored = bcrypt.hashpw(pw.encode()[:72], bcrypt.gensalt(rounds=4)).decode()
    assert secrets.verify_password(pw, stored)


def test_garbage_is_refused_not_raised() -> None:
    assert not secrets.verify_password("pw", "$2b$04$notahash")
    assert not secrets.supported_hash("md5$abc") and not secrets.supported_hash("plain")
    assert secrets.supported_hash(secrets.hash_password("pw"))
    assert secrets.verify_password("pw", secrets.hash_password("pw"))
