"""Partitions on PostgreSQL: several writers side by side, as Zeebe's partitions.

A store created with `postgresql://...?partitions=N` has N partitions, each its own engine
(tables, key range, writer lease, event index). `Cluster` routes commands to them from one
process; `Worker` runs one partition as its single writer, serving the partition's command
table (`engine-sim worker`). See docs/scaling.md.
"""

from engine_sim.partitions.cluster import Cluster
from engine_sim.partitions.queue import CommandQueue, WorkerFailed, WorkerTimeout
from engine_sim.partitions.routing import RoundRobin, message_partition, partition_of
from engine_sim.partitions.worker import Worker

__all__ = ["Cluster", "CommandQueue", "RoundRobin", "Worker", "WorkerFailed", "WorkerTimeout",
           "message_partition", "partition_of"]
