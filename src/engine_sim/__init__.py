"""engine-sim: an event-sourced simulator of a Zeebe-like BPMN engine."""
