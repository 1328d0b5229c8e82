"""`engine-sim deploy FILE...`: deploy BPMN files (every file is parsed before any is deployed)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from engine_sim.cli.arguments import EXIT_FAILED, EXIT_OK, CliError
from engine_sim.cli.common import console, key_column, print_json, text_column, writer
from engine_sim.model import BpmnModelError, parse_bpmn
from engine_sim.model.safe_xml import MAX_BPMN_BYTES


def read_resource(name: str) -> bytes:
    """The file's bytes, checked to be a deployable BPMN model."""
    path = Path(name)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BPMN_BYTES + 1)
    except FileNotFoundError:
        raise CliError("FILE", f"'{name}': no such file") from None
    except OSError as error:
        raise CliError("FILE", f"'{name}': cannot read the file: {error.strerror or error}") from None
    try:
        parse_bpmn(data, name)
    except BpmnModelError as error:
        raise CliError("FILE", str(error)) from None
    return data


def run(args: argparse.Namespace) -> int:
    resources = [(Path(name).name, read_resource(name)) for name in args.files]
    out = console(args.json)
    deployed: list[dict[str, Any]] = []
    with writer(args.store, args.wait, args.timeout) as engine:
        for name, data in resources:
            outcome = engine.deploy(data, name)
            if outcome.rejection is not None:  # the file parsed above: not expected
                out.print(Text(f"{name}: rejected: {outcome.rejection['rejectionReason']}", style="red"))
                return EXIT_FAILED
            deployment = next(r for r in outcome.records if r["valueType"] == "DEPLOYMENT")
            deployed.extend(
                {"bpmnProcessId": meta["bpmnProcessId"], "version": meta["version"],
                 "processDefinitionKey": meta["processDefinitionKey"],
                 "resourceName": meta["resourceName"], "duplicate": bool(meta["isDuplicate"])}
                for meta in deployment["processesMetadata"])
    if args.json:
        print_json({"processes": deployed})
        return EXIT_OK
    table = Table(title="Deployed")
    text_column(table, "process")
    table.add_column("version")
    key_column(table, "definition key")
    text_column(table, "resource")
    table.add_column("", no_wrap=True)
    for meta in deployed:
        table.add_row(meta["bpmnProcessId"], str(meta["version"]), str(meta["processDefinitionKey"]),
                      Text(meta["resourceName"]), "unchanged" if meta["duplicate"] else "new")
    out.print(table)
    return EXIT_OK
