"""Call activities: a child instance per activation, variables both ways (events issue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine_sim.engine.state import InstanceState

if TYPE_CHECKING:
    from engine_sim.engine.engine import Engine


class CallActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def child_completed(self, child: InstanceState) -> None:
        """A called instance completed: its call activity in the parent completes."""
        if child.parent_instance_key == -1:
            return
