"""Identifiers and clocks.

Entity uuids are version 7 (RFC 9562): time-ordered, so an index sort key that ends in
the uuid orders equal values newest-last, which gives "newest first" for free.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
import uuid

_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_lock = threading.Lock()
_last = [0, 0]  # last ms, counter: keeps uuids monotonic within one millisecond


def now_ms() -> int:
    return int(time.time() * 1000)


def uuid7() -> str:
    with _lock:
        ms = now_ms()
        if ms <= _last[0]:
            ms = _last[0]
            _last[1] += 1
        else:
            _last[0], _last[1] = ms, int.from_bytes(os.urandom(2), "big") & 0x3FF
        seq = _last[1] & 0xFFF
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | seq << 64 | 0b10 << 62 | rand
    return str(uuid.UUID(int=value))


def is_uuid(text: str) -> bool:
    return bool(_UUID_RE.match(text))


def random_token(nbytes: int = 32) -> str:
    """URL-safe random token; 32 bytes = 256 bits of entropy."""
    return secrets.token_urlsafe(nbytes)
