"""Message subscriptions across partitions (Zeebe's `MessageSubscription*Processor`s on the
message's partition and `ProcessMessageSubscriptionCorrelateProcessor` on the instance's).

On a partitioned store a message lives on the partition its correlation key hashes to (the
message partition). An instance of another partition that opens a PROCESS_MESSAGE_SUBSCRIPTION
registers it there (`OpenMessageSubscription`: MESSAGE_SUBSCRIPTION CREATED, then the oldest
buffered message its process has not had yet: CORRELATING), and unregisters it when it
closes (`CloseMessageSubscription`: DELETED) or follows a migration
(`MigrateMessageSubscription`: MIGRATED). A published message writes CORRELATING for such a
subscription (`EventTriggers.publish`), and the instance's partition correlates it
(`CorrelateMessageSubscription`: PROCESS_MESSAGE_SUBSCRIPTION CORRELATED, as on one
partition) or refuses it, which the message partition hears (`RejectMessageSubscription`:
REJECTED, and a buffered message goes to the process's next subscription).

Every command is acknowledged, and sent again until it is (Zeebe's pending subscription
checkers): the message partition acknowledges each PROCESS_MESSAGE_SUBSCRIPTION record it
took (`AcknowledgeMessageSubscription`: ACKNOWLEDGED on the instance's partition), and the
instance's partition confirms each correlation (`ConfirmMessageCorrelation`:
MESSAGE_SUBSCRIPTION CORRELATED, Zeebe's CORRELATE). So every command may arrive twice, and
a second one changes nothing: it is rejected and taken as done by the sender (an open of a
registered subscription: INVALID_STATE, as in Zeebe; a migration to the process it has, a
correlation of a message the element instance had already: ALREADY_EXISTS; a close of a
subscription not registered: NOT_FOUND).

The partitions' engines never call each other: `partitions.Cluster` carries these commands
between them, as Zeebe's `SubscriptionCommandSender` does. A one-partition store never
writes or receives any of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine_sim.engine.bpmn.event_triggers import remote_fields
from engine_sim.engine.commands import Command, InstanceCommand, running_instance
from engine_sim.engine.context import CommandContext, Rejected
from engine_sim.engine.event_entries import BufferedMessage, MessageSubscriptionEntry
from engine_sim.records import Intent, RejectionType, ValueType

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.behaviors import Behaviors
    from engine_sim.engine.commands import CommandProcessor

MS = ValueType.MESSAGE_SUBSCRIPTION
PMS = ValueType.PROCESS_MESSAGE_SUBSCRIPTION
NOT_REGISTERED = ("Expected to find a message subscription of element instance '{key}' for "
                  "message '{name}', but none was found")
NOT_SUBSCRIBED = ("Expected to correlate message '{name}' to element instance '{key}' of "
                  "process instance {instance}, but it has no such subscription")
ALREADY_OPENED = ("Expected to open a message subscription of element instance '{key}' for "
                  "message '{name}', but one is open already")
ALREADY_MIGRATED = ("Expected to migrate the message subscription of element instance '{key}' "
                    "for message '{name}' to process '{process}', but it belongs to it already")
ALREADY_CORRELATED = ("Expected to correlate message '{name}' to element instance '{key}' of "
                      "process instance {instance}, but message {message} correlated to it "
                      "already")
NOT_CORRELATING = ("Expected to confirm the correlation of message {message} to the message "
                   "subscription {key}, but it awaits no such confirmation")
NOT_AWAITED = ("Expected to acknowledge the record at position {position} of the message "
               "subscription of element instance '{key}' for message '{name}', but it is not "
               "the oldest one awaiting acknowledgement")
CANNOT_TRIGGER = ("Expected to correlate message '{name}' to element instance '{key}' of "
                  "process instance {instance}, but it cannot take the event now")


@dataclass(frozen=True)
class OpenMessageSubscription(Command):
    """To the message partition: an instance of another partition subscribed."""

    VALUE_TYPE = MS
    INTENT = Intent.CREATE
    instance_key: int
    element_instance_key: int
    process_id: str
    name: str
    correlation_key: str
    interrupting: bool


@dataclass(frozen=True)
class CloseMessageSubscription(Command):
    """To the message partition: the subscription of that element instance closed."""

    VALUE_TYPE = MS
    INTENT = Intent.DELETE
    element_instance_key: int
    name: str


@dataclass(frozen=True)
class MigrateMessageSubscription(Command):
    """To the message partition: the subscription's instance moved to another process."""

    VALUE_TYPE = MS
    INTENT = Intent.MIGRATE
    element_instance_key: int
    name: str
    process_id: str


@dataclass(frozen=True)
class RejectMessageSubscription(Command):
    """To the message partition: the instance's partition refused the correlation."""

    VALUE_TYPE = MS
    INTENT = Intent.REJECT
    subscription_key: int
    instance_key: int
    element_instance_key: int
    process_id: str
    name: str
    correlation_key: str
    interrupting: bool
    message_key: int


@dataclass(frozen=True)
class ConfirmMessageCorrelation(Command):
    """To the message partition: the instance's partition took the correlation (Zeebe's
    MESSAGE_SUBSCRIPTION CORRELATE)."""

    VALUE_TYPE = MS
    INTENT = Intent.CORRELATE
    subscription_key: int
    message_key: int


@dataclass(frozen=True)
class AcknowledgeMessageSubscription(InstanceCommand):
    """To the instance's partition: the message partition took its record at `position`
    (a subscription opened, closed or migrated)."""

    VALUE_TYPE = PMS
    INTENT = Intent.ACKNOWLEDGE
    element_instance_key: int
    name: str
    position: int


@dataclass(frozen=True)
class CorrelateMessageSubscription(InstanceCommand):
    """To the instance's partition: the message partition correlated a message to it."""

    VALUE_TYPE = PMS
    INTENT = Intent.CORRELATE
    element_instance_key: int
    name: str
    correlation_key: str
    message_key: int
    variables: dict[str, Any]


class MessageSubscriptionProcessors:
    def __init__(self, behaviors: Behaviors) -> None:
        self.b = behaviors

    @property
    def table(self) -> dict[type[Command], CommandProcessor]:
        return {
            OpenMessageSubscription: self.open,
            CloseMessageSubscription: self.close,
            MigrateMessageSubscription: self.migrate,
            RejectMessageSubscription: self.reject,
            ConfirmMessageCorrelation: self.confirm,
            CorrelateMessageSubscription: self.correlate,
            AcknowledgeMessageSubscription: self.acknowledge,
        }

    # -- on the message partition ------------------------------------------------------------
    def open(self, ctx: CommandContext, cmd: OpenMessageSubscription) -> None:
        """CREATED; then the oldest buffered message not yet correlated to its process
        (Zeebe's `MessageCorrelator.correlateNextMessage`). Open already: rejected, as in
        Zeebe's `MessageSubscriptionCreateProcessor` (and acknowledged all the same)."""
        if ctx.index.remote_subscription(cmd.element_instance_key, cmd.name) is not None:
            raise Rejected(RejectionType.INVALID_STATE, ALREADY_OPENED.format(
                key=cmd.element_instance_key, name=cmd.name))
        entry = MessageSubscriptionEntry(ctx.new_key(), cmd.instance_key, cmd.element_instance_key,
                                         cmd.process_id, cmd.name, cmd.correlation_key,
                                         remote=True, interrupting=cmd.interrupting)
        ctx.write(None, MS, Intent.CREATED, entry.key, **remote_fields(entry), messageKey=-1,
                  variables={})
        for message in ctx.index.buffered(cmd.name, cmd.correlation_key):
            if cmd.process_id not in message.correlated:
                self.b.events.correlating(ctx, entry, message)
                return

    def _registered(self, ctx: CommandContext, element_instance_key: int,
                    name: str) -> MessageSubscriptionEntry:
        entry = ctx.index.remote_subscription(element_instance_key, name)
        if entry is None:
            raise Rejected(RejectionType.NOT_FOUND,
                           NOT_REGISTERED.format(key=element_instance_key, name=name))
        return entry

    def close(self, ctx: CommandContext, cmd: CloseMessageSubscription) -> None:
        entry = self._registered(ctx, cmd.element_instance_key, cmd.name)
        ctx.write(None, MS, Intent.DELETED, entry.key, **remote_fields(entry), messageKey=-1,
                  variables={})

    def migrate(self, ctx: CommandContext, cmd: MigrateMessageSubscription) -> None:
        entry = self._registered(ctx, cmd.element_instance_key, cmd.name)
        if entry.process_id == cmd.process_id:  # sent again
            raise Rejected(RejectionType.ALREADY_EXISTS, ALREADY_MIGRATED.format(
                key=cmd.element_instance_key, name=cmd.name, process=cmd.process_id))
        ctx.write(None, MS, Intent.MIGRATED, entry.key,
                  **(remote_fields(entry) | {"bpmnProcessId": cmd.process_id}), messageKey=-1,
                  variables={})

    def reject(self, ctx: CommandContext, cmd: RejectMessageSubscription) -> None:
        """REJECTED: the message no longer counts as correlated to the process; a buffered
        one goes to the process's next subscription (Zeebe's
        `MessageSubscriptionRejectProcessor`). The refused subscription is not offered it
        again. A correlation answered already: rejected."""
        if ctx.index.correlating(cmd.subscription_key, cmd.message_key) is None:
            raise Rejected(RejectionType.NOT_FOUND, NOT_CORRELATING.format(
                message=cmd.message_key, key=cmd.subscription_key))
        entry = MessageSubscriptionEntry(cmd.subscription_key, cmd.instance_key,
                                         cmd.element_instance_key, cmd.process_id, cmd.name,
                                         cmd.correlation_key, remote=True,
                                         interrupting=cmd.interrupting)
        ctx.write(None, MS, Intent.REJECTED, entry.key, **remote_fields(entry),
                  messageKey=cmd.message_key, variables={})
        message = ctx.index.messages.get(cmd.message_key)
        if message is None:  # not buffered, or expired since
            return
        for other in ctx.index.subscriptions_for_message(cmd.name, cmd.correlation_key):
            if other.process_id != cmd.process_id or other.element_instance_key == cmd.element_instance_key:
                continue
            if other.remote:
                self.b.events.correlating(ctx, other, message)
                return
            state = ctx.instance(other.instance_key)
            subscription = state.subscriptions.get(other.key) if state is not None else None
            if state is not None and subscription is not None and \
                    self.b.events.correlate(ctx, state, subscription, message):
                return

    def confirm(self, ctx: CommandContext, cmd: ConfirmMessageCorrelation) -> None:
        """CORRELATED: the instance's partition took the message (Zeebe's
        `MessageSubscriptionCorrelateProcessor`); confirmed already: rejected."""
        correlating = ctx.index.correlating(cmd.subscription_key, cmd.message_key)
        if correlating is None:
            raise Rejected(RejectionType.NOT_FOUND, NOT_CORRELATING.format(
                message=cmd.message_key, key=cmd.subscription_key))
        fields = {name: correlating[name] for name in (
            "processInstanceKey", "elementInstanceKey", "bpmnProcessId", "messageName",
            "correlationKey", "interrupting", "messageKey", "variables")}
        ctx.write(None, MS, Intent.CORRELATED, cmd.subscription_key, **fields)

    # -- on the instance's partition -----------------------------------------------------------
    def correlate(self, ctx: CommandContext, cmd: CorrelateMessageSubscription) -> None:
        """PROCESS_MESSAGE_SUBSCRIPTION CORRELATED and the catch event's trigger, as when
        the message is published on the instance's own partition. A message the element
        instance took already (a correlation sent again, its confirmation lost): rejected
        as ALREADY_EXISTS, even once the instance is gone, so it is taken once."""
        names = {"name": cmd.name, "key": cmd.element_instance_key, "instance": cmd.instance_key}
        found = ctx.instance(cmd.instance_key)
        subscription = None if found is None or not found.is_running else next(
            (s for s in found.subscriptions_of(cmd.element_instance_key)
             if s.value_type == PMS and s.fields["messageName"] == cmd.name), None)
        # an open interrupting subscription has taken no message yet; otherwise look back
        if (subscription is None or not subscription.fields.get("interrupting", True)) \
                and _taken(ctx, cmd):
            raise Rejected(RejectionType.ALREADY_EXISTS,
                           ALREADY_CORRELATED.format(**names, message=cmd.message_key))
        state = running_instance(ctx, cmd.instance_key)
        if subscription is None:
            raise Rejected(RejectionType.NOT_FOUND, NOT_SUBSCRIBED.format(**names))
        message = BufferedMessage(cmd.message_key, cmd.name, cmd.correlation_key,
                                  dict(cmd.variables), ctx.now)
        if not self.b.events.correlate(ctx, state, subscription, message):
            raise Rejected(RejectionType.INVALID_STATE, CANNOT_TRIGGER.format(**names))

    def acknowledge(self, ctx: CommandContext, cmd: AcknowledgeMessageSubscription) -> None:
        """ACKNOWLEDGED: the message partition took the subscription's oldest record awaiting
        it (the instance may be gone since: a close is acknowledged after it)."""
        awaiting = ctx.index.awaiting(cmd.element_instance_key, cmd.name)
        if awaiting is None or awaiting["position"] != cmd.position:
            raise Rejected(RejectionType.INVALID_STATE, NOT_AWAITED.format(
                position=cmd.position, key=cmd.element_instance_key, name=cmd.name))
        ctx.write(None, PMS, Intent.ACKNOWLEDGED, awaiting["key"],
                  processInstanceKey=cmd.instance_key, elementInstanceKey=cmd.element_instance_key,
                  bpmnProcessId=awaiting["bpmnProcessId"], messageName=cmd.name,
                  correlationKey=awaiting["correlationKey"], acknowledgedIntent=awaiting["intent"],
                  acknowledgedPosition=cmd.position)


def _taken(ctx: CommandContext, cmd: CorrelateMessageSubscription) -> bool:
    """Whether the element instance took that message already: a PROCESS_MESSAGE_SUBSCRIPTION
    CORRELATED of it in the instance's saved stream (read only when a correlation would be
    refused, or for a non-interrupting subscription, which may take several messages)."""
    return any(r["valueType"] == PMS and r["intent"] == Intent.CORRELATED
               and r["elementInstanceKey"] == cmd.element_instance_key
               and r["messageKey"] == cmd.message_key
               for r in ctx.stored_records(cmd.instance_key))
