"""yaml_lines: plain values from YAML, with the line of any path found again."""

from __future__ import annotations

import pytest

from engine_sim.scenarios.yaml_lines import (
    YamlLocatedError,
    format_path,
    load_yaml,
    render_value,
)

TEXT = """\
name: t
steps:
  - create:
      process: p
      count: 3
  - cancel: {instance: a}
"""


def test_values_are_plain_python() -> None:
    doc = load_yaml(TEXT)
    assert doc.value == {
        "name": "t",
        "steps": [{"create": {"process": "p", "count": 3}}, {"cancel": {"instance": "a"}}],
    }
    assert doc.issues == ()


@pytest.mark.parametrize(
    ("loc", "line", "path"),
    [
        (("name",), 1, ("name",)),
        (("steps", 0, "create", "count"), 5, ("steps", 0, "create", "count")),
        (("steps", 1, "cancel", "instance"), 6, ("steps", 1, "cancel", "instance")),
        # items that name nothing (pydantic's union tags, synthetic fields) are skipped
        (("steps", 0, "create", "§tag", "process"), 4, ("steps", 0, "create", "process")),
        (("steps", 1, "cancel", "instance", 0), 6, ("steps", 1, "cancel", "instance")),
        (("steps", 7), 3, ("steps",)),
    ],
)
def test_locate(loc: tuple, line: int, path: tuple) -> None:
    where = load_yaml(TEXT).locate(loc)
    assert (where.line, where.path) == (line, path)


def test_locate_a_key() -> None:
    doc = load_yaml("a:\n  b:\n    1\n")
    assert doc.locate(("a", "b")).line == 3
    assert doc.locate(("a", "b"), key=True).line == 2


def test_keys_are_their_source_text() -> None:
    assert load_yaml("{on: 1, 2: b, null: c, 1.5: d}").value == {
        "on": 1, "2": "b", "null": "c", "1.5": "d"
    }


def test_timestamps_stay_text() -> None:
    assert load_yaml("t: 2026-01-01T00:00:00Z").value == {"t": "2026-01-01T00:00:00Z"}


def test_duplicate_keys_are_issues_and_the_first_value_is_kept() -> None:
    doc = load_yaml("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert doc.value == {"a": 1, "b": {"c": 1}}
    assert [(i.path, i.line, i.reason) for i in doc.issues] == [
        (("b", "c"), 4, "duplicate key 'c'"),
        (("a",), 5, "duplicate key 'a'"),
    ]


def test_merge_keys() -> None:
    doc = load_yaml("base: &b {x: 1, y: 2}\nm: {<<: *b, y: 3}\nn: {<<: [{x: 5}, *b]}\n")
    assert doc.value["m"] == {"y": 3, "x": 1}
    assert doc.value["n"] == {"x": 5, "y": 2}
    assert doc.locate(("m", "x")).line == 1
    assert doc.issues == ()


def test_a_bad_merge_value_is_an_issue() -> None:
    doc = load_yaml("m: {<<: 3}\n")
    assert [i.reason for i in doc.issues] == [
        "a merge key '<<' takes a mapping or a list of mappings"
    ]


def test_a_complex_key_is_an_issue() -> None:
    doc = load_yaml("? [a]\n: 1\n")
    assert [(i.line, i.reason) for i in doc.issues] == [
        (1, "a mapping key must be a plain name, got a list")
    ]


def test_syntax_errors_raise_with_the_line() -> None:
    with pytest.raises(YamlLocatedError) as caught:
        load_yaml("a: 1\nb: [\n")
    assert (caught.value.field, caught.value.line) == ("yaml", 3)


def test_two_documents_are_a_syntax_error() -> None:
    with pytest.raises(YamlLocatedError) as caught:
        load_yaml("a: 1\n---\nb: 2\n")
    assert caught.value.reason == (
        "expected a single document in the stream: but found another document"
    )


def test_an_undefined_alias() -> None:
    with pytest.raises(YamlLocatedError) as caught:
        load_yaml("a: *nothing\n")
    assert (caught.value.line, caught.value.reason) == (1, "found undefined alias 'nothing'")


def test_format_path() -> None:
    assert format_path(("steps", 3, "create", "count")) == "steps[3].create.count"
    assert format_path(("as", 1)) == "as[1]"
    assert format_path(()) == "document"


@pytest.mark.parametrize(
    ("value", "text"),
    [("x", "'x'"), (True, "true"), (False, "false"), (None, "null"), (3, "3"), (1.5, "1.5"),
     ({}, "a mapping"), ([], "a list"), ("y" * 100, "'" + "y" * 57 + "...'")],
)
def test_render_value(value: object, text: str) -> None:
    assert render_value(value) == text
