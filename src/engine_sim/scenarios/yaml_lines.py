"""YAML to plain Python values, keeping the node graph so any value's line can be found again.

`yaml.safe_load` forgets where a value came from and silently keeps the last of two equal
keys; a scenario author needs `file, line N: steps[3].create.count: ...` and needs to hear
about the repeated key. So we `yaml.compose` (SafeLoader: no arbitrary objects), build the
values ourselves, and answer "which line is `steps[3].create.count` on?" by walking the
composed nodes along that path (`LinedYaml.locate`), which costs nothing until an error needs
it.

Decisions that differ from PyYAML's constructor, and why:
- Mapping keys are their source text: keys in a scenario are names (fields, variables,
  element ids), and YAML 1.1 would turn `on:`, `no:` or `1:` into a boolean or a number.
- Timestamps stay text: the document's fields parse them with `engine_sim.timeutil`, and
  variables hold JSON-like values only.
- Anchors and aliases work (merge keys `<<` included), but the expanded size is bounded so that
  a few lines of aliases cannot expand into gigabytes, and a self-referencing alias is refused.
- The document as written holds at most `MAX_NODES` values, counted while composing (and
  before, with libyaml's C parser where it is installed): composing costs ~40 µs a node, so a
  5 MB file of two million values is refused in a second instead of after minutes and
  gigabytes of nodes.

Problems that leave the document readable (a repeated key, an unsupported tag) are collected
as `YamlIssue`s so the caller can report the first problem of the whole document in order;
those that do not (syntax, size) raise `YamlLocatedError`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_VALUES",
    "LinedYaml",
    "Location",
    "PathItem",
    "YamlIssue",
    "YamlLocatedError",
    "format_path",
    "load_yaml",
    "quote",
    "render_value",
]

PathItem = str | int
MAX_VALUES = 1_000_000  # values after expanding aliases
MAX_NODES = 200_000  # values as written (scalars, lists, mappings, aliases)
MAX_DEPTH = 100  # nesting levels

_TAG = "tag:yaml.org,2002:"
_TEXT_TAGS = frozenset({_TAG + "str", _TAG + "timestamp"})
_CONSTRUCTED_TAGS = frozenset({_TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"})
_MERGE_TAG = _TAG + "merge"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class YamlLocatedError(Exception):
    """A problem that stops reading the document; `field` is a path, `yaml` or `document`."""

    def __init__(self, field: str, line: int | None, reason: str) -> None:
        super().__init__(f"line {line}: {field}: {reason}")
        self.field = field
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class YamlIssue:
    """A problem at one node that does not stop building the rest of the document."""

    path: tuple[PathItem, ...]
    line: int
    column: int
    reason: str


@dataclass(frozen=True, slots=True)
class Location:
    """Where a path leads: the part of it that exists, and the line and column of that node
    (of its key, when `key=True` was asked and the last step is a mapping key)."""

    path: tuple[PathItem, ...]
    line: int
    column: int
    end: tuple[int, int]  # (line, column) just after the node, to order "missing" problems


@dataclass(frozen=True, slots=True)
class LinedYaml:
    """The built value, the node graph it came from, and the issues met while building."""

    value: Any
    root: Node
    issues: tuple[YamlIssue, ...]

    def locate(self, loc: tuple[Any, ...], *, key: bool = False) -> Location:
        """Follow `loc` through the nodes, skipping items that do not name a child.

        Skipping makes validator locations usable as they are: pydantic adds union tags and
        synthetic field names (a scalar `deploy: PATH` validated as `{file: PATH}`) that are not
        in the document; the offending node is then the nearest one that is."""
        node, key_node, path = self.root, None, []
        for item in loc:
            child = _child(node, item)
            if child is None:
                continue
            key_node, node = child
            path.append(item)
        mark = (key_node if key and key_node is not None and path else node).start_mark
        end = (node.end_mark.line + 1, node.end_mark.column)
        return Location(tuple(path), mark.line + 1, mark.column, end)


class _CountingLoader(yaml.SafeLoader):
    """PyYAML's safe composer, refusing a document of more than `MAX_NODES` nodes as soon as
    it meets one too many."""

    def __init__(self, stream: bytes | str) -> None:
        super().__init__(stream)
        self.nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]  # (stubs)
            raise YamlLocatedError("document", _event_line(event), _TOO_MANY)
        return super().compose_node(parent, index)


_TOO_MANY = f"the document holds more than {MAX_NODES:,} values"
_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def _event_line(event: yaml.Event) -> int | None:
    """The 1-based line where a parser event starts (None when the parser gave no mark)."""
    return event.start_mark.line + 1 if event.start_mark is not None else None


def _count_nodes_fast(text: bytes | str) -> None:
    """With libyaml, count the nodes from the C parser's events (~1 µs each) first; a syntax
    error is left to the composer, whose messages the scenario errors use."""
    if not getattr(yaml, "__with_libyaml__", False):
        return
    nodes = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, _NODE_EVENTS):
                nodes += 1
                if nodes > MAX_NODES:
                    raise YamlLocatedError("document", _event_line(event), _TOO_MANY)
    except yaml.YAMLError:
        return


def load_yaml(text: bytes | str) -> LinedYaml:
    """Compose and build one YAML document; raise `YamlLocatedError` when it cannot be read."""
    _count_nodes_fast(text)
    try:
        root = yaml.compose(text, Loader=_CountingLoader)
    except yaml.MarkedYAMLError as err:
        raise YamlLocatedError("yaml", _mark_line(err), _syntax_reason(err)) from None
    except yaml.reader.ReaderError as err:
        line = _offset_line(text, err.position)
        raise YamlLocatedError("yaml", line, _reader_reason(err)) from None
    except yaml.YAMLError as err:  # pragma: no cover - every PyYAML error is one of the above
        raise YamlLocatedError("yaml", None, str(err)) from None
    except RecursionError:
        raise YamlLocatedError("document", None, "the document is nested too deeply") from None
    if root is None:
        raise YamlLocatedError("document", 1, "expected a mapping, got an empty document")
    builder = _Builder()
    value = builder.build(root, (), 0)
    return LinedYaml(value=value, root=root, issues=tuple(builder.issues))


def format_path(path: tuple[PathItem, ...]) -> str:
    """`('steps', 3, 'create', 'count')` -> `steps[3].create.count` (`document` when empty)."""
    text = ""
    for item in path:
        if isinstance(item, int):
            text += f"[{item}]"
        else:
            text += f".{_escape(item)}" if text else _escape(item)
    return text or "document"


def quote(text: str) -> str:
    """`'text'`, on one line and at most about 60 characters, however odd the text."""
    text = _escape(text)
    return f"'{text}'" if len(text) <= 60 else f"'{text[:57]}...'"


def render_value(value: Any) -> str:
    """How a message quotes an offending value: text in quotes (shortened), the rest as YAML
    would spell it, containers by kind only."""
    if isinstance(value, str):
        return quote(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return str(value)


class _Builder:
    """Builds values depth-first in document order, counting what aliases expand to."""

    def __init__(self) -> None:
        self.issues: list[YamlIssue] = []
        self.budget = MAX_VALUES
        self.open: set[int] = set()

    def build(self, node: Node, path: tuple[PathItem, ...], depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise YamlLocatedError(
                "document", None, f"the document expands to more than {MAX_VALUES} values"
            )
        if depth > MAX_DEPTH:
            raise YamlLocatedError(
                format_path(path), _line(node), f"nested more than {MAX_DEPTH} levels deep"
            )
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self.open:
            raise YamlLocatedError(
                format_path(path), _line(node), "an alias refers to a node that contains it"
            )
        self.open.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                self._check_tag(node, path, _TAG + "seq")
                items = enumerate(node.value)
                return [self.build(item, (*path, i), depth + 1) for i, item in items]
            self._check_tag(node, path, _TAG + "map")
            assert isinstance(node, MappingNode)  # the composer makes only these three kinds
            return self._mapping(node, path, depth)
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: MappingNode, path: tuple[PathItem, ...], depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, key_node, value_node in _entries(node, self._issue, path):
            if key in result:
                self._issue((*path, key), key_node, f"duplicate key {quote(key)}")
                continue
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: ScalarNode, path: tuple[PathItem, ...]) -> Any:
        if node.tag in _TEXT_TAGS:
            return node.value
        if node.tag not in _CONSTRUCTED_TAGS:
            self._issue(path, node, f"unsupported YAML tag {quote(_short_tag(node.tag))}")
            return node.value
        value = _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
        if isinstance(value, float) and not math.isfinite(value):
            self._issue(path, node, f"expected a finite number, got {node.value}")
        return value

    def _check_tag(self, node: Node, path: tuple[PathItem, ...], expected: str) -> None:
        if node.tag != expected:
            self._issue(path, node, f"unsupported YAML tag {quote(_short_tag(node.tag))}")

    def _issue(self, path: tuple[PathItem, ...], node: Node, reason: str) -> None:
        mark = node.start_mark
        self.issues.append(YamlIssue(path, mark.line + 1, mark.column, reason))


def _entries(
    node: MappingNode, issue: Any = None, path: tuple[PathItem, ...] = ()
) -> Iterator[tuple[str, Node, Node]]:
    """(key text, key node, value node) in document order: the mapping's own entries, then
    those merged in by `<<` that it does not give itself (earlier merge sources win).

    Repeated own keys are yielded again so the builder can report them."""
    merged: list[MappingNode] = []
    own: set[str] = set()
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            merged.extend(_merge_sources(value_node, issue, path))
        elif isinstance(key_node, ScalarNode):
            own.add(key_node.value)
            yield key_node.value, key_node, value_node
        elif issue is not None:
            kind = "a list" if isinstance(key_node, SequenceNode) else "a mapping"
            issue(path, key_node, f"a mapping key must be a plain name, got {kind}")
    for source in merged:
        for key, key_node, value_node in _entries(source):
            if key not in own:
                own.add(key)
                yield key, key_node, value_node


def _merge_sources(value: Node, issue: Any, path: tuple[PathItem, ...]) -> list[MappingNode]:
    if isinstance(value, MappingNode):
        return [value]
    if isinstance(value, SequenceNode) and all(isinstance(v, MappingNode) for v in value.value):
        return list(value.value)
    if issue is not None:
        issue(path, value, "a merge key '<<' takes a mapping or a list of mappings")
    return []


def _child(node: Node, item: Any) -> tuple[Node | None, Node] | None:
    """The (key node, node) that `item` names inside `node`, or None."""
    if isinstance(node, SequenceNode) and isinstance(item, int) and not isinstance(item, bool):
        return (None, node.value[item]) if 0 <= item < len(node.value) else None
    if isinstance(node, MappingNode) and isinstance(item, str):
        for key, key_node, value_node in _entries(node):
            if key == item:
                return key_node, value_node
    return None


def _escape(text: str) -> str:
    """Control characters as escapes, so a message is always one line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _short_tag(tag: str) -> str:
    """`tag:yaml.org,2002:binary` -> `!!binary`, as the author wrote it."""
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _mark_line(err: yaml.MarkedYAMLError) -> int | None:
    mark = err.problem_mark or err.context_mark
    return mark.line + 1 if mark is not None else None


def _syntax_reason(err: yaml.MarkedYAMLError) -> str:
    problem = err.problem or "invalid YAML"
    return f"{err.context}: {problem}" if err.context else problem


def _reader_reason(err: yaml.reader.ReaderError) -> str:
    """PyYAML's own text misreports bytes it cannot decode as characters."""
    if err.encoding == "unicode":
        return f"unacceptable character #x{err.character:04x}: {err.reason}"
    return f"cannot decode the file as {err.encoding}: byte #x{err.character:02x}: {err.reason}"


def _offset_line(text: bytes | str, position: int) -> int:
    head = text[:position]
    newlines: int = head.count(b"\n") if isinstance(head, bytes) else head.count("\n")
    return newlines + 1
