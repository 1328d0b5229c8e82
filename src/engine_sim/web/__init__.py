"""The web view: Operate's screens (processes, diagram, migration, operations, instance)
served from the store the CLI uses, by `engine-sim serve`."""
