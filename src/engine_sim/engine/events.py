"""Messages, signals and the simulated clock's timers (events issue)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_sim.engine.processing import Processing, Rejected
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.engine import Engine, Outcome
    from engine_sim.timeutil import Duration


class EventTriggers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def publish_message(self, name: str, correlation_key: str, variables: dict[str, Any],
                        ttl: Duration) -> Outcome:
        from engine_sim.engine.engine import CommandMeta

        def command(p: Processing) -> None:
            raise Rejected("INVALID_STATE", "messages are not supported yet")

        return self.engine.execute(CommandMeta("MESSAGE", Intent.PUBLISH), command)

    def broadcast_signal(self, name: str, variables: dict[str, Any]) -> Outcome:
        from engine_sim.engine.engine import CommandMeta

        def command(p: Processing) -> None:
            raise Rejected("INVALID_STATE", "signals are not supported yet")

        return self.engine.execute(CommandMeta("SIGNAL", Intent.BROADCAST), command)

    def advance_clock(self, duration: Duration) -> list[Outcome]:
        self.engine.clock.advance_to(duration.add_to(self.engine.clock.now))
        return []
