"""What a partition's records send to other partitions about messages (Zeebe's
`SubscriptionCommandSender`), for `Cluster` to carry after each command:

- a PROCESS_MESSAGE_SUBSCRIPTION opened, closed or migrated on an instance's partition is
  registered, unregistered or updated on its message's partition (the partition its
  correlation key hashes to), unless that is the instance's own partition: there the
  engine's event index sees it already, as on a one-partition store;
- a MESSAGE_SUBSCRIPTION CORRELATING on the message's partition is correlated on the
  instance's partition; when that partition refuses it, the message partition hears so.

Each command is answered (`reply`): the message partition acknowledges every record of the
instance's partition it took, the instance's partition confirms or refuses every
correlation. Until then the record stays in its partition's event index (`unacknowledged`),
and whoever writes the partition sends it again once `RETRY_INTERVAL` has passed since it
last did (`Resends`, Zeebe's `PendingProcessMessageSubscriptionChecker` and
`PendingMessageSubscriptionChecker`); a command that arrives twice changes nothing the
second time (it is rejected, and answered as done).
"""

from __future__ import annotations

from collections.abc import Iterable
from math import inf

from engine_sim.engine import Command, Outcome, partition_of
from engine_sim.engine.message_subscriptions import (
    AcknowledgeMessageSubscription,
    CloseMessageSubscription,
    ConfirmMessageCorrelation,
    CorrelateMessageSubscription,
    MigrateMessageSubscription,
    OpenMessageSubscription,
    RejectMessageSubscription,
)
from engine_sim.partitions.routing import message_partition
from engine_sim.records import Intent, Record, RecordType, RejectionType, ValueType

PMS = ValueType.PROCESS_MESSAGE_SUBSCRIPTION
MS = ValueType.MESSAGE_SUBSCRIPTION
RETRY_INTERVAL = 10.0  # seconds before an unacknowledged command is sent again (Zeebe: 10 s)
# the message partition's refusals that still acknowledge a record: an opening of a
# subscription it holds, a closing of one it does not (both acknowledged in Zeebe too), a
# migration to the process it has or of a registration gone (used up by CORRELATING)
DONE = {Intent.CREATED: {RejectionType.INVALID_STATE},
        Intent.DELETED: {RejectionType.NOT_FOUND},
        Intent.MIGRATED: {RejectionType.ALREADY_EXISTS, RejectionType.NOT_FOUND}}
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


def reply(record: Record, outcome: Outcome) -> Command | None:
    """What the partition that wrote `record` hears back once the command `record` sent
    ran (`outcome`) on the other partition: the acknowledgement, or the refusal of a
    correlation; None when it must be sent again later."""
    refused = outcome.rejection["rejectionType"] if outcome.rejection is not None else None
    if record["valueType"] == MS:  # a correlation: taken (now or before), or refused
        if refused in (None, RejectionType.ALREADY_EXISTS):
            return ConfirmMessageCorrelation(record["key"], record["messageKey"])
        return RejectMessageSubscription(
            record["key"], record["processInstanceKey"], record["elementInstanceKey"],
            record["bpmnProcessId"], record["messageName"], record["correlationKey"],
            record["interrupting"], record["messageKey"])
    if refused is not None and refused not in DONE[record["intent"]]:
        return None
    return AcknowledgeMessageSubscription(record["processInstanceKey"],
                                          record["elementInstanceKey"], record["messageName"],
                                          record["position"])


class Resends:
    """When this process last sent each record still awaiting its answer, and so which are
    due again (Zeebe keeps the same in memory: `TransientPendingSubscriptionState`). What a
    partition held when this process first looks at it is due at once (its sender may have
    died); a record written since is taken as sent when first seen (its writer's client
    sends it) unless this process sent it itself."""

    def __init__(self) -> None:
        self._sent: dict[int, dict[int, float]] = {}  # partition -> position -> when

    def looked_at(self, partition: int) -> bool:
        return partition in self._sent

    def sent(self, partition: int, record: Record, now: float) -> None:
        if partition in self._sent:
            self._sent[partition][record["position"]] = now

    def due(self, partition: int, unacknowledged: list[Record], interval: float,
            now: float) -> list[Record]:
        """The records of `unacknowledged` last sent `interval` seconds ago or more, which
        count as sent now."""
        first = partition not in self._sent
        previous = self._sent.get(partition, {})
        kept: dict[int, float] = {}
        due: list[Record] = []
        for record in unacknowledged:
            position = record["position"]
            sent = previous.get(position, -inf if first else now)
            if now - sent >= interval:
                due.append(record)
                sent = now
            kept[position] = sent
        self._sent[partition] = kept  # answered records are forgotten
        return due
