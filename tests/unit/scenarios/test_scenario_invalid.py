"""Every kind of invalid input the contract names gives one exact message.

The documents start with HEAD (lines 1-5), so the step under test is `steps[2]` on line 6.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine_sim.model import BpmnModelError
from engine_sim.scenarios import doc_deploy
from engine_sim.scenarios.document import (
    MAX_FILE_BYTES,
    ScenarioInputError,
    load_scenario,
)

Error = Callable[[str], str]

HEAD = """\
name: t
steps:
  - deploy: bpmn/order-v1.bpmn
  - create: {process: orderProcess}
    as: a
"""


def test_yaml_syntax_error(input_error: Error) -> None:
    assert input_error("name: t\n  bad: 1\nsteps: []\n") == (
        "s.yaml, line 2: yaml: mapping values are not allowed here"
    )


def test_unclosed_flow_mapping(input_error: Error) -> None:
    assert input_error(HEAD + "  - create: {process: p\n  - cancel: {instance: a}\n") == (
        "s.yaml, line 7: yaml: while parsing a flow mapping: "
        "expected ',' or '}', but got ':'"
    )


def test_duplicate_top_level_key(input_error: Error) -> None:
    assert input_error("name: t\nname: u\nsteps: []\n") == (
        "s.yaml, line 2: name: duplicate key 'name'"
    )


def test_duplicate_nested_key(input_error: Error) -> None:
    assert input_error(HEAD + "  - create: {process: p, count: 1, count: 2}\n") == (
        "s.yaml, line 6: steps[2].create.count: duplicate key 'count'"
    )


def test_duplicate_key_deep_in_variables(input_error: Error) -> None:
    text = HEAD + (
        "  - create:\n      process: p\n      variables:\n        a: {x: 1,\n            x: 2}\n"
    )
    assert input_error(text) == (
        "s.yaml, line 10: steps[2].create.variables.a.x: duplicate key 'x'"
    )


def test_unknown_step(input_error: Error) -> None:
    assert input_error(HEAD + "  - crate: {process: p}\n") == (
        "s.yaml, line 6: steps[2].crate: unknown step 'crate'; did you mean 'create'?"
    )
    assert input_error(HEAD + "  - frobnicate: {process: p}\n") == (
        "s.yaml, line 6: steps[2].frobnicate: unknown step 'frobnicate'"
    )


def test_unknown_field(input_error: Error) -> None:
    assert input_error(HEAD + "  - create: {process: p, cout: 3}\n") == (
        "s.yaml, line 6: steps[2].create.cout: unknown field 'cout'"
    )


def test_unknown_field_beside_the_step(input_error: Error) -> None:
    assert input_error(HEAD + "  - create: {process: p}\n    ass: x\n") == (
        "s.yaml, line 7: steps[2].ass: unknown field 'ass'"
    )


def test_unknown_field_in_a_nested_mapping(input_error: Error) -> None:
    text = HEAD + (
        "  - migrate_instance:\n      instance: a\n      target: {process: p, verison: 2}\n"
    )
    assert input_error(text) == (
        "s.yaml, line 8: steps[2].migrate_instance.target.verison: unknown field 'verison'"
    )


def test_unknown_top_level_field(input_error: Error) -> None:
    assert input_error("name: t\nsteps: []\nauthor: me\n") == (
        "s.yaml, line 3: author: unknown field 'author'"
    )


def test_missing_required_field(input_error: Error) -> None:
    assert input_error(HEAD + "  - create: {count: 3}\n") == (
        "s.yaml, line 6: steps[2].create.process: field required"
    )


def test_missing_name(input_error: Error) -> None:
    assert input_error("steps: []\n") == "s.yaml, line 1: name: field required"


def test_a_misspelt_field_is_reported_before_the_field_it_lacks(input_error: Error) -> None:
    assert input_error(HEAD + "  - create: {proces: p}\n") == (
        "s.yaml, line 6: steps[2].create.proces: unknown field 'proces'"
    )


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ("{process: p, count: three}", "count", "expected an integer, got 'three'"),
        ("{process: p, count: '3'}", "count", "expected an integer, got '3'"),
        ("{process: p, count: 2.0}", "count", "expected an integer, got 2.0"),
        ("{process: p, version: true}", "version", "expected an integer, got true"),
        ("{process: p, count: 0}", "count", "expected at least 1, got 0"),
        ("{process: p, count: 100001}", "count", "expected at most 100000, got 100001"),
        ("{process: 12}", "process", "expected a string, got 12"),
        ("{process: p, variables: [1]}", "variables", "expected a mapping, got a list"),
    ],
)
def test_wrong_type(input_error: Error, fields: str, field: str, reason: str) -> None:
    assert input_error(HEAD + f"  - create: {fields}\n") == (
        f"s.yaml, line 6: steps[2].create.{field}: {reason}"
    )


@pytest.mark.parametrize(
    ("step", "field", "reason"),
    [
        ("fail_job: {instance: a, element: e, retries: -1}", "fail_job.retries",
         "expected at least 0, got -1"),
        ("expect: {instance: a, state: DONE}", "expect.state",
         "expected 'ACTIVE', 'INCIDENT', 'COMPLETED' or 'CANCELED', got 'DONE'"),
        ("expect_list: {filter: {state: [ACTIVE, DONE]}, count: 1}",
         "expect_list.filter.state[1]",
         "expected 'ACTIVE', 'INCIDENT', 'COMPLETED' or 'CANCELED', got 'DONE'"),
        ("expect_operation: {operation: a, state: CANCELED}", "expect_operation.state",
         "expected 'ACTIVE' or 'COMPLETED', got 'CANCELED'"),
        ("advance_clock: PT10X", "advance_clock", "invalid ISO-8601 duration 'PT10X'"),
        ("advance_clock: {duration: PT10M}", "advance_clock",
         "expected an ISO-8601 duration, got a mapping"),
        ("publish_message: {name: m, correlation_key: k, ttl: 10}", "publish_message.ttl",
         "expected an ISO-8601 duration, got 10"),
        ("deploy: 3", "deploy", "expected a path or a mapping, got 3"),
        ("migrate_instance: {instance: a, target: {process: p}, mapping: [{source: x}]}",
         "migrate_instance.mapping[0].target", "field required"),
        ("migrate_instance: {instance: a, target: {process: p}, mapping: {x: 1}}",
         "migrate_instance.mapping.x", "expected a string, got 1"),
        ("migrate_instance: {instance: a, target: {process: p}, mapping: x}",
         "migrate_instance.mapping",
         "expected a mapping or a list of source/target pairs, got 'x'"),
        ("cancel: {instance: a/b/c}", "cancel.instance",
         "expected LABEL or LABEL/ELEMENT, got 'a/b/c'"),
        ("migrate_instance: {instance: a, target: {process: p}, auto_map: 'yes'}",
         "migrate_instance.auto_map", "expected true or false, got 'yes'"),
        ("expect_preview: {filter: {}, target: {process: p}, counts: {x: '1'}}",
         "expect_preview.counts.x", "expected an integer, got '1'"),
    ],
)
def test_wrong_value_in_other_steps(input_error: Error, step: str, field: str, reason: str) -> None:
    assert input_error(HEAD + f"  - {step}\n") == f"s.yaml, line 6: steps[2].{field}: {reason}"


def test_wrong_start_time(input_error: Error) -> None:
    assert input_error("name: t\nstart_time: 2026-01-01T00:00:00\nsteps: []\n") == (
        "s.yaml, line 2: start_time: ISO-8601 date-time '2026-01-01T00:00:00' has no UTC offset"
    )


def test_undefined_label(input_error: Error) -> None:
    assert input_error(HEAD + "  - cancel: {instance: b}\n") == (
        "s.yaml, line 6: steps[2].cancel.instance: label 'b' is not defined by an earlier step"
    )


def test_undefined_label_of_a_child_reference(input_error: Error) -> None:
    assert input_error(HEAD + "  - cancel: {instance: b/callPayment}\n") == (
        "s.yaml, line 6: steps[2].cancel.instance: label 'b' is not defined by an earlier step"
    )


def test_undefined_label_in_a_list(input_error: Error) -> None:
    text = HEAD + "  - migrate:\n      instances: [a, x]\n      target: {process: p}\n"
    assert input_error(text) == (
        "s.yaml, line 7: steps[2].migrate.instances[1]: label 'x' is not defined by an earlier step"
    )


def test_undefined_label_in_failures(input_error: Error) -> None:
    text = HEAD + "  - expect_preview:\n      filter: {}\n      target: {process: p}\n" \
        "      failures:\n        - {instance: a}\n        - {instance: zz, message: m}\n"
    assert input_error(text) == (
        "s.yaml, line 11: steps[2].expect_preview.failures[1].instance: "
        "label 'zz' is not defined by an earlier step"
    )


def test_label_used_before_the_step_that_defines_it(input_error: Error) -> None:
    text = HEAD + "  - cancel: {instance: late}\n  - create: {process: p}\n    as: late\n"
    assert input_error(text) == (
        "s.yaml, line 6: steps[2].cancel.instance: label 'late' is not defined by an earlier step"
    )


def test_a_step_cannot_use_the_label_it_defines(input_error: Error) -> None:
    text = HEAD + (
        "  - migrate: {instances: [a], target: {process: p}}\n    as: op\n"
        "  - run_operations: {operation: op2}\n"
        "  - revert_operation: {operation: op2}\n    as: op2\n"
    )
    assert input_error(text) == (
        "s.yaml, line 8: steps[3].run_operations.operation: "
        "label 'op2' is not defined by an earlier step"
    )


def test_instance_label_where_an_operation_is_expected(input_error: Error) -> None:
    assert input_error(HEAD + "  - expect_operation: {operation: a}\n") == (
        "s.yaml, line 6: steps[2].expect_operation.operation: "
        "label 'a' names an instance, not an operation"
    )


def test_operation_label_where_an_instance_is_expected(input_error: Error) -> None:
    text = HEAD + "  - migrate: {instances: [a], target: {process: p}}\n    as: op\n" \
        "  - expect: {instance: op/call}\n"
    assert input_error(text) == (
        "s.yaml, line 8: steps[3].expect.instance: label 'op' names an operation, not an instance"
    )


def test_missing_bpmn_file(input_error: Error) -> None:
    assert input_error(HEAD + "  - deploy: bpmn/missing.bpmn\n") == (
        "s.yaml, line 6: steps[2].deploy: file 'bpmn/missing.bpmn' does not exist"
    )


def test_missing_bpmn_file_in_the_mapping_form(input_error: Error) -> None:
    assert input_error(HEAD + "  - deploy:\n      file: bpmn/missing.bpmn\n") == (
        "s.yaml, line 7: steps[2].deploy.file: file 'bpmn/missing.bpmn' does not exist"
    )


def test_invalid_bpmn_file(input_error: Error) -> None:
    message = input_error(HEAD + "  - deploy: bpmn/dangling-ref.bpmn\n")
    assert message.startswith("s.yaml, line 6: steps[2].deploy: ")
    assert "dangling-ref.bpmn, line 5: element 'toNowhere': " in message
    assert "'nowhere'" in message


def test_bpmn_model_error_is_the_reason_as_it_is(
    input_error: Error, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path) -> object:
        raise BpmnModelError("bpmn/order-v2.bpmn", "conditional events are not supported", 7, "lnk")

    monkeypatch.setattr(doc_deploy, "load_bpmn", refuse)
    assert input_error("name: t\nsteps:\n  - cancel: {instance: x}\n  - deploy:\n"
                       "      file: bpmn/order-v2.bpmn\n") == (
        "s.yaml, line 3: steps[0].cancel.instance: label 'x' is not defined by an earlier step"
    )
    assert input_error("name: t\nsteps:\n  - deploy:\n      file: bpmn/order-v2.bpmn\n") == (
        "s.yaml, line 3: steps[0].deploy: bpmn/order-v2.bpmn, line 7: element 'lnk': "
        "conditional events are not supported"
    )


def test_as_count_mismatch(input_error: Error) -> None:
    assert input_error(HEAD + "  - create: {process: p, count: 3}\n    as: [x, y]\n") == (
        "s.yaml, line 7: steps[2].as: 'as' gives 2 labels but count is 3"
    )


def test_as_string_with_a_count_above_one(input_error: Error) -> None:
    assert input_error(HEAD + "  - create: {process: p, count: 2}\n    as: x\n") == (
        "s.yaml, line 7: steps[2].as: 'as' gives 1 label but count is 2"
    )


def test_as_on_an_operation_takes_one_label(input_error: Error) -> None:
    text = HEAD + "  - migrate: {instances: [a], target: {process: p}}\n    as: [x, y]\n"
    assert input_error(text) == (
        "s.yaml, line 7: steps[2].as: 'as' gives 2 labels but the step creates one operation"
    )


def test_as_on_a_step_that_creates_nothing(input_error: Error) -> None:
    assert input_error(HEAD + "  - cancel: {instance: a}\n    as: x\n") == (
        "s.yaml, line 7: steps[2].as: step 'cancel' creates nothing to label"
    )


def test_as_repeating_a_label(input_error: Error) -> None:
    assert input_error(HEAD + "  - create: {process: p, count: 2}\n    as: [x, x]\n") == (
        "s.yaml, line 7: steps[2].as[1]: label 'x' is given twice"
    )


def test_as_with_a_slash(input_error: Error) -> None:
    assert input_error(HEAD + "  - create: {process: p}\n    as: x/y\n") == (
        "s.yaml, line 7: steps[2].as: expected a label without '/', got 'x/y'"
    )


def test_reject_on_an_expectation_step(input_error: Error) -> None:
    text = HEAD + "  - expect: {instance: a, state: ACTIVE}\n    reject: {type: NOT_FOUND}\n"
    assert input_error(text) == (
        "s.yaml, line 7: steps[2].reject: not allowed on expectation step 'expect'"
    )


def test_reject_with_an_unknown_type(input_error: Error) -> None:
    text = HEAD + "  - cancel: {instance: a}\n    reject: {type: GONE}\n"
    assert input_error(text) == (
        "s.yaml, line 7: steps[2].reject.type: "
        "expected 'NOT_FOUND', 'INVALID_ARGUMENT' or 'INVALID_STATE', got 'GONE'"
    )


@pytest.mark.parametrize("kind", ["migrate", "expect_preview"])
def test_instances_and_filter_both_given(input_error: Error, kind: str) -> None:
    step = f"{kind}: {{instances: [a], filter: {{process: p}}, target: {{process: p}}}}"
    text = HEAD + f"  - {step}\n"
    assert input_error(text) == (
        f"s.yaml, line 6: steps[2].{kind}: expected either 'instances' or 'filter', got both"
    )


def test_neither_instances_nor_filter(input_error: Error) -> None:
    assert input_error(HEAD + "  - migrate:\n      target: {process: p}\n") == (
        "s.yaml, line 7: steps[2].migrate: expected either 'instances' or 'filter', got neither"
    )


def test_two_step_commands_in_one_step(input_error: Error) -> None:
    assert input_error(HEAD + "  - cancel: {instance: a}\n    create: {process: p}\n") == (
        "s.yaml, line 7: steps[2].create: expected one step command, got 'cancel' and 'create'"
    )


def test_a_step_without_a_command(input_error: Error) -> None:
    assert input_error(HEAD + "  - as: x\n") == (
        "s.yaml, line 6: steps[2]: expected a step command, got none"
    )


def test_a_step_that_is_not_a_mapping(input_error: Error) -> None:
    assert input_error(HEAD + "  - cancel\n") == (
        "s.yaml, line 6: steps[2]: expected a mapping with one step, got 'cancel'"
    )


def test_steps_that_are_not_a_list(input_error: Error) -> None:
    assert input_error("name: t\nsteps: {deploy: x}\n") == (
        "s.yaml, line 2: steps: expected a list, got a mapping"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("- a\n", "expected a mapping, got a list"),
        ("just text\n", "expected a mapping, got 'just text'"),
        ("", "expected a mapping, got an empty document"),
    ],
)
def test_a_document_that_is_not_a_mapping(input_error: Error, text: str, reason: str) -> None:
    assert input_error(text) == f"s.yaml, line 1: document: {reason}"


def test_an_unsupported_tag(input_error: Error) -> None:
    assert input_error("name: !!binary aGVsbG8=\nsteps: []\n") == (
        "s.yaml, line 1: name: unsupported YAML tag '!!binary'"
    )


def test_a_non_finite_number(input_error: Error) -> None:
    assert input_error(HEAD + "  - create: {process: p, variables: {x: .inf}}\n") == (
        "s.yaml, line 6: steps[2].create.variables.x: expected a finite number, got .inf"
    )


def test_a_self_referencing_alias(input_error: Error) -> None:
    assert input_error("name: t\nsteps: &s [*s]\n") == (
        "s.yaml, line 2: steps[0]: an alias refers to a node that contains it"
    )


def test_an_alias_bomb_is_refused(input_error: Error) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    message = input_error("\n".join(lines) + "\n")
    assert message == "s.yaml: document: the document expands to more than 1000000 values"


def test_too_deep_nesting(input_error: Error) -> None:
    message = input_error("name: t\nsteps: " + "[" * 150 + "]" * 150 + "\n")
    assert message.startswith("s.yaml, line 2: steps")
    assert message.endswith("nested more than 100 levels deep")


def test_a_file_over_five_mib(write_scenario: Callable[[str], Path]) -> None:
    path = write_scenario("name: t\nsteps: []\n" + "#" * MAX_FILE_BYTES + "\n")
    with pytest.raises(ScenarioInputError) as caught:
        load_scenario(path, "s.yaml")
    size = path.stat().st_size
    assert str(caught.value) == (
        f"s.yaml: document: the file has {size} bytes, more than the limit of 5 MiB"
    )
    assert caught.value.line is None


def test_a_file_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ScenarioInputError) as caught:
        load_scenario(tmp_path / "absent.yaml", "absent.yaml")
    assert str(caught.value) == (
        "absent.yaml: document: cannot read the file: No such file or directory"
    )


def test_a_control_character(input_error: Error) -> None:
    assert input_error("name: t\nsteps: []\ndescription: a\x07b\n") == (
        "s.yaml, line 3: yaml: unacceptable character #x0007: special characters are not allowed"
    )


def test_invalid_utf8(write_scenario: Callable[[str], Path]) -> None:
    path = write_scenario("")
    path.write_bytes(b"name: t\nsteps: []\ndescription: \xff\n")
    with pytest.raises(ScenarioInputError) as caught:
        load_scenario(path, "s.yaml")
    assert str(caught.value) == (
        "s.yaml, line 3: yaml: cannot decode the file as utf-8: byte #xff: invalid start byte"
    )


def test_the_first_problem_in_document_order_is_reported(input_error: Error) -> None:
    text = HEAD + "  - cancel: {instance: nobody}\n  - create: {process: p, count: x}\n" \
        "  - deploy: bpmn/missing.bpmn\n"
    assert input_error(text) == (
        "s.yaml, line 6: steps[2].cancel.instance: label 'nobody' is not defined by an earlier step"
    )
    text = HEAD + "  - deploy: bpmn/missing.bpmn\n  - cancel: {instance: nobody}\n"
    assert input_error(text) == (
        "s.yaml, line 6: steps[2].deploy: file 'bpmn/missing.bpmn' does not exist"
    )


def test_the_error_has_its_parts(write_scenario: Callable[[str], Path]) -> None:
    path = write_scenario(HEAD + "  - create: {process: p, cout: 3}\n")
    with pytest.raises(ScenarioInputError) as caught:
        load_scenario(path)
    error = caught.value
    assert (error.file, error.line, error.field, error.reason) == (
        str(path), 6, "steps[2].create.cout", "unknown field 'cout'"
    )
    assert str(error) == f"{path}, line 6: steps[2].create.cout: unknown field 'cout'"
