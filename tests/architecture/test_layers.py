"""The layers of `src/` and what each may import (docs/architecture.md, "Layers").

Checked on the source with `ast`: no import circle anywhere, no function-level import of a
project module outside the CLI (where late imports keep `--help` fast), each layer imports
only the layers below it, and migration reaches the engine only through its public face.
"""

from __future__ import annotations

import import_graph
import pytest

# layer -> the layers it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "engine_sim.records": set(),
    "engine_sim.timeutil": set(),
    "engine_sim.persistence": set(),
    "engine_sim.feel": {"engine_sim.timeutil"},
    "engine_sim.model": {"engine_sim.feel", "engine_sim.records", "engine_sim.timeutil"},
    "engine_sim.projections": {"engine_sim.records", "engine_sim.persistence",
                               "engine_sim.timeutil"},
    "engine_sim.engine": {"engine_sim.model", "engine_sim.feel", "engine_sim.records",
                          "engine_sim.persistence", "engine_sim.timeutil"},
    "migration": {"engine_sim.engine", "engine_sim.model", "engine_sim.records",
                  "engine_sim.projections", "engine_sim.timeutil"},
    "engine_sim.app": {"engine_sim.engine", "engine_sim.persistence", "engine_sim.projections",
                       "migration"},
    # partitions: one engine application per partition, routing, workers (docs/scaling.md)
    "engine_sim.partitions": {"engine_sim.app", "engine_sim.engine", "engine_sim.persistence",
                              "engine_sim.projections", "engine_sim.records",
                              "engine_sim.timeutil", "migration"},
    # the web view: the CLI's session and input checks, and what they stand on (a
    # partitioned store through its Cluster, whose busy partitions raise the lease's StoreBusy)
    "engine_sim.web": {"engine_sim.cli", "engine_sim.app", "engine_sim.engine", "engine_sim.model",
                       "engine_sim.partitions", "engine_sim.persistence",
                       "engine_sim.projections", "migration"},
    # scenarios: replayed on one partition or, through `partitions.targets`, on a
    # partitioned store
    "engine_sim.scenarios": {"engine_sim.app", "engine_sim.engine", "engine_sim.model",
                             "engine_sim.partitions", "engine_sim.records",
                             "engine_sim.persistence", "engine_sim.projections",
                             "engine_sim.timeutil", "migration"},
    # the public Python API: a face over the composition root, or over `Cluster` on a
    # partitioned store (never the scenarios)
    "engine_sim.api": {"engine_sim.app", "engine_sim.engine", "engine_sim.partitions",
                       "engine_sim.persistence", "engine_sim.projections", "engine_sim.records",
                       "engine_sim.timeutil", "migration"},
    # assertions and the pytest plugin: over the public API, plus scenario files as tests
    "engine_sim.testing": {"engine_sim.api", "engine_sim.persistence", "engine_sim.scenarios",
                           "engine_sim.timeutil"},
}
# the package itself and the outermost layer (`python -m engine_sim` is the CLI's entry)
UNCHECKED = {"engine_sim", "engine_sim.__main__", "engine_sim.cli"}


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[0] if parts[0] == "migration" else ".".join(parts[:2])


EDGES = import_graph.graph()


def test_the_graph_was_read() -> None:
    assert len(import_graph.modules()) > 100
    assert any(e.importer == "migration.handler" and e.imported == "engine_sim.engine"
               for e in EDGES)


def test_there_is_no_import_circle() -> None:
    assert import_graph.cycles(EDGES) == []


def test_no_function_level_import_of_a_project_module_outside_the_cli() -> None:
    late = [f"{e.importer}:{e.line} imports {e.imported}" for e in EDGES
            if e.in_function and layer(e.importer) not in UNCHECKED]

    assert late == []


@pytest.mark.parametrize("source", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(source: str) -> None:
    wrong = [f"{e.importer}:{e.line} imports {e.imported}" for e in EDGES
             if layer(e.importer) == source and layer(e.imported) != source
             and layer(e.imported) not in ALLOWED[source]]

    assert wrong == []


def test_every_layer_is_listed() -> None:
    assert {layer(m) for m in import_graph.modules()} - UNCHECKED == set(ALLOWED)


def test_migration_uses_only_the_engines_public_face() -> None:
    deep = [f"{e.importer}:{e.line} imports {e.imported}" for e in EDGES
            if e.importer.startswith("migration") and e.imported.startswith("engine_sim.engine.")]

    assert deep == []
