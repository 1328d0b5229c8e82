"""Deterministic keys and the simulated clock: injected, so a scenario always yields the same records."""

from __future__ import annotations

from datetime import datetime

# Zeebe encodes the partition id in the top bits of every key (`Protocol.encodePartitionId`:
# key = partitionId << 51 + counter), so a key names its partition; the embedded stores are
# partition 1.
PARTITION_BITS = 51
PARTITION_ONE = 1 << PARTITION_BITS


def first_key(partition: int = 1) -> int:
    """The first key partition `partition` hands out."""
    return (partition << PARTITION_BITS) + 1


def partition_of(key: int) -> int:
    """The partition a key was created on (Zeebe's `Protocol.decodePartitionId`)."""
    return key >> PARTITION_BITS


def message_partition(correlation_key: str, count: int) -> int:
    """The partition a message with this correlation key lives on (Zeebe's
    `SubscriptionUtil.getSubscriptionPartitionId`): Java's `String.hashCode`-style hash of the
    key's UTF-8 bytes (signed, 32-bit), taken modulo the partition count: 1..count."""
    hash_code = 0
    for byte in correlation_key.encode("utf-8"):
        hash_code = (31 * hash_code + (byte - 256 if byte > 127 else byte)) & 0xFFFFFFFF
    if hash_code >= 1 << 31:
        hash_code -= 1 << 32
    return abs(hash_code) % count + 1  # Java: Math.abs(hashCode % count)


class KeyGenerator:
    """Zeebe's key generator of one partition: for partition 1, keys 2251799813685249, ...250, ..."""

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
