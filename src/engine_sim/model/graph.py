"""Reachability along sequence flows, precomputed once per process for the inclusive join.

A joining inclusive gateway may fire only when no token in its flow scope can still reach one
of its untaken incoming flows; the engine answers that with `Process.reachable`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

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


class Reachability(Mapping[str, frozenset[str]]):
    """element id -> ids reachable from it (itself only when it lies on a cycle), each
    computed by one depth-first search when first asked for, then kept.

    Computing every element's set up front costs O(n * (n + e)) time and O(n^2) memory (a
    chain of 20,000 tasks: minutes and gigabytes), while the engine asks only for the elements
    holding tokens when an inclusive gateway joins.
    """

    def __init__(self, elements: Mapping[str, Element], flows: Mapping[str, SequenceFlow]) -> None:
        self._nexts = {element_id: successors(element, flows) for element_id, element in elements.items()}
        self._found: dict[str, frozenset[str]] = {}

    def __getitem__(self, start: str) -> frozenset[str]:
        found = self._found.get(start)
        if found is None:
            nexts = self._nexts
            if start not in nexts:
                raise KeyError(start)
            seen: set[str] = set()
            stack = list(nexts[start])
            while stack:
                current = stack.pop()
                if current in seen:
                    continue
                seen.add(current)
                stack.extend(nexts.get(current, ()))
            found = self._found[start] = frozenset(seen)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._nexts)

    def __len__(self) -> int:
        return len(self._nexts)


def reachability(elements: Mapping[str, Element], flows: Mapping[str, SequenceFlow]) -> Reachability:
    return Reachability(elements, flows)
