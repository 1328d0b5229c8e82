"""A scenario is refused as soon as it holds more than MAX_NODES values as written, with or
without libyaml's fast counting."""

from __future__ import annotations

import pytest
import yaml

from engine_sim.scenarios import yaml_lines
from engine_sim.scenarios.yaml_lines import YamlLocatedError, load_yaml


@pytest.mark.parametrize("libyaml", [True, False])
def test_more_values_than_the_limit_are_refused_naming_the_line(
        libyaml: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if libyaml and not yaml.__with_libyaml__:
        pytest.skip("libyaml is not installed")
    monkeypatch.setattr(yaml, "__with_libyaml__", libyaml)
    monkeypatch.setattr(yaml_lines, "MAX_NODES", 50)
    monkeypatch.setattr(yaml_lines, "_TOO_MANY", "the document holds more than 50 values")
    ok = "name: n\nsteps:\n  - create: {process: p, variables: {xs: [" + ",".join("1" * 30) + "]}}\n"
    assert load_yaml(ok).value["steps"][0]["create"]["variables"]["xs"] == [1] * 30

    with pytest.raises(YamlLocatedError) as refused:
        load_yaml("name: n\nsteps:\n  - create:\n      xs: [" + ",".join("1" * 60) + "]\n")
    assert refused.value.field == "document"
    assert refused.value.line == 4
    assert "more than 50 values" in refused.value.reason
