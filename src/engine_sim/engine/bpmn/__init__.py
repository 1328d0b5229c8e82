"""Element processors by family (tasks, gateways, events, containers) and their dispatcher."""

from engine_sim.engine.bpmn.dispatch import Bpmn

__all__ = ["Bpmn"]
