"""DynamoDB implementation of the core's EntityStore and UniqueStore ports."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from functools import partial
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.condition import size

from ..core import parallel
from ..core.errors import InvalidQuery, TooManyVerbs
from ..core.ids import now_ms
from ..core.ports import IndexHit, Record, VersionConflict
from .models import EntityModel, IndexModel, UniqueModel

_CONDITION_FAILED = "ConditionalCheckFailedException"
BATCH = 25  # items per BatchWriteItem (DynamoDB's limit)


def _batch_write(prefix: str, ops: Sequence[tuple[bool, str, str, int | None]], t: int) -> None:
    """One BatchWriteItem (pynamodb re-sends unprocessed items itself)."""
    with IndexModel.batch_write() as batch:
        for put, index, sk, readable in ops:
            if put:
                batch.save(IndexModel(prefix + index, sk, t=t, r=readable))
            else:
                batch.delete(IndexModel(prefix + index, sk))


def _dumps(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def _conflict(e: PutError | DeleteError) -> bool:
    return e.cause_response_code == _CONDITION_FAILED


class DynamoEntityStore:
    def _to_record(self, item: EntityModel) -> Record:
        app, uuid = item.pk.split("#", 1)
        return Record(app, item.coll, uuid, int(item.ver), json.loads(item.doc), json.loads(item.pv), item.secret,
                      item.owner, json.loads(item.acl) if item.acl else None, shards=int(item.sh or 1),
                      out_verbs=tuple(sorted(item.vout or ())), in_verbs=tuple(sorted(item.vin or ())))

    def get(self, app: str, uuid: str) -> Record | None:
        try:
            return self._to_record(EntityModel.get(f"{app}#{uuid}", consistent_read=True))
        except EntityModel.DoesNotExist:
            return None

    def batch_get(self, app: str, uuids: Sequence[str]) -> dict[str, Record]:
        keys = list(dict.fromkeys(f"{app}#{u}" for u in uuids))
        out: dict[str, Record] = {}
        for item in EntityModel.batch_get(keys, consistent_read=True):
            rec = self._to_record(item)
            out[rec.uuid] = rec
        return out

    @staticmethod
    def _item(record: Record) -> EntityModel:
        return EntityModel(
            f"{record.app}#{record.uuid}", coll=record.collection, ver=record.version,
            doc=_dumps(record.doc), pv=_dumps(record.prop_versions), secret=record.secret,
            owner=record.owner, acl=_dumps(record.acl) if record.acl is not None else None,
            sh=record.shards if record.shards > 1 else None,
            vout=set(record.out_verbs) or None, vin=set(record.in_verbs) or None,
        )

    def put_new(self, records: Sequence[Record]) -> None:
        """Full 25-item BatchWriteItem requests, sent at once (uuid7s just made: no item to overwrite)."""
        def write(chunk: Sequence[Record]) -> None:
            with EntityModel.batch_write() as batch:
                for r in chunk:
                    batch.save(self._item(r))

        parallel.run_all([partial(write, records[i:i + BATCH]) for i in range(0, len(records), BATCH)])

    def put(self, record: Record, expected_version: int | None) -> None:
        item = self._item(record)
        cond = EntityModel.pk.does_not_exist() if expected_version is None else EntityModel.ver == expected_version
        try:
            item.save(condition=cond)
        except PutError as e:
            if _conflict(e):
                raise VersionConflict() from e
            raise

    def delete(self, app: str, uuid: str, expected_version: int) -> None:
        try:
            EntityModel(f"{app}#{uuid}").delete(condition=EntityModel.ver == expected_version)
        except DeleteError as e:
            if _conflict(e):
                raise VersionConflict() from e
            raise

    def change_verbs(self, app: str, uuid: str, side: str, verb: str, add: bool, limit: int | None = None) -> bool:
        """`limit`: an added verb must find fewer than `limit` verbs there (or be one of them), in the
        same conditional UpdateItem, so two connects racing for the last slot cannot both pass; the
        loser gets TooManyVerbs (one more GetItem, on that rare path only, tells it from a missing entity)."""
        attr = EntityModel.vout if side == "out" else EntityModel.vin
        condition = EntityModel.pk.exists()
        if add and limit is not None:
            fewer = size(attr) < limit  # type: ignore[no-untyped-call]  # pynamodb: size() is unannotated
            condition &= attr.does_not_exist() | fewer | attr.contains(verb)
        try:
            EntityModel(f"{app}#{uuid}").update(
                actions=[attr.add({verb}) if add else attr.delete({verb}), EntityModel.ver.add(1)],
                condition=condition)
        except UpdateError as e:
            if e.cause_response_code != _CONDITION_FAILED:
                raise
            if add and limit is not None and self.get(app, uuid) is not None:
                raise TooManyVerbs(f"an entity has at most {limit} connection verbs each way") from None
            return False
        return True

    def replace_secret(self, app: str, uuid: str, old: str, new: str) -> bool:
        """One conditional UpdateItem of the hash alone: a password change that lands first (a
        whole-item put with a new hash) makes it fail, and one that lands later simply wins."""
        try:
            EntityModel(f"{app}#{uuid}").update(actions=[EntityModel.secret.set(new)],
                                                condition=EntityModel.secret == old)
            return True
        except UpdateError as e:
            if e.cause_response_code == _CONDITION_FAILED:
                return False
            raise

    def write_index(self, partition_prefix: str, puts: Sequence[tuple[str, str]], deletes: Sequence[tuple[str, str]],
                    hidden: Collection[tuple[str, str]] | None = None) -> None:
        """Full 25-item BatchWriteItem requests, all sent at once: one round trip for any entity."""
        t = now_ms()
        hide = None if hidden is None else set(hidden)
        ops: list[tuple[bool, str, str, int | None]] = [
            (True, index, sk, None if hide is None else int((index, sk) not in hide)) for index, sk in puts]
        ops += [(False, index, sk, None) for index, sk in deletes]
        waves = [ops[i:i + BATCH] for i in range(0, len(ops), BATCH)]
        parallel.run_all([partial(_batch_write, partition_prefix, w, t) for w in waves])

    def query_index(
        self, partition: str, low: str, high: str, descending: bool, start_after: str | None, limit: int
    ) -> tuple[list[IndexHit], str | None]:
        if low > high:  # DynamoDB refuses BETWEEN with low > high (moto answers nothing): an empty range
            return [], None
        kwargs: dict[str, Any] = {}
        if start_after is not None:
            # A cursor's key goes into ExclusiveStartKey only if it lies inside this range (DynamoDB
            # refuses one outside the key condition; an edited cursor must be a 400, not a 500).
            if not isinstance(start_after, str) or not low <= start_after <= high:
                raise InvalidQuery("invalid cursor")
            kwargs["last_evaluated_key"] = {"pk": {"S": partition}, "sk": {"S": start_after}}
        result = IndexModel.query(
            partition, IndexModel.sk.between(low, high), scan_index_forward=not descending,
            limit=limit, page_size=limit, consistent_read=True, **kwargs,
        )
        hits = [IndexHit(i.sk, int(i.t)) for i in result]
        last = result.last_evaluated_key
        return hits, (last["sk"]["S"] if last else None)


    def count_index(self, partition: str, low: str, high: str, public_only: bool = False) -> int | None:
        if low > high:
            return 0
        # Select=COUNT pages through 1 MB of index items per call (~10,000 entries) and bills their size,
        # half of it read eventually consistent: a count is a moment's view anyway (writes in flight).
        if not public_only:
            return int(IndexModel.count(partition, IndexModel.sk.between(low, high), consistent_read=False))
        # The same pages and the same bill (DynamoDB charges what a Query reads, not what it returns),
        # each entry's flag returned: a FilterExpression count could not tell unflagged entries apart.
        n = 0
        for item in IndexModel.query(partition, IndexModel.sk.between(low, high), consistent_read=False,
                                     attributes_to_get=["r"]):  # the flag alone comes back
            if item.r is None:
                return None
            n += int(item.r == 1)
        return n


class DynamoUniqueStore:
    def claim(self, key: str, owner: str) -> str | None:
        try:
            UniqueModel(key, owner=owner, t=now_ms()).save(condition=UniqueModel.pk.does_not_exist())
            return None
        except PutError as e:
            if not _conflict(e):
                raise
        current = self.get(key)
        return current[0] if current else ""

    def get(self, key: str) -> tuple[str, int] | None:
        try:
            item = UniqueModel.get(key, consistent_read=True)
        except UniqueModel.DoesNotExist:
            return None
        return item.owner, int(item.t)

    def replace(self, key: str, old_owner: str, new_owner: str) -> bool:
        try:
            UniqueModel(key, owner=new_owner, t=now_ms()).save(condition=UniqueModel.owner == old_owner)
            return True
        except PutError as e:
            if _conflict(e):
                return False
            raise

    def release(self, key: str, owner: str) -> None:
        try:
            UniqueModel(key).delete(condition=UniqueModel.owner == owner)
        except DeleteError as e:
            if not _conflict(e):
                raise
