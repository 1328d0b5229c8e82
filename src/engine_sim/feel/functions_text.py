"""String functions, with Camunda 8's semantics: 1-based positions (negative from the end),
Java regular expressions (read by Python's `re`; the common syntax is the same), `$1` group
references in replacements, and null for arguments of the wrong type or an invalid pattern."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from engine_sim.feel.builtin import Builtin, on_string, on_strings

_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}
_JAVA_NAMED_GROUP = re.compile(r"(?<!\\)\(\?<(?=[A-Za-z])")  # Java `(?<name>`, Python `(?P<name>`
_GROUP_REF = re.compile(r"\\(.)|\$(\d+)|\$\{([A-Za-z][A-Za-z0-9]*)\}|\$", re.DOTALL)


def _whole(value: Any) -> int | None:
    """An integral FEEL number as an int (positions and lengths), else None."""
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    return None


def _substring(args: Sequence[Any]) -> Any:
    """`substring("foobar", 3)` is "obar", `substring("foobar", -3, 2)` is "ba"."""
    text, start = args[0], _whole(args[1])
    if type(text) is not str or start is None or start == 0:
        return None
    begin = start - 1 if start > 0 else len(text) + start
    if begin < 0 or begin > len(text):
        return None
    if len(args) == 2:
        return text[begin:]
    length = _whole(args[2])
    if length is None or length < 0:
        return None
    return text[begin : begin + length]


def _before(text: str, match: str) -> str:
    return text[: text.find(match)] if match and match in text else ""


def _after(text: str, match: str) -> str:
    if not match:
        return text
    return text[text.find(match) + len(match) :] if match in text else ""


def _pattern(pattern: Any, flags: Any = "") -> re.Pattern[str] | None:
    if type(pattern) is not str or type(flags) is not str:
        return None
    bits = 0
    for flag in flags:
        if flag not in _FLAGS:
            return None
        bits |= _FLAGS[flag]
    try:
        return re.compile(_JAVA_NAMED_GROUP.sub("(?P<", pattern), bits)
    except (re.error, OverflowError, RecursionError):
        return None


def _matches(args: Sequence[Any]) -> Any:
    """True when the pattern matches somewhere in the input (XPath `matches`, Java `find`)."""
    pattern = _pattern(args[1], args[2] if len(args) > 2 else "")
    if pattern is None or type(args[0]) is not str:
        return None
    return pattern.search(args[0]) is not None


def _replacement(template: str) -> Callable[[re.Match[str]], str] | None:
    """Java's replacement syntax (`$1`, `${name}`, `\\$` for a literal) as a function of a
    match; a group the match skipped is empty, an unknown group makes the call null."""
    parts: list[tuple[bool, Any]] = []  # (is a group reference, text or group)
    position = 0
    for ref in _GROUP_REF.finditer(template):
        parts.append((False, template[position : ref.start()]))
        position = ref.end()
        literal, number, name = ref.groups()
        if literal is not None:
            parts.append((False, literal))
        elif number is not None or name is not None:
            parts.append((True, int(number) if number is not None else name))
        else:
            return None  # a lone `$`
    parts.append((False, template[position:]))

    def expand(match: re.Match[str]) -> str:
        return "".join((match.group(part) or "") if is_group else part
                       for is_group, part in parts)

    return expand


def _replace(args: Sequence[Any]) -> Any:
    pattern = _pattern(args[1], args[3] if len(args) > 3 else "")
    if pattern is None or type(args[0]) is not str or type(args[2]) is not str:
        return None
    expand = _replacement(args[2])
    if expand is None:
        return None
    try:
        return pattern.sub(expand, args[0])
    except (IndexError, re.error):  # `$3` with two groups, as Java refuses it
        return None


def _split(args: Sequence[Any]) -> Any:
    """Split at each match of the delimiter pattern, keeping empty pieces (`"a;;"` gives
    `["a", "", ""]`); capture groups are not part of the result, as in Java."""
    text, pattern = args[0], _pattern(args[1])
    if pattern is None or type(text) is not str:
        return None
    pieces: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        if match.end() == 0:  # Java drops the empty piece before a zero-width match at 0
            continue
        pieces.append(text[position : match.start()])
        position = match.end()
    pieces.append(text[position:])
    return pieces


def _string_join(args: Sequence[Any]) -> Any:
    """Join strings (nulls skipped) with an optional delimiter, prefix and suffix; any other
    item makes the result null."""
    items = args[0]
    extras = [("" if arg is None else arg) for arg in args[1:]]
    if type(items) is not list or any(type(extra) is not str for extra in extras):
        return None
    if any(item is not None and type(item) is not str for item in items):
        return None
    delimiter, prefix, suffix = (*extras, "", "", "")[:3]
    return prefix + delimiter.join(item for item in items if item is not None) + suffix


TEXT_FUNCTIONS = (
    Builtin("string length", 1, 1, on_string(len)),
    Builtin("upper case", 1, 1, on_string(str.upper)),
    Builtin("lower case", 1, 1, on_string(str.lower)),
    Builtin("contains", 2, 2, on_strings(str.__contains__)),
    Builtin("starts with", 2, 2, on_strings(str.startswith)),
    Builtin("ends with", 2, 2, on_strings(str.endswith)),
    Builtin("substring", 2, 3, _substring),
    Builtin("substring before", 2, 2, on_strings(_before)),
    Builtin("substring after", 2, 2, on_strings(_after)),
    Builtin("matches", 2, 3, _matches),
    Builtin("replace", 3, 4, _replace),
    Builtin("split", 2, 2, _split),
    Builtin("string join", 1, 4, _string_join),
    Builtin("trim", 1, 1, on_string(str.strip)),
)
