"""Reachability along sequence flows, precomputed once per process for the inclusive join.

A joining inclusive gateway may fire only when no token in its flow scope can still reach one
of its untaken incoming flows; the engine answers that with `Process.reachable`.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine_sim.model import bpmnxml as bx
from engine_sim.model.elements import Element, SequenceFlow


def successors(element: Element, flows: Mapping[str, SequenceFlow]) -> list[str]:
    """Where a token at `element` can go next: the targets of its outgoing flows, a link
    throw event's catch event and, for an activity, its boundary events (whose own outgoing
    flows lead on)."""
    found = [flows[flow_id].target for flow_id in element.outgoing]
    if element.link_target is not None:  # a link throw event goes on at its catch event
        found.append(element.link_target)
    if element.type in bx.ACTIVITY_TYPES:
        found.extend(element.boundary_events)
    return found


def reachability(
    elements: Mapping[str, Element], flows: Mapping[str, SequenceFlow]
) -> dict[str, frozenset[str]]:
    """element id -> ids reachable from it (itself only when it lies on a cycle).

    One iterative depth-first search per element: O(n * (n + e)), ample for BPMN models.
    """
    nexts = {element_id: successors(element, flows) for element_id, element in elements.items()}
    result: dict[str, frozenset[str]] = {}
    for start in elements:
        seen: set[str] = set()
        stack = list(nexts[start])
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(nexts.get(current, ()))
        result[start] = frozenset(seen)
    return result
