"""Which partition a command goes to (Zeebe's gateway and `SubscriptionUtil`).

- A key names its partition (`partition_of`: the partition id is in the key's high bits), so
  every command on an instance, job, timer or batch operation goes where the key was made.
- New instances are spread round robin, as Zeebe's gateway does (`RoundRobin`).
- A message goes to the partition its correlation key hashes to (`message_partition`,
  Zeebe's `SubscriptionUtil.getSubscriptionPartitionId`).
"""

from __future__ import annotations

from engine_sim.engine.keys import message_partition, partition_of

__all__ = ["RoundRobin", "message_partition", "partition_of"]


class RoundRobin:
    """The partition of the next new instance: 1, 2, ..., count, 1, ..."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._next = 0

    def __call__(self) -> int:
        partition = self._next + 1
        self._next = (self._next + 1) % self.count
        return partition
