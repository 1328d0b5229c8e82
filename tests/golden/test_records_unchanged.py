"""Every scenario's `--records` output is byte-identical to the recorded digests
(`records_check.py` says how to regenerate them when a change alters records on purpose)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location("records_check", Path(__file__).with_name("records_check.py"))
assert spec is not None and spec.loader is not None
records_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(records_check)


def test_every_scenario_writes_the_recorded_records():
    expected = records_check.recorded()
    assert len(expected) == len(records_check.scenario_files())
    assert records_check.differences(expected, records_check.current()) == []
