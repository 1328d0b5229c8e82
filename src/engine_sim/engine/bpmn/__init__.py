"""Element processors by family (tasks, gateways, events, containers), the element lifecycle
and the behaviours they share (`behaviors.Behaviors`)."""
