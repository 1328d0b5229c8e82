"""The step registry covers the step tables of docs/scenarios.md, and the models' fields are
the ones those tables document (each way round: nothing undocumented, nothing missing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine_sim.scenarios import doc_steps
from engine_sim.scenarios.doc_steps import EXPECTATION_KINDS, STEP_MODELS

SPEC = Path(__file__).resolve().parents[3] / "docs" / "scenarios.md"
COMMAND_KINDS = [
    "deploy", "create", "complete_job", "fail_job", "throw_error", "resolve_incident",
    "complete_user_task", "publish_message", "broadcast_signal", "advance_clock",
    "set_variables", "cancel", "migrate_instance", "migrate", "revert_operation",
    "run_operations",
]
EXPECT_KINDS = ["expect", "expect_records", "expect_list", "expect_preview", "expect_operation"]


def _spec_rows() -> dict[str, str]:
    """kind -> the fields column, from the two step tables of docs/scenarios.md."""
    rows: dict[str, str] = {}
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `([a-z_]+)[^|]*\|([^|]*)\|", line)
        if match:
            rows[match[1]] = match[2]
    return rows


def test_the_registry_has_every_kind() -> None:
    assert list(STEP_MODELS) == COMMAND_KINDS + EXPECT_KINDS
    assert frozenset(EXPECT_KINDS) == EXPECTATION_KINDS


def test_the_registry_matches_the_documented_tables() -> None:
    assert set(_spec_rows()) == set(STEP_MODELS)


def test_every_model_field_is_documented() -> None:
    for kind, fields in _spec_rows().items():
        named = set(re.findall(r"`([a-z_]+)", fields))
        assert set(STEP_MODELS[kind].model_fields) <= named, (kind, set(
            STEP_MODELS[kind].model_fields) - named)


def test_every_field_the_docs_name_is_a_model_field() -> None:
    for kind, fields in _spec_rows().items():
        # backticked names, except step kinds the prose mentions (`migrate` and ...)
        named = set(re.findall(r"`([a-z_]+)", fields)) - set(STEP_MODELS)
        model_fields = set(STEP_MODELS[kind].model_fields)
        assert named <= model_fields, (kind, named - model_fields)


def test_models_are_named_after_their_step() -> None:
    for kind, model in STEP_MODELS.items():
        assert model.__name__ == "".join(part.title() for part in kind.split("_"))
        assert getattr(doc_steps, model.__name__) is model
        assert model.model_config["frozen"] and model.model_config["extra"] == "forbid"
