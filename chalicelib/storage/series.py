"""DynamoDB SeriesStore: counter buckets in the counters table under their own partitions.

pk = "<app>#series#<name>", sk = "<resolution>#<bucket start, 13 digits>": one partition per
counter, so a range read is one Query and busy counters do not share a hot key.
Names: pk = "<app>#series", sk = name (an idempotent put per counter per event).
"""

from __future__ import annotations

from collections.abc import Sequence

from .models import CounterModel


class DynamoSeriesStore:
    def add(self, app: str, name: str, buckets: Sequence[tuple[str, int]], delta: int) -> None:
        for resolution, start in buckets:
            CounterModel(f"{app}#series#{name}", f"{resolution}#{start:013d}").update(
                actions=[CounterModel.value.add(delta)])
        CounterModel(f"{app}#series", name, value=0).save()

    def range(self, app: str, name: str, resolution: str, start: int, end: int) -> list[tuple[int, int]]:
        cond = CounterModel.sk.between(f"{resolution}#{start:013d}", f"{resolution}#{max(end, start):013d}")
        return [(int(i.sk.split("#", 1)[1]), int(i.value)) for i in CounterModel.query(f"{app}#series#{name}", cond)]

    def names(self, app: str) -> list[str]:
        return [i.sk for i in CounterModel.query(f"{app}#series")]
