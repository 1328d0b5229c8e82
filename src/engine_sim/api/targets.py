"""Where `Engine` sends its commands and reads its views: `engine_sim.partitions.targets`
(one partition, or a partitioned store through `Cluster`), which the scenario runner shares,
so that both write the same records on either kind of store."""

from engine_sim.partitions.targets import OnePartition, Partitioned, Target, open_target

__all__ = ["OnePartition", "Partitioned", "Target", "open_target"]
