"""Every rejection reason of the migration command and the batch, as named templates.

They keep the facts a user needs to act (ids, keys, element types) and are asserted word for
word in tests; change them only deliberately (users match on them).
"""

NO_RUNNING_INSTANCE = "no running process instance with key {key}"
DUPLICATE_SOURCE = "duplicate source element id '{id}'"
NO_TARGET_DEFINITION = "no process definition with key {key}"
NO_TARGET_BY_ID = "no process definition '{process}' version {version}"
NO_TARGET_LATEST = "no process definition '{process}'"
NO_SOURCE_ELEMENT = "source element '{id}' does not exist in {process} version {version}"
NO_TARGET_ELEMENT = "target element '{id}' does not exist in {process} version {version}"
UNSUPPORTED_TYPE = "active element '{id}' of type {type} cannot be migrated"
NO_MAPPING = "active element '{id}' has no mapping instruction"
TYPE_CHANGES = "'{id}' of type {type} is mapped to '{tid}' of type {ttype}"
USER_TASK_IMPLEMENTATION = (
    "user task '{id}' changes implementation (job worker <-> engine-managed); migrate it to a "
    "user task of the same implementation"
)
FLOW_SCOPE_CHANGES = "flow scope of active element '{id}' changes from '{expected}' to '{actual}'"
UNSUPPORTED_ATTACHED = "'{id}' has {kind} events that cannot be migrated"
CATCH_DETACHED = "catch event '{id}' is mapped to '{tid}', which would be detached from '{owner}'"
CATCH_MERGED = "catch event '{id}' and catch event '{other}' would be merged into '{tid}'"
CATCH_TYPE_CHANGES = "catch event '{id}' changes event type from {type} to {ttype}"
LOOP_CHANGES = "multi-instance body '{id}' changes loop characteristics from {was} to {now}"
NOT_AT_REST = (
    "active element '{id}' is processing a concurrent command; retry the migration when the "
    "instance is at rest"
)
JOINING_GATEWAY = "joining gateway '{id}' {problem}"
PROCESS_NOT_STARTABLE = (
    "process '{id}' is waiting on its start execution listeners, and target process '{tid}' "
    "has no none start event to continue with; complete the listener jobs first"
)
ALREADY_SUBSCRIBED = (
    "active element '{id}' is already subscribed to message '{name}'; map the existing catch "
    "event to the new one"
)
CATCH_NOT_SUBSCRIBED = (
    "catch event '{id}' of active element '{element}' cannot be subscribed: {reason}"
)
OPERATION_NOT_COMPLETED = "operation {id} is {state}: only a COMPLETED migration operation can be reverted"
