"""What the migrate preview warns about beyond the dry run's failures (docs/cli.md).

- a job that migrates keeps its type (migration never re-evaluates it), so where the target
  element declares another job type the job will still be offered to the old workers;
- target elements nothing maps to: no migrated instance will be there;
- a source element left without a mapping whose id changed: a same-type target element that
  nothing maps to is suggested, the closest id first (`--map SOURCE=TARGET`).
Only elements where an instance can wait are considered (tasks, subprocesses, call activities,
catch events, event-based gateways): a start or end event never holds a token at rest.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping
from typing import Any

from engine_sim.model import ElementType
from engine_sim.model.elements import Element, Process

WAITING_TYPES = frozenset({
    ElementType.SERVICE_TASK, ElementType.USER_TASK, ElementType.RECEIVE_TASK,
    ElementType.SCRIPT_TASK, ElementType.SEND_TASK, ElementType.BUSINESS_RULE_TASK,
    ElementType.SUB_PROCESS, ElementType.EVENT_SUB_PROCESS, ElementType.CALL_ACTIVITY,
    ElementType.INTERMEDIATE_CATCH_EVENT, ElementType.EVENT_BASED_GATEWAY,
})


def _job_type(element: Element) -> str | None:
    definition = element.task_definition
    if definition is None or element.engine_user_task:
        return None
    return definition.type.text


def job_type_changes(source: Process, target: Process, mapping: Mapping[str, str],
                     counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """Mapped job elements holding instances whose target declares another job type."""
    changes = []
    for source_id, target_id in sorted(mapping.items()):
        element, goal = source.elements.get(source_id), target.elements.get(target_id)
        if element is None or goal is None or not counts.get(source_id):
            continue
        kept, declared = _job_type(element), _job_type(goal)
        if kept is not None and declared is not None and kept != declared:
            changes.append({"sourceElementId": source_id, "targetElementId": target_id,
                            "jobType": kept, "targetJobType": declared,
                            "instances": counts[source_id]})
    return changes


def unmapped_targets(target: Process, mapping: Mapping[str, str]) -> list[str]:
    """Target elements where an instance could wait that no source element maps to."""
    mapped = set(mapping.values())
    return [element_id for element_id, element in target.elements.items()
            if element.type in WAITING_TYPES and element_id not in mapped]


def suggestions(source: Process, target: Process,
                mapping: Mapping[str, str]) -> list[dict[str, Any]]:
    """For each unmapped source element whose id is not in the target: same-type targets
    nothing maps to, closest id first."""
    free = unmapped_targets(target, mapping)
    found = []
    for element_id, element in source.elements.items():
        if (element.type not in WAITING_TYPES or element_id in mapping
                or element_id in target.elements):
            continue
        same_type = [t for t in free if target.elements[t].type is element.type]
        if not same_type:
            continue
        ranked = sorted(same_type, key=functools.partial(_closeness, element_id))
        found.append({"sourceElementId": element_id, "type": element.type.value,
                      "candidates": ranked})
    return found


def _closeness(source_id: str, target_id: str) -> tuple[float, str]:
    """Sort key: the most similar id first, then by id."""
    return -difflib.SequenceMatcher(None, source_id, target_id).ratio(), target_id


def advice(source: Process, target: Process, mapping: Mapping[str, str],
           counts: Mapping[str, int]) -> dict[str, Any]:
    """The `warnings` object of the preview (`--json`)."""
    return {"jobTypeChanges": job_type_changes(source, target, mapping, counts),
            "unmappedTargetElements": unmapped_targets(target, mapping),
            "suggestedMappings": suggestions(source, target, mapping)}


def advice_lines(warnings: dict[str, Any]) -> list[str]:
    """The same, for people."""
    lines = []
    for change in warnings["jobTypeChanges"]:
        lines.append(
            f"warning: {change['instances']} job(s) at '{change['sourceElementId']}' keep type "
            f"'{change['jobType']}', but '{change['targetElementId']}' declares "
            f"'{change['targetJobType']}' (migration never re-evaluates a job type)")
    if warnings["unmappedTargetElements"]:
        lines.append("note: nothing maps to target element(s) "
                     + ", ".join(warnings["unmappedTargetElements"]))
    for hint in warnings["suggestedMappings"]:
        best = hint["candidates"][0]
        others = hint["candidates"][1:]
        more = f" (or {', '.join(others)})" if others else ""
        lines.append(f"hint: '{hint['sourceElementId']}' ({hint['type']}) has no mapping; "
                     f"did its id change? --map {hint['sourceElementId']}={best}{more}")
    return lines
