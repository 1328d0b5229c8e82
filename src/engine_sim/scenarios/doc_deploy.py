"""Deploy steps: find each BPMN file and parse it before any step runs.

The contract makes a missing or invalid BPMN file invalid input of the scenario (exit 2), not a
failure of step N at run time, so the loader parses every file a scenario names up front and
keeps the parsed `Definitions` on the step for the runner. The parser is
`engine_sim.model.load_bpmn_file`; its `BpmnModelError` already reads
`bpmn-file, line N: element 'id': reason`, which becomes the reason as it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine_sim.model import BpmnModelError, Definitions, load_bpmn_file
from engine_sim.scenarios.doc_steps import Deploy
from engine_sim.scenarios.yaml_lines import quote

__all__ = ["DeployFailure", "DeployResolver", "load_bpmn"]


@dataclass(frozen=True, slots=True)
class DeployFailure:
    """Why a deploy step cannot run: the file (`in_model` False: point at the path as
    written) or its content (`in_model` True: the reason already names the BPMN line)."""

    reason: str
    in_model: bool = False


def load_bpmn(path: Path) -> Definitions:
    """Parse one BPMN file."""
    return load_bpmn_file(path)


def _model_error() -> type[Exception]:
    return BpmnModelError


class DeployResolver:
    """Resolves deploy paths against the scenario's folder; parses each file once per load."""

    def __init__(self, scenario_path: Path) -> None:
        self._base = scenario_path.parent
        self._parsed: dict[Path, Any] = {}

    def resolve(self, command: Deploy) -> DeployFailure | None:
        """Attach path and definitions to `command`, or say why that cannot be done."""
        shown = self._base / command.file  # how the parser's messages name the file
        path = Path(os.path.abspath(shown))
        if not path.is_file():
            return DeployFailure(f"file {quote(command.file)} does not exist")
        if path not in self._parsed:
            try:
                self._parsed[path] = load_bpmn(shown)
            except OSError as err:
                reason = f"cannot read file {quote(command.file)}: {err.strerror or err}"
                return DeployFailure(reason)
            except _model_error() as err:
                return DeployFailure(str(err), in_model=True)
        command.attach(path, self._parsed[path])
        return None
