"""The stored-event mapper, with a clear error for an event that cannot be read back.

A stored event whose topic names no class (an unknown or renamed event type) or whose state
does not decode (damaged bytes, fields its class does not take) is reported as
`CorruptStoredEvent`, naming its position in the event log (the notification id, where the
event was read through the log) and its aggregate and version, instead of a traceback from
deep inside the library.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Mapper, StoredEvent


class CorruptStoredEvent(Exception):
    """A stored event that cannot be turned back into a domain event."""


class CheckedMapper(Mapper):  # type: ignore[type-arg]
    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        try:
            return super().to_domain_event(stored_event)
        except Exception as error:  # whatever the library raised: say where
            raise CorruptStoredEvent(_describe(stored_event, error)) from None


def _describe(stored_event: StoredEvent, error: BaseException) -> str:
    position = getattr(stored_event, "id", None)
    where = f"position {position} of the event log" if position is not None else "an event"
    error = error.__cause__ or error  # the library wraps the decoder's error in its own
    reason = " ".join(str(error).split())
    if len(reason) > 200:
        reason = reason[:197] + "..."
    return (f"{where} (aggregate {stored_event.originator_id}, version "
            f"{stored_event.originator_version}, topic '{stored_event.topic[:100]}') cannot be "
            f"read: {type(error).__name__}: {reason}")
