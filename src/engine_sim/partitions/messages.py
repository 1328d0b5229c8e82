"""What a partition's records send to other partitions about messages (Zeebe's
`SubscriptionCommandSender`), for `Cluster` to carry after each command:

- a PROCESS_MESSAGE_SUBSCRIPTION opened, closed or migrated on an instance's partition is
  registered, unregistered or updated on its message's partition (the partition its
  correlation key hashes to), unless that is the instance's own partition: there the
  engine's event index sees it already, as on a one-partition store;
- a MESSAGE_SUBSCRIPTION CORRELATING on the message's partition is correlated on the
  instance's partition; when that partition refuses it, the message partition hears so
  (`rejected`).
"""

from __future__ import annotations

from collections.abc import Iterable

from engine_sim.engine import Command, partition_of
from engine_sim.engine.message_subscriptions import (
    CloseMessageSubscription,
    CorrelateMessageSubscription,
    MigrateMessageSubscription,
    OpenMessageSubscription,
    RejectMessageSubscription,
)
from engine_sim.partitions.routing import message_partition
from engine_sim.records import Intent, Record, RecordType, ValueType

PMS = ValueType.PROCESS_MESSAGE_SUBSCRIPTION
MS = ValueType.MESSAGE_SUBSCRIPTION
_SENT = {(PMS, Intent.CREATED), (PMS, Intent.DELETED), (PMS, Intent.MIGRATED),
         (MS, Intent.CORRELATING)}


def crosses(record: Record) -> bool:
    """Whether the record may send a command to another partition (`sent_commands`)."""
    return (record["valueType"], record["intent"]) in _SENT \
        and record["recordType"] == RecordType.EVENT


def sent_commands(partition: int, records: Iterable[Record], count: int
                  ) -> list[tuple[Record, int, Command]]:
    """(record, partition, command) for each record of `partition` that another must hear
    of, in record order."""
    sent: list[tuple[Record, int, Command]] = []
    for r in records:
        if not crosses(r):
            continue
        if r["valueType"] == MS:
            sent.append((r, partition_of(r["processInstanceKey"]), CorrelateMessageSubscription(
                r["processInstanceKey"], r["elementInstanceKey"], r["messageName"],
                r["correlationKey"], r["messageKey"], dict(r["variables"]))))
            continue
        target = message_partition(r["correlationKey"], count)
        if target == partition:
            continue
        if r["intent"] == Intent.CREATED:
            sent.append((r, target, OpenMessageSubscription(
                r["processInstanceKey"], r["elementInstanceKey"], r["bpmnProcessId"],
                r["messageName"], r["correlationKey"], r["interrupting"])))
        elif r["intent"] == Intent.DELETED:
            sent.append((r, target, CloseMessageSubscription(r["elementInstanceKey"],
                                                             r["messageName"])))
        else:
            sent.append((r, target, MigrateMessageSubscription(
                r["elementInstanceKey"], r["messageName"], r["bpmnProcessId"])))
    return sent


def rejected(record: Record) -> RejectMessageSubscription | None:
    """What the message partition is sent back when the instance's partition refuses the
    correlation its CORRELATING `record` sent (None for any other record)."""
    if record["valueType"] != MS:
        return None
    return RejectMessageSubscription(
        record["key"], record["processInstanceKey"], record["elementInstanceKey"],
        record["bpmnProcessId"], record["messageName"], record["correlationKey"],
        record["interrupting"], record["messageKey"])
