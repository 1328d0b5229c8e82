"""Deterministic keys and the simulated clock: injected, so a scenario always yields the same records."""

from __future__ import annotations

from datetime import datetime

# Zeebe encodes the partition id in the top bits of every key; we are partition 1.
PARTITION_ONE = 1 << 51


class KeyGenerator:
    """Zeebe's key generator for partition 1: keys 2251799813685249, ...250, ..."""

    __slots__ = ("next_key",)

    def __init__(self, next_key: int = PARTITION_ONE + 1) -> None:
        self.next_key = next_key

    def __call__(self) -> int:
        key = self.next_key
        self.next_key = key + 1
        return key


class SimulatedClock:
    """The engine's notion of now; moved only by `advance_to` (the scenario's advance_clock)."""

    __slots__ = ("now",)

    def __init__(self, now: datetime) -> None:
        self.now = now

    def advance_to(self, moment: datetime) -> None:
        self.now = max(self.now, moment)
