"""How `expect_records` matches a partial record (docs/scenarios.md, "How each field matches")."""

from __future__ import annotations

from typing import Any

import pytest

from engine_sim.scenarios.expectations import record_matches

RECORD = {"valueType": "VARIABLE", "intent": "CREATED", "name": "v", "value": {"ok": [True, 1]},
          "errorMessage": "Expected to throw an error event", "retries": 1}


@pytest.mark.parametrize(("partial", "matches"), [
    ({}, True),
    ({"valueType": "VARIABLE", "name": "v"}, True),
    ({"value": {"ok": [True, 1]}}, True),
    ({"value": '{"ok": [true, 1]}'}, True),  # a variable's value may be given as its JSON text
    ({"errorMessage": "throw an error"}, True),  # a substring
    ({"errorMessage": "nothing like it"}, False),
    ({"value": {"ok": [1, 1]}}, False),  # true is not 1, inside lists too
    ({"value": {"ok": [True]}}, False),
    ({"value": {"ok": [True, 1], "more": None}}, False),
    ({"retries": True}, False),
    ({"retries": 1.0}, True),
    ({"elementId": "v"}, False),  # a field the record does not have
])
def test_a_partial_record_matches_when_every_given_field_is_equal(partial: dict[str, Any],
                                                                  matches: bool) -> None:
    assert record_matches(partial, RECORD) is matches
