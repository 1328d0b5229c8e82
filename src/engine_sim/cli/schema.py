"""`engine-sim schema`: the JSON Schema of scenario files, on stdout (docs/scenarios.md)."""

from __future__ import annotations

import argparse
import json
import sys

from engine_sim.cli.arguments import EXIT_OK
from engine_sim.scenarios.schema import scenario_schema


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(json.dumps(scenario_schema(), indent=2) + "\n")
    return EXIT_OK
