"""DynamoDB messaging: channel partitions ordered by delivery time, statuses and subscriptions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from .models import MessageModel


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"))


class DynamoMessageStore:
    def publish(self, app: str, channel: str, message_id: str, deliver_at_ms: int, doc: dict[str, Any],
                expires_s: int) -> str:
        sk = f"{deliver_at_ms:013d}#{message_id}"
        status = {"messageId": message_id, "channel": channel, "publishAt": deliver_at_ms}
        with MessageModel.batch_write() as batch:  # one BatchWriteItem for the message and its status
            batch.save(MessageModel(f"{app}#ch#{channel}", sk, doc=_dumps(doc), expires=_at(expires_s)))
            batch.save(MessageModel(f"{app}#msg#{message_id}", "status", doc=_dumps(status), expires=_at(expires_s)))
        return sk

    def status(self, app: str, message_id: str) -> dict[str, Any] | None:
        return self._doc(f"{app}#msg#{message_id}", "status")

    def put_subscription(self, app: str, sub_id: str, doc: dict[str, Any], expires_s: int) -> None:
        MessageModel(f"{app}#sub#{sub_id}", "sub", doc=_dumps(doc), expires=_at(expires_s)).save()

    def subscription(self, app: str, sub_id: str) -> dict[str, Any] | None:
        return self._doc(f"{app}#sub#{sub_id}", "sub")

    def advance(self, app: str, sub_id: str, old_after: str, new_after: str, expires_s: int) -> bool:
        item = MessageModel.get(f"{app}#sub#{sub_id}", "sub", consistent_read=True)
        doc = json.loads(item.doc)
        if doc.get("after") != old_after:
            return False
        doc["after"] = new_after
        try:
            item.update(actions=[MessageModel.doc.set(_dumps(doc)), MessageModel.expires.set(_at(expires_s))],
                        condition=MessageModel.doc == item.doc)
        except UpdateError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def read(self, app: str, channel: str, after: str, upto: str, limit: int) -> list[tuple[str, dict[str, Any]]]:
        if after + "\x00" > upto:
            return []
        cond = MessageModel.sk.between(after + "\x00", upto)
        return [(i.sk, json.loads(i.doc)) for i in MessageModel.query(
            f"{app}#ch#{channel}", cond, limit=limit, consistent_read=True)]

    def _doc(self, pk: str, sk: str) -> dict[str, Any] | None:
        try:
            doc: dict[str, Any] = json.loads(MessageModel.get(pk, sk, consistent_read=True).doc)
        except MessageModel.DoesNotExist:
            return None
        return doc
