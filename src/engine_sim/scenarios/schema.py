"""The JSON Schema of scenario documents, built from the step models (`doc_steps`), so an
editor with a YAML language server can complete and check scenario files (docs/scenarios.md).

The schema checks each step's shape; what needs more than one step (labels defined before
use, BPMN files that exist and parse) only `engine-sim replay` checks.
"""

from __future__ import annotations

from typing import Any

from engine_sim.scenarios.doc_fields import Reject
from engine_sim.scenarios.doc_steps import STEP_MODELS, AdvanceClock, Deploy, PublishMessage

SCHEMA_ID = "https://engine-sim.invalid/scenario.schema.json"
LABELS = {"anyOf": [{"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
                    {"type": "array", "items": {"type": "string", "minLength": 1,
                                                "pattern": "^[^/]+$"}}],
          "description": "a label, or a list of labels, for what the step creates"}


def _body(kind: str, defs: dict[str, Any]) -> dict[str, Any]:
    """The schema of one step's value, its sub-models moved into the shared `$defs`."""
    model = STEP_MODELS[kind]
    schema = model.model_json_schema(ref_template="#/$defs/{model}")
    defs.update(schema.pop("$defs", {}))
    if model is AdvanceClock:
        return dict(schema["properties"]["duration"])
    if model is Deploy:
        return {"anyOf": [{"type": "string", "description": "the BPMN file's path"}, schema]}
    if model is PublishMessage:
        schema["properties"]["correlation_key"] = {"type": ["string", "integer"]}
        schema["properties"]["ttl"]["default"] = "PT0S"
    return schema


def _step(kind: str, defs: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {kind: _body(kind, defs)}
    if not STEP_MODELS[kind].is_expectation:
        properties["as"] = LABELS
        properties["reject"] = {"$ref": "#/$defs/Reject"}
    return {"type": "object", "properties": properties, "required": [kind],
            "additionalProperties": False, "title": kind}


def scenario_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    reject = Reject.model_json_schema(ref_template="#/$defs/{model}")
    defs.update(reject.pop("$defs", {}))
    defs["Reject"] = reject
    steps = [_step(kind, defs) for kind in STEP_MODELS]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "engine-sim scenario",
        "description": "A scenario file: steps that drive the engine and expectations that "
                       "must hold (docs/scenarios.md).",
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "start_time": {"type": "string", "format": "date-time",
                           "default": "2026-01-01T00:00:00Z"},
            "steps": {"type": "array", "items": {"oneOf": steps}},
        },
        "required": ["name", "steps"],
        "additionalProperties": False,
        "$defs": defs,
    }
