"""Value types, intents and rejection types, spelled as Zeebe's exporters spell them: the one
vocabulary every module writes and reads records with.

A record is a flat dict: the header (`position`, `key`, `timestamp`, `recordType`,
`valueType`, `intent`) followed by the value's fields (`processInstanceKey`, `elementId`, ...).
The names are plain `str` constants grouped in namespaces (not `Enum` members): records are
written on the hot path, where an enum's attribute look-up and `.value` cost measurably, and
a misspelt name still fails at import time, not in a scenario.
"""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]  # one record, as written, stored and exported
NO_KEY = -1  # Zeebe writes -1 where a key does not apply


class RecordType:
    EVENT = "EVENT"
    COMMAND_REJECTION = "COMMAND_REJECTION"


class RejectionType:
    NOT_FOUND = "NOT_FOUND"
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    INVALID_STATE = "INVALID_STATE"
    ALREADY_EXISTS = "ALREADY_EXISTS"  # a cross-partition command that arrived twice
    # Zeebe's rejection of a command whose follow-ups do not fit one batch; here: a command
    # that caused more follow-up steps than `context.MAX_FOLLOW_UPS`
    EXCEEDED_BATCH_RECORD_SIZE = "EXCEEDED_BATCH_RECORD_SIZE"


class ValueType:
    DEPLOYMENT = "DEPLOYMENT"
    PROCESS = "PROCESS"
    PROCESS_INSTANCE = "PROCESS_INSTANCE"
    PROCESS_INSTANCE_CREATION = "PROCESS_INSTANCE_CREATION"
    JOB = "JOB"
    USER_TASK = "USER_TASK"
    INCIDENT = "INCIDENT"
    VARIABLE = "VARIABLE"
    VARIABLE_DOCUMENT = "VARIABLE_DOCUMENT"
    TIMER = "TIMER"
    MESSAGE = "MESSAGE"
    PROCESS_MESSAGE_SUBSCRIPTION = "PROCESS_MESSAGE_SUBSCRIPTION"
    # a subscription registered on its message's partition (a partitioned store only)
    MESSAGE_SUBSCRIPTION = "MESSAGE_SUBSCRIPTION"
    MESSAGE_START_EVENT_SUBSCRIPTION = "MESSAGE_START_EVENT_SUBSCRIPTION"
    SIGNAL = "SIGNAL"
    SIGNAL_SUBSCRIPTION = "SIGNAL_SUBSCRIPTION"
    ESCALATION = "ESCALATION"
    ERROR = "ERROR"
    PROCESS_INSTANCE_MIGRATION = "PROCESS_INSTANCE_MIGRATION"
    BATCH_OPERATION = "BATCH_OPERATION"
    OPERATION = "OPERATION"
    CLOCK = "CLOCK"  # the CLI's store clock (engine/clock_control.py)


class Intent:
    """Intent names per value type (Zeebe's `*Intent` enums, events only)."""

    # PROCESS_INSTANCE
    ELEMENT_ACTIVATING = "ELEMENT_ACTIVATING"
    ELEMENT_ACTIVATED = "ELEMENT_ACTIVATED"
    ELEMENT_COMPLETING = "ELEMENT_COMPLETING"
    ELEMENT_COMPLETED = "ELEMENT_COMPLETED"
    ELEMENT_TERMINATING = "ELEMENT_TERMINATING"
    ELEMENT_TERMINATED = "ELEMENT_TERMINATED"
    SEQUENCE_FLOW_TAKEN = "SEQUENCE_FLOW_TAKEN"
    SEQUENCE_FLOW_DELETED = "SEQUENCE_FLOW_DELETED"
    ELEMENT_MIGRATED = "ELEMENT_MIGRATED"
    # shared by several value types
    CREATED = "CREATED"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"
    MIGRATED = "MIGRATED"
    DELETED = "DELETED"
    # JOB
    FAILED = "FAILED"
    ERROR_THROWN = "ERROR_THROWN"
    RETRIES_UPDATED = "RETRIES_UPDATED"
    # INCIDENT
    RESOLVED = "RESOLVED"
    # VARIABLE
    UPDATED = "UPDATED"
    # TIMER
    TRIGGERED = "TRIGGERED"
    # MESSAGE / subscriptions
    PUBLISHED = "PUBLISHED"
    EXPIRED = "EXPIRED"
    CORRELATED = "CORRELATED"
    CORRELATING = "CORRELATING"  # MESSAGE_SUBSCRIPTION: sent to the instance's partition
    REJECTED = "REJECTED"  # MESSAGE_SUBSCRIPTION: the instance's partition refused it
    # PROCESS_MESSAGE_SUBSCRIPTION: the message partition took a record of it (partitioned)
    ACKNOWLEDGED = "ACKNOWLEDGED"
    # SIGNAL
    BROADCASTED = "BROADCASTED"
    # DEPLOYMENT on the partitions a deployment is distributed to (a partitioned store)
    DISTRIBUTED = "DISTRIBUTED"
    # ESCALATION
    ESCALATED = "ESCALATED"
    NOT_ESCALATED = "NOT_ESCALATED"
    # commands that can be rejected (COMMAND_REJECTION records carry the command's intent)
    CREATE = "CREATE"
    COMPLETE = "COMPLETE"
    FAIL = "FAIL"
    THROW_ERROR = "THROW_ERROR"
    RESOLVE = "RESOLVE"
    PUBLISH = "PUBLISH"
    BROADCAST = "BROADCAST"
    UPDATE = "UPDATE"
    CANCEL = "CANCEL"
    MIGRATE = "MIGRATE"
    EXECUTE = "EXECUTE"  # a batch operation runs its next chunk
    TRIGGER = "TRIGGER"  # a due timer fires
    EXPIRE = "EXPIRE"  # a buffered message reaches its deadline
    CORRELATE = "CORRELATE"  # PROCESS_MESSAGE_SUBSCRIPTION: the message partition's correlation
    DELETE = "DELETE"  # MESSAGE_SUBSCRIPTION: the instance's partition closed it
    REJECT = "REJECT"  # MESSAGE_SUBSCRIPTION: the instance's partition refused a correlation
    ACKNOWLEDGE = "ACKNOWLEDGE"  # PROCESS_MESSAGE_SUBSCRIPTION: see ACKNOWLEDGED
    DISTRIBUTE = "DISTRIBUTE"  # DEPLOYMENT: partition 1's deployment reaches another partition
    PIN = "PIN"  # CLOCK: the CLI's store clock is set (engine/clock_control.py)
    PINNED = "PINNED"
