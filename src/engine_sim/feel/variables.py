"""From a FEEL result to the value a variable holds, as Zeebe writes it into MessagePack.

- Temporal values become ISO-8601 text (`2024-01-31`, `2024-01-31T10:00:00+01:00`, `P1DT2H`,
  `P1Y2M`); Zeebe stores no date type, so reading the variable back gives that string, and
  `date(x)` or `date and time(x)` turns it into a date again.
- A function value becomes null, as Zeebe writes nil for it.
- An integer outside 64 bits fails: Zeebe writes integral numbers as MessagePack longs and
  would silently keep only the low 64 bits (`2**64` would become 0); we raise an error, which
  the engine turns into an incident, rather than store a value the user did not compute.

Nested lists and contexts are walked with an explicit stack: no value nests the Python stack.
"""

from __future__ import annotations

from typing import Any

from engine_sim.feel.errors import FeelEvaluationError, quoted
from engine_sim.feel.lambdas import Function
from engine_sim.feel.temporal import TEMPORAL_TYPES, variable_text

MIN_INT64, MAX_INT64 = -(2**63), 2**63 - 1
_PLAIN = frozenset({str, bool, float, type(None)})


def to_variable_value(value: Any, body: str) -> Any:
    """`value` as a variable holds it; raises `FeelEvaluationError` naming the expression
    `body` for an integer a variable cannot hold."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is int:
        return _checked_int(value, body)
    if kind is not list and kind is not dict:
        return _scalar(value, body)
    if not _needs_conversion(value, body):
        return value
    return _converted(value, body)


def _checked_int(value: int, body: str) -> int:
    if MIN_INT64 <= value <= MAX_INT64:
        return value
    try:
        digits = str(value)
        if len(digits) > 40:
            digits = f"{digits[:20]}... ({len(digits.lstrip('-'))} digits)"
    except ValueError:  # beyond Python's int-to-text limit
        digits = "a number of more than 4300 digits"
    raise FeelEvaluationError(
        f"failed to evaluate expression '{quoted(body)}': the result {digits} is outside the "
        f"range of a 64-bit integer ({MIN_INT64} to {MAX_INT64}), so no variable can hold it"
    )


def _scalar(value: Any, body: str) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is int:
        return _checked_int(value, body)
    if kind in TEMPORAL_TYPES:
        return variable_text(value)
    if isinstance(value, Function):
        return None
    return value


def _children(container: Any) -> Any:
    return container.values() if type(container) is dict else container


def _needs_conversion(root: Any, body: str) -> bool:
    """Whether any nested value changes form (checking every integer on the way)."""
    found = False
    stack = [root]
    while stack:
        for item in _children(stack.pop()):
            kind = type(item)
            if kind is list or kind is dict:
                stack.append(item)
            elif kind is int:
                _checked_int(item, body)
            elif kind not in _PLAIN:
                found = True
    return found


def _converted(root: Any, body: str) -> Any:
    """A copy of `root` with every nested value converted."""
    copy: Any = [None] * len(root) if type(root) is list else {}
    stack = [(root, copy)]
    while stack:
        source, target = stack.pop()
        entries = source.items() if type(source) is dict else enumerate(source)
        for key, item in entries:
            kind = type(item)
            if kind is list or kind is dict:
                inner: Any = [None] * len(item) if kind is list else {}
                stack.append((item, inner))
                target[key] = inner
            else:
                target[key] = _scalar(item, body)
    return copy
