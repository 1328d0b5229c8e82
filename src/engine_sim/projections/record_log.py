"""The record log: every record in position order, and each instance's stream."""

from __future__ import annotations

from bisect import insort
from typing import Any

from engine_sim.projections.follower import MemoryProjection

Record = dict[str, Any]


class RecordLog(MemoryProjection):
    """Kept in memory on every store (the replay runner reads it; the CLI's `history` reads
    an instance's stored events instead)."""

    def __init__(self) -> None:
        self.position = 0
        self.records: list[Record] = []
        self.by_instance: dict[int, list[Record]] = {}

    def fold(self, record: Record) -> None:
        if self.records and self.records[-1]["position"] > record["position"]:
            insort(self.records, record, key=lambda r: r["position"])
        else:
            self.records.append(record)
        instance_key = record.get("processInstanceKey")
        if instance_key is not None and instance_key != -1:
            stream = self.by_instance.setdefault(instance_key, [])
            if stream and stream[-1]["position"] > record["position"]:
                insort(stream, record, key=lambda r: r["position"])
            else:
                stream.append(record)

    def stream(self, instance_key: int | None) -> list[Record]:
        if instance_key is None:
            return self.records
        return self.by_instance.get(instance_key, [])
