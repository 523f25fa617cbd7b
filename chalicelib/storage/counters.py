"""DynamoDB counters: every operation is one UpdateItem (or GetItem / Query), never read-modify-write."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from .models import CounterModel


class DynamoCounterStore:
    def get(self, app: str, name: str) -> int:
        try:
            return int(CounterModel.get(app, name, consistent_read=True).value)
        except CounterModel.DoesNotExist:
            return 0

    def add(self, app: str, name: str, delta: int) -> int:
        item = CounterModel(app, name)
        item.update(actions=[CounterModel.value.add(delta)])  # ReturnValues=ALL_NEW: the value after
        return int(item.value)

    def set(self, app: str, name: str, value: int) -> None:
        CounterModel(app, name).update(actions=[CounterModel.value.set(value)])

    def compare_and_set(self, app: str, name: str, expected: int, value: int) -> bool:
        cond = CounterModel.value == expected
        if expected == 0:
            cond = cond | CounterModel.value.does_not_exist()
        try:
            CounterModel(app, name).update(actions=[CounterModel.value.set(value)], condition=cond)
        except UpdateError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def names(self, app: str) -> list[str]:
        return [item.sk for item in CounterModel.query(app, attributes_to_get=["sk"])]
