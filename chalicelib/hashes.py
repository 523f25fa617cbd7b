"""Password hashes made by other systems, checked at login: bcrypt (Parse Server, Backendless and most
Node backends store `$2a$`/`$2b$`/`$2y$` bcrypt hashes), so users imported from a Parse export keep
logging in with their passwords.

Why the `bcrypt` package rather than a pure-Python verifier: bcrypt at cost 10 runs 2^10 rounds of
Blowfish's expensive key schedule; in pure Python that is seconds to tens of seconds per login (a
Lambda bills them, and API Gateway gives up at 29 s), in bcrypt's compiled core ~50-100 ms. Its wheel
is abi3 manylinux (one ~630 KB shared object, no other dependency), so it packs into the Lambda zip
like pure Python; it is imported on the first bcrypt login only, so cold starts do not pay for it.
"""

from __future__ import annotations

from .core.secrets import BCRYPT_PREFIXES, register_verifier


def _bcrypt(password: bytes, stored: bytes) -> bool:
    import bcrypt

    # `$2y$` (PHP) is the same algorithm as `$2b$`; bcrypt 5 refuses passwords over 72 bytes, which
    # bcrypt (and bcryptjs, Parse's) always ignored: cut them as the hash was made.
    return bool(bcrypt.checkpw(password[:72], stored.replace(b"$2y$", b"$2b$", 1)))


def install() -> None:
    register_verifier(BCRYPT_PREFIXES, _bcrypt)
