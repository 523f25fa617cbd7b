"""Cursors: opaque to clients, signed by us, checked before any field is used.

A cursor carries a position (a scan number and the last sort key, an offset, a connection key).
Base64 alone let a client edit the key, which then went into DynamoDB's ExclusiveStartKey (a
ValidationException on DynamoDB, a 500), or send fields of the wrong type. Each cursor is now
HMAC-SHA256 signed with a key derived from the deployment's secret and the app uuid, so only a
cursor this app was given verifies, and readers still check every field's type and range.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets as pysecrets
from typing import Any

from .errors import InvalidQuery

MAX_CURSOR = 4096  # characters: a sort key is at most 1 KB, base64 and JSON add a little


class Cursors:
    def __init__(self, secret_key: str | None = None) -> None:
        self._key = (secret_key or pysecrets.token_urlsafe(32)).encode()

    def _mac(self, app: str, payload: str) -> str:
        key = hmac.new(self._key, f"cursor:{app}".encode(), hashlib.sha256).digest()
        return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:16])

    def seal(self, app: str, state: Any) -> str:
        payload = _b64(json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode())
        return f"{payload}.{self._mac(app, payload)}"

    def open(self, app: str, cursor: str) -> Any:
        """The state this app sealed; InvalidQuery for anything else (edited, foreign, garbage)."""
        if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR or cursor.count(".") != 1:
            raise InvalidQuery("invalid cursor")
        payload, mac = cursor.split(".")
        if not hmac.compare_digest(mac, self._mac(app, payload)):
            raise InvalidQuery("invalid cursor")
        try:
            return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (ValueError, UnicodeDecodeError):
            raise InvalidQuery("invalid cursor") from None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
