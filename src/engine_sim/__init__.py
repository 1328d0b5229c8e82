"""engine-sim: an event-sourced simulator of a Zeebe-like BPMN engine."""

__version__ = "0.1.0"
