"""DynamoDB implementations of the DocStore (tenants) and TokenStore ports."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import PutError

from ..core.ports import VersionConflict
from .models import TenantModel, TokenModel


class DynamoDocStore:
    def get(self, key: str) -> tuple[dict[str, Any], int] | None:
        try:
            item = TenantModel.get(key, consistent_read=True)
        except TenantModel.DoesNotExist:
            return None
        return json.loads(item.doc), int(item.ver)

    def put(self, key: str, doc: dict[str, Any], expected_version: int | None) -> None:
        ver = 1 if expected_version is None else expected_version + 1
        cond = TenantModel.pk.does_not_exist() if expected_version is None else TenantModel.ver == expected_version
        try:
            TenantModel(key, doc=json.dumps(doc, separators=(",", ":")), ver=ver).save(condition=cond)
        except PutError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                raise VersionConflict() from e
            raise


class DynamoTokenStore:
    def put(self, digest: str, doc: dict[str, Any], expires_s: int) -> None:
        TokenModel(digest, doc=json.dumps(doc, separators=(",", ":")),
                   expires=datetime.fromtimestamp(expires_s, tz=UTC)).save()

    def put_new(self, digest: str, doc: dict[str, Any], expires_s: int) -> bool:
        try:
            TokenModel(digest, doc=json.dumps(doc, separators=(",", ":")),
                       expires=datetime.fromtimestamp(expires_s, tz=UTC)).save(condition=TokenModel.pk.does_not_exist())
            return True
        except PutError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise

    def get(self, digest: str) -> dict[str, Any] | None:
        try:
            item = TokenModel.get(digest)
        except TokenModel.DoesNotExist:
            return None
        doc: dict[str, Any] = json.loads(item.doc)
        return doc if doc.get("exp", 0) > time.time() else None

    def get_many(self, keys: Any) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        now = time.time()
        for item in TokenModel.batch_get(list(dict.fromkeys(keys))):
            doc: dict[str, Any] = json.loads(item.doc)
            if doc.get("exp", 0) > now:
                out[item.pk] = doc
        return out

    def delete(self, digest: str) -> None:
        TokenModel(digest).delete()
