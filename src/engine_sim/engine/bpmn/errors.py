"""BPMN errors and escalations: finding the catching boundary event or event subprocess."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_sim.engine.state import ElementInstance, InstanceState

if TYPE_CHECKING:
    from engine_sim.engine.engine import Engine


class ErrorEvents:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def throw(self, state: InstanceState, source: ElementInstance, code: str, message: str,
              variables: dict[str, Any]) -> bool:
        """Throw error `code` from `source`; False when nothing catches it."""
        return False
