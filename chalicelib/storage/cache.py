"""DynamoDB cache entries with the TTL attribute; the core still checks expiry on every read."""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.exceptions import UpdateError

from .models import CacheModel


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


class DynamoCacheStore:
    def put(self, app: str, key: str, raw_json: str, expires_s: int) -> None:
        CacheModel(f"{app}#{key}", doc=raw_json, expires=_at(expires_s)).save()

    def get(self, app: str, key: str) -> tuple[str, int] | None:
        try:
            item = CacheModel.get(f"{app}#{key}")
        except CacheModel.DoesNotExist:
            return None
        return item.doc, int(item.expires.timestamp())

    def set_expiry(self, app: str, key: str, expires_s: int, now_s: int) -> bool:
        try:
            CacheModel(f"{app}#{key}").update(actions=[CacheModel.expires.set(_at(expires_s))],
                                              condition=CacheModel.expires > _at(now_s))
        except UpdateError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def delete(self, app: str, key: str) -> None:
        CacheModel(f"{app}#{key}").delete()
