"""Which catch events belong to an element instance (docs/migration.md, "What an accepted migration writes", step 6): the
element itself when it is an intermediate catch event or receive task, its boundary events,
the event-subprocess start events of its scope, and the events behind an event-based gateway."""

from __future__ import annotations

from functools import lru_cache

from engine_sim.engine import ElementInstance, EvaluationFailed, InstanceState, evaluate
from engine_sim.model import CONTAINER_TYPES, Element, ElementType, Process

SELF_CATCHING = (ElementType.INTERMEDIATE_CATCH_EVENT, ElementType.RECEIVE_TASK)


@lru_cache(maxsize=4096)  # models are immutable: a batch asks the same question per instance
def catch_events_of(model: Process, element: Element, attached_only: bool = False,
                    instance_type: ElementType | None = None) -> tuple[Element, ...]:
    """`instance_type` is the element instance's type where it matters: for an activity with
    loop characteristics, the boundary events belong to its multi-instance body only, and
    everything else (the element itself, event subprocesses) to its inner instances."""
    if instance_type is ElementType.MULTI_INSTANCE_BODY:
        return tuple(model.elements[b] for b in element.boundary_events)
    events: list[Element] = []
    if not attached_only and element.type in SELF_CATCHING:
        events.append(element)
    if element.loop is None or instance_type is None:
        events.extend(model.elements[b] for b in element.boundary_events)
    if element.type in CONTAINER_TYPES:
        for sub_id in element.event_subprocesses:
            events.extend(model.elements[s] for s in model.elements[sub_id].start_events)
    if not attached_only and element.type is ElementType.EVENT_BASED_GATEWAY:
        events.extend(model.elements[model.flows[f].target] for f in element.outgoing)
    return tuple(events)


def message_name_of(state: InstanceState, ei: ElementInstance, event: Element) -> str | None:
    if event.message is None:
        return None
    try:
        value = evaluate(event.message.name, state, ei.key)
    except EvaluationFailed:
        return None
    return value if isinstance(value, str) else None
