"""Catch-event subscriptions: timers, message and signal subscriptions (events issue)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.engine import Engine

CLOSE_INTENT = {
    "TIMER": Intent.CANCELED,
    "PROCESS_MESSAGE_SUBSCRIPTION": Intent.DELETED,
    "SIGNAL_SUBSCRIPTION": Intent.DELETED,
}


class Subscriptions:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def close_all(self, state: InstanceState, ei: ElementInstance) -> None:
        """Close every subscription an element instance owns (it is leaving)."""
        p = self.engine.processing
        for subscription in state.subscriptions_of(ei.key):
            p.write(
                state, subscription.value_type, CLOSE_INTENT[subscription.value_type],
                subscription.key,
                elementId=subscription.element_id,
                elementInstanceKey=subscription.element_instance_key,
                **subscription.fields,
            )

    def open_event_subprocess_starts(self, state: InstanceState, ei: ElementInstance,
                                     element: Element) -> None:
        """Event subprocess start events of a scope subscribe when the scope activates."""

    def migrate_catch_events(self, walk: Any, ei: ElementInstance) -> None:
        """migration-semantics §3 step 6 (events issue)."""
