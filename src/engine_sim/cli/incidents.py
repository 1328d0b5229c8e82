"""`engine-sim incidents [--instance K]` and `engine-sim incidents resolve KEY [--retries N]`.

The open incidents come from the list view (which keeps each running instance's open incident
keys) and the instances' state. Resolving a job's incident first gives the job `--retries`;
resolving any other incident retries the step that failed with the variables as they are now
(set them first with `engine-sim variables set`). Incidents on one element are resolved
oldest first, as the engine's command does.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from rich.table import Table
from rich.text import Text

from engine_sim.cli.arguments import EXIT_FAILED, EXIT_OK, CliError, operation_words
from engine_sim.cli.common import (
    console,
    key_column,
    key_partition,
    print_json,
    reader,
    session,
    store_partitions,
    text_column,
    writer,
)
from engine_sim.cli.jobs import report
from engine_sim.engine import Engine, commands
from engine_sim.engine.state import Incident, InstanceState
from engine_sim.partitions import Cluster
from engine_sim.projections import AnyListView, ListFilter


def incident_json(instance_key: int, incident: Incident) -> dict[str, Any]:
    return {"incidentKey": incident.key, "processInstanceKey": instance_key,
            "elementId": incident.element_id, "elementInstanceKey": incident.element_instance_key,
            "errorType": incident.error_type, "errorMessage": incident.error_message,
            "jobKey": incident.job_key if incident.job_key != -1 else None}


def open_incidents(views: Callable[[], AnyListView],
                   instance_of: Callable[[int], InstanceState | None],
                   instance: int | None) -> list[dict[str, Any]]:
    """Every open incident (of `instance` only, when given), by incident key: the instances
    the list view has in INCIDENT, each read from its state (`instance_of`)."""
    if instance is not None:
        keys = [instance]
        if instance_of(instance) is None:
            raise CliError("--instance", f"no process instance with key {instance}")
    else:
        keys = [row.key for row in views().query(ListFilter(states=("INCIDENT",)))]
    found: list[dict[str, Any]] = []
    for key in keys:
        state = instance_of(key)
        if state is not None:
            found.extend(incident_json(key, incident) for incident in state.incidents.values())
    return sorted(found, key=lambda incident: incident["incidentKey"])


def listed(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The open incidents `incidents` lists: of the store, or of `--instance` (on its
    partition); a partitioned store's from every partition (`Cluster`)."""
    if args.instance is None and store_partitions(args.store, read_only=True) > 1:
        with reader(args.store) as cluster:
            assert isinstance(cluster, Cluster)
            return open_incidents(cluster.views, cluster.instance, None)
    with session(args.store, read_only=True, key=args.instance) as s:  # its partition's
        return open_incidents(s.views, s.engine.instance, args.instance)


def incidents_table(incidents: list[dict[str, Any]]) -> Table:
    table = Table(title="Open incidents")
    key_column(table, "incident")
    key_column(table, "instance")
    text_column(table, "element")
    text_column(table, "type")
    text_column(table, "message")
    for incident in incidents:
        table.add_row(str(incident["incidentKey"]), str(incident["processInstanceKey"]),
                      Text(incident["elementId"]), incident["errorType"],
                      Text(incident["errorMessage"]))
    return table


def run(args: argparse.Namespace) -> int:
    verb, key = operation_words(args.words, ("resolve",), "incident")
    if verb is None and key is not None:
        raise CliError("resolve", f"to resolve incident {key}: engine-sim incidents resolve {key}")
    if verb == "resolve":
        if key is None:
            raise CliError("KEY", "resolve needs the key of the incident to resolve")
        return resolve(args, key)
    out = console(args.json)
    incidents = listed(args)
    if args.json:
        print_json({"incidents": incidents})
        return EXIT_OK
    out.print(incidents_table(incidents))
    out.print(f"{len(incidents)} open incident{'s' if len(incidents) != 1 else ''}")
    return EXIT_OK


def resolve(args: argparse.Namespace, key: int) -> int:
    """Resolve incident `key`: on a one-partition store in the `session`, on a partitioned
    store through `Cluster`, to the partition in the key (its worker, when one runs it)."""
    if store_partitions(args.store) == 1:
        with session(args.store, wait=args.wait) as s:
            return resolved(args, key, s.engine, s.views)
    with writer(args.store, args.wait, args.timeout, key) as cluster:
        assert isinstance(cluster, Cluster)
        if args.instance is not None:
            key_partition(args.instance, cluster.count, "--instance")
        return resolved(args, key, cluster, cluster.views)


def resolved(args: argparse.Namespace, key: int, engine: Engine | Cluster,
             views: Callable[[], AnyListView]) -> int:
    incidents = open_incidents(views, engine.instance, args.instance)
    incident = next((i for i in incidents if i["incidentKey"] == key), None)
    if incident is None:
        raise CliError("KEY", f"no open incident with key {key}")
    args.key = instance = incident["processInstanceKey"]
    state = engine.instance(instance)
    assert state is not None
    element = incident["elementId"]
    older = min(i.key for i in state.incidents.values() if i.element_id == element)
    if older != key:
        raise CliError("KEY", f"incident {older} on '{incident['elementId']}' is older: "
                       "incidents on one element are resolved oldest first")
    outcome = engine.execute(commands.ResolveIncident(instance, element, args.retries))
    if outcome.rejection is not None:
        console(args.json).print(Text(f"rejected: {outcome.rejection['rejectionReason']}",
                                      style="red"))
        return EXIT_FAILED
    done = f"Resolved incident {key} ({incident['errorType']}) of '{incident['elementId']}'"
    report(args, engine, done, {"incident": incident})
    return EXIT_OK
