"""Password hashing, derived app keys and token digests.

Passwords: scrypt with a per-password salt (slow on purpose). App keys (client secret, REST
key) are not stored at all: they are HMAC-SHA256 of the app uuid and a key generation under
the deployment's secret key, so they can be shown again and rotated (bump the generation),
and checking one costs a hash, not a read. Tokens are 256 random bits, stored as SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid as uuidlib
from collections.abc import Callable

# n=2^14 costs ~50 ms: slow for guessing, fine for a login. The cost is stored in every hash,
# so BAAS_SCRYPT_N (tests set it low) never breaks verification of older hashes.
_N, _R, _P = int(os.environ.get("BAAS_SCRYPT_N", str(2**14))), 8, 1


# Verifiers of hashes made by other systems (bcrypt, from a Parse export), keyed by hash prefix and
# registered by the composition root (chalicelib/hashes.py): the core stays stdlib-only, and a
# deployment that registers none refuses such hashes instead of guessing.
BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
_foreign: dict[str, Callable[[bytes, bytes], bool]] = {}


def register_verifier(prefixes: tuple[str, ...], verify: Callable[[bytes, bytes], bool]) -> None:
    for prefix in prefixes:
        _foreign[prefix] = verify


# The most one login may spend on a hash: a stored hash names its own cost, and an imported one comes
# from another system's export, so a bcrypt hash at cost 31 (2^31 key schedules: days) or scrypt with
# huge n and p would let anyone who tries a password hold a Lambda until it times out, every try.
MAX_BCRYPT_COST = 14  # Parse Server and bcryptjs use 10; each step doubles the work (14: ~1 s)
MAX_SCRYPT_WORK = max(2**22, _N * _R * _P)  # n*r*p: 32x this deployment's default (~1.6 s)
_SCRYPT_MEM = 32 * 1024 * 1024  # hashlib's default maxmem: 128*r*n bytes must fit


def _affordable(stored: str) -> bool:
    """Whether checking a password against `stored` costs a bounded time (its format aside)."""
    if stored[:4] in BCRYPT_PREFIXES:
        cost = stored[4:6]
        return len(stored) == 60 and stored[6:7] == "$" and cost.isdigit() and 4 <= int(cost) <= MAX_BCRYPT_COST
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or not all(x.isdigit() for x in parts[1:4]):
        return True  # not scrypt's cost fields: verify_password refuses it without hashing
    n, r, p = (int(x) for x in parts[1:4])
    return 0 < n * r * p <= MAX_SCRYPT_WORK and 128 * r * n <= _SCRYPT_MEM


def supported_hash(stored: str) -> bool:
    """A hash `verify_password` can check at a bounded cost: ours (scrypt) or a registered foreign one."""
    return ((stored.startswith("scrypt$") and stored.count("$") == 5) or stored[:4] in _foreign) \
        and _affordable(stored)


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def needs_rehash(stored: str | None, password: str | None = None) -> bool:
    """A hash to replace at the next successful login with `password`: another system's (bcrypt from
    an import), or scrypt made with other parameters than this deployment's (BAAS_SCRYPT_N raised
    since). Not bcrypt with a password over 72 bytes: bcrypt compared only those, so the tail typed
    this once need not be the user's, and hashing it would lock the user's own password out."""
    if not stored:
        return False
    if stored[:4] in _foreign:
        return password is None or stored[:4] not in BCRYPT_PREFIXES or len(password.encode()) <= 72
    parts = stored.split("$")
    return len(parts) == 6 and parts[0] == "scrypt" and parts[1:4] != [str(_N), str(_R), str(_P)]


def verify_password(password: str, stored: str | None) -> bool:
    if not stored or not _affordable(stored):
        hashlib.scrypt(b"x", salt=b"0" * 16, n=_N, r=_R, p=_P, dklen=32)  # same cost: no user enumeration by timing
        return False
    foreign = _foreign.get(stored[:4])
    if foreign is not None:
        try:
            return bool(foreign(password.encode(), stored.encode()))
        except ValueError:
            return False
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, _unb64(digest))


def derive_key(secret_key: str, kind: str, app_uuid: str, generation: int) -> str:
    mac = hmac.new(secret_key.encode(), f"{kind}:{app_uuid}:{generation}".encode(), hashlib.sha256).digest()
    return _b64(mac)


def keys_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_id_for(app_uuid: str) -> str:
    """Usergrid-style client id: "YXA6" (base64 of "ap:") + the app uuid's bytes."""
    return "YXA6" + _b64(uuidlib.UUID(app_uuid).bytes)


def app_uuid_from_client_id(client_id: str) -> str | None:
    if not client_id.startswith("YXA6"):
        return None
    try:
        raw = _unb64(client_id[4:])
        return str(uuidlib.UUID(bytes=raw)) if len(raw) == 16 else None
    except ValueError:
        return None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
