"""Random damage to a valid document gives a ScenarioInputError or a Scenario, nothing else.

The runner turns ScenarioInputError into exit status 2 and a one-line message; any other
exception would be a traceback, which the contract forbids for invalid input.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_data import DATA

from engine_sim.scenarios.doc_steps import STEP_MODELS
from engine_sim.scenarios.document import Scenario, ScenarioInputError, load_scenario

BASE = yaml.safe_load((DATA / "every-step.yaml").read_text(encoding="utf-8"))
FIELD_NAMES = sorted(
    {name for model in STEP_MODELS.values() for name in model.model_fields}
    | set(STEP_MODELS) | {"as", "reject", "name", "steps", "instance", "filter", "type"}
)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 2**70), st.floats(allow_nan=False),
    st.text(max_size=12), st.sampled_from(FIELD_NAMES), st.sampled_from(["a", "b/x", "op", "PT1M"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside the document."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


PATHS = _paths(BASE)[1:]


def _mutate(doc: Any, path: tuple[Any, ...], how: str, new: Any, name: str) -> Any:
    doc = copy.deepcopy(doc)
    parent = doc
    for item in path[:-1]:
        parent = parent[item]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "rename" and isinstance(parent, dict):
        parent = _rename(parent, last, name)
        _replace(doc, path[:-1], parent)
    else:
        parent[last] = new
    return doc


def _rename(mapping: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return {(new if key == old else key): value for key, value in mapping.items()}


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    if not path:
        doc.clear()
        doc.update(value)
        return
    target = doc
    for item in path[:-1]:
        target = target[item]
    target[path[-1]] = value


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(DATA / "bpmn", path / "bpmn")
    return path


def _load(folder: Path, text: str) -> None:
    path = folder / "s.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        result = load_scenario(path, "s.yaml")
    except ScenarioInputError as error:
        assert error.line is None or error.line >= 1
        assert str(error).startswith("s.yaml")
        assert "\n" not in str(error)
    else:
        assert isinstance(result, Scenario)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(PATHS),
    how=st.sampled_from(["delete", "rename", "replace"]),
    new=json_values,
    name=st.sampled_from(FIELD_NAMES) | st.text(max_size=8),
)
def test_damaged_documents_raise_only_scenario_input_errors(
    folder: Path, path: tuple[Any, ...], how: str, new: Any, name: str
) -> None:
    damaged = _mutate(BASE, path, how, new, name)
    _load(folder, yaml.safe_dump(damaged, sort_keys=False))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_text_raises_only_scenario_input_errors(folder: Path, data: st.DataObject) -> None:
    text = (DATA / "every-step.yaml").read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 5))
        insert = data.draw(st.text(alphabet=":-[]{}&*!|>'\"#, \n\tax1", max_size=4))
        text = text[:at] + insert + text[at + cut:]
    _load(folder, text)


def test_the_base_document_is_valid(folder: Path) -> None:
    _load(folder, yaml.safe_dump(BASE, sort_keys=False))
