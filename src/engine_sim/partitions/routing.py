"""Which partition a command goes to (Zeebe's gateway and `SubscriptionUtil`).

- A key names its partition (`partition_of`: the partition id is in the key's high bits), so
  every command on an instance, job, timer or batch operation goes where the key was made.
- New instances are spread round robin, as Zeebe's gateway does (`RoundRobin`).
- A message goes to the partition its correlation key hashes to (`message_partition`,
  Zeebe's `SubscriptionUtil.getSubscriptionPartitionId`).
"""

from __future__ import annotations

from engine_sim.engine import partition_of

__all__ = ["RoundRobin", "message_partition", "partition_of"]


def message_partition(correlation_key: str, count: int) -> int:
    """Java's `String.hashCode`-style hash of the key's UTF-8 bytes (signed, 32-bit), taken
    modulo the partition count: partitions 1..count."""
    hash_code = 0
    for byte in correlation_key.encode("utf-8"):
        hash_code = (31 * hash_code + (byte - 256 if byte > 127 else byte)) & 0xFFFFFFFF
    if hash_code >= 1 << 31:
        hash_code -= 1 << 32
    return abs(hash_code) % count + 1  # Java: Math.abs(hashCode % count)


class RoundRobin:
    """The partition of the next new instance: 1, 2, ..., count, 1, ..."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._next = 0

    def __call__(self) -> int:
        partition = self._next + 1
        self._next = (self._next + 1) % self.count
        return partition
