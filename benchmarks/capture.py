"""What the engine wrote to its event store, per phase and transaction, for the floor.

The tap appends one fixed-size binary row per stored event to a file (so capturing costs no
memory in the measured process): phase, transaction number, originator id, version, state
size and topic. The floor reads it back and writes the same events, of the same sizes, in the
same transactions, straight through the store's recorder.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

ROW = struct.Struct("<BI16sIIH")  # phase, transaction, originator id, version, size, topic


class Capture:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed by close()
        self.topics: dict[str, int] = {}
        self.phases: list[str] = []
        self._phase = -1
        self._transaction = 0

    def start_phase(self, name: str) -> None:
        self.phases.append(name)
        self._phase = len(self.phases) - 1

    def stop(self) -> None:
        """Writes outside a phase (the views' own bookkeeping, the checks) are not kept."""
        self._phase = -1

    def tap(self, stored_events: Sequence[Any]) -> None:
        if self._phase < 0:
            return
        self._transaction += 1
        rows = []
        for event in stored_events:
            originator = event.originator_id
            raw = originator.bytes if isinstance(originator, UUID) else UUID(str(originator)).bytes
            topic = self.topics.setdefault(event.topic, len(self.topics))
            rows.append(ROW.pack(self._phase, self._transaction, raw, event.originator_version,
                                 len(event.state), topic))
        self._file.write(b"".join(rows))

    def close(self) -> None:
        self._file.close()
        meta = {"phases": self.phases, "topics": sorted(self.topics, key=self.topics.__getitem__)}
        self.path.with_suffix(".json").write_text(json.dumps(meta))


Row = tuple[UUID, int, str, int]  # originator id, version, topic, state size


def read_transactions(path: Path) -> tuple[list[str], Iterator[tuple[str, list[Row]]]]:
    """The phases, and an iterator of (phase, [(originator id, version, topic, size)]) per
    transaction in the order they were written."""
    meta = json.loads(path.with_suffix(".json").read_text())
    phases: list[str] = meta["phases"]
    topics: list[str] = meta["topics"]

    def transactions() -> Iterator[tuple[str, list[Row]]]:
        current: int | None = None
        phase = ""
        events: list[Row] = []
        with open(path, "rb") as rows:
            while chunk := rows.read(ROW.size * 4096):
                for p, transaction, raw, version, size, topic in ROW.iter_unpack(chunk):
                    if transaction != current:
                        if events:
                            yield phase, events
                        current, phase, events = transaction, phases[p], []
                    events.append((UUID(bytes=raw), version, topics[topic], size))
        if events:
            yield phase, events

    return phases, transactions()
