"""FEEL value semantics on plain Python values: types, equality, ordering and arithmetic.

Values are None (FEEL null), bool, int, float, str, list, dict (FEEL contexts) and the temporal
types of `temporal` (dates, times, date-times, durations). FEEL has a
single decimal number type; we keep Python's int and float and return an int whenever the
operands are ints and the result is integral. A non-finite float result is null (FEEL numbers
have no infinity or NaN). `bool` is never a number, although Python makes it an int subclass.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine_sim.feel import temporal
from engine_sim.feel.lexer import KEYWORDS, is_identifier
from engine_sim.feel.temporal import TEMPORAL_TYPES

NUMBER_TYPES = frozenset({int, float})

# Exponentiation whose result would need more bits than this is computed in float (and is
# then out of range, so null): it keeps `10 ** 10 ** 10` from exhausting memory.
_MAX_POWER_BITS = 4096

_TYPE_NAMES: dict[type, str] = {
    type(None): "NULL",
    bool: "BOOLEAN",
    int: "NUMBER",
    float: "NUMBER",
    str: "STRING",
    list: "ARRAY",
    dict: "OBJECT",
    dt.datetime: "DATE_TIME",
    dt.timedelta: "DURATION",
    temporal.YearsMonths: "PERIOD",
    dt.date: "DATE",
    dt.time: "UNKNOWN",  # Zeebe's ResultType has no time of day
}


def feel_type_name(value: Any) -> str:
    """Zeebe's `ResultType` of a value, as its incident messages name it: NULL, BOOLEAN,
    NUMBER, STRING, ARRAY, OBJECT, DATE, DATE_TIME, DURATION, PERIOD or UNKNOWN."""
    name = _TYPE_NAMES.get(type(value))
    if name is not None:
        return name
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, (int, float)):
        return "NUMBER"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, (list, tuple)):
        return "ARRAY"
    if isinstance(value, dict):
        return "OBJECT"
    return "UNKNOWN"


def equals(a: Any, b: Any) -> bool:
    """FEEL deep equality: `null = null` is true; values of different types are unequal."""
    ta, tb = type(a), type(b)
    if (ta is tb and ta is not list and ta is not dict) or (
            ta in NUMBER_TYPES and tb in NUMBER_TYPES):
        return bool(a == b)
    if ta is list and tb is list:
        return len(a) == len(b) and all(equals(x, y) for x, y in zip(a, b, strict=True))
    if ta is dict and tb is dict:
        return a.keys() == b.keys() and all(equals(v, b[k]) for k, v in a.items())
    return False


def comparable(a: Any, b: Any) -> bool:
    """True when `<` is defined between `a` and `b`: two numbers, two strings or two temporal
    values of one type."""
    ta, tb = type(a), type(b)
    if ta in NUMBER_TYPES:
        return tb in NUMBER_TYPES
    if ta is str:
        return tb is str
    return temporal.comparable(a, b)


def less(a: Any, b: Any) -> bool:
    """`a < b`; false with null or across types (our simplification: FEEL gives null)."""
    ta, tb = type(a), type(b)
    if ta in NUMBER_TYPES:
        return tb in NUMBER_TYPES and a < b
    if ta is str:
        return tb is str and a < b
    return ta in TEMPORAL_TYPES and temporal.comparable(a, b) and a < b


def less_equal(a: Any, b: Any) -> bool:
    """`a <= b`; false with null or across types (our simplification: FEEL gives null)."""
    ta, tb = type(a), type(b)
    if ta in NUMBER_TYPES:
        return tb in NUMBER_TYPES and a <= b
    if ta is str:
        return tb is str and a <= b
    return ta in TEMPORAL_TYPES and temporal.comparable(a, b) and a <= b


def greater(a: Any, b: Any) -> bool:
    """`a > b`; false with null or across types (our simplification: FEEL gives null)."""
    ta, tb = type(a), type(b)
    if ta in NUMBER_TYPES:
        return tb in NUMBER_TYPES and a > b
    if ta is str:
        return tb is str and a > b
    return ta in TEMPORAL_TYPES and temporal.comparable(a, b) and a > b


def greater_equal(a: Any, b: Any) -> bool:
    """`a >= b`; false with null or across types (our simplification: FEEL gives null)."""
    ta, tb = type(a), type(b)
    if ta in NUMBER_TYPES:
        return tb in NUMBER_TYPES and a >= b
    if ta is str:
        return tb is str and a >= b
    return ta in TEMPORAL_TYPES and temporal.comparable(a, b) and a >= b


def _finite(value: float) -> int | float | None:
    if type(value) is float and not math.isfinite(value):
        return None
    return value


def add(a: Any, b: Any) -> Any:
    """Number + number, or string + string (concatenation); anything else is null."""
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return a + b
    if ta in NUMBER_TYPES and tb in NUMBER_TYPES:
        return _finite(a + b)
    if ta is str and tb is str:
        return a + b
    if ta in TEMPORAL_TYPES or tb in TEMPORAL_TYPES:
        return temporal.add(a, b)
    return None


def subtract(a: Any, b: Any) -> Any:
    """Number - number, or temporal (see `temporal.subtract`); anything else is null."""
    if type(a) is int and type(b) is int:
        return a - b
    if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
        return _finite(a - b)
    if type(a) in TEMPORAL_TYPES:
        return temporal.subtract(a, b)
    return None


def multiply(a: Any, b: Any) -> Any:
    """Number * number, or a duration times a number; anything else is null."""
    if type(a) is int and type(b) is int:
        return a * b
    if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
        return _finite(a * b)
    if type(a) in TEMPORAL_TYPES or type(b) in TEMPORAL_TYPES:
        return temporal.multiply(a, b)
    return None


def divide(a: Any, b: Any) -> Any:
    """Number / number: an int when both are ints and it divides exactly; `x / 0` is null."""
    if type(a) in TEMPORAL_TYPES:
        return temporal.divide(a, b)
    if type(a) not in NUMBER_TYPES or type(b) not in NUMBER_TYPES or b == 0:
        return None
    if type(a) is int and type(b) is int:
        quotient, remainder = divmod(a, b)
        if remainder == 0:
            return quotient
    try:
        return _finite(a / b)
    except OverflowError:
        return None


def power(a: Any, b: Any) -> Any:
    """Number ** number; null when undefined (`0 ** -1`), complex, or out of range."""
    if type(a) not in NUMBER_TYPES or type(b) not in NUMBER_TYPES:
        return None
    if type(a) is int and type(b) is int and b >= 0:
        if abs(a) < 2 or a.bit_length() * b <= _MAX_POWER_BITS:
            return a**b
        a = float(a)
    try:
        result = a**b
    except (OverflowError, ZeroDivisionError):
        return None
    return _finite(result) if type(result) in NUMBER_TYPES else None


def negate(a: Any) -> Any:
    """Unary minus on a number or a duration; anything else is null."""
    return -a if type(a) in NUMBER_TYPES else temporal.negate(a)


BINARY_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
    "**": power,
    "=": equals,
    "!=": lambda a, b: not equals(a, b),
    "<": less,
    "<=": less_equal,
    ">": greater,
    ">=": greater_equal,
}


def format_number(value: float) -> str:
    """Plain digits, never Python's exponent notation; a float keeps a `.` (`3.0`, `1e20` is
    `100000000000000000000.0`) so that it parses back to the same float."""
    if type(value) is int:
        return str(value)
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
        if "." not in text:
            text += ".0"
    return text


def to_string(value: Any) -> str | None:
    """FEEL `string(x)`: null stays null; lists and contexts use FEEL literal syntax.

    Null too for an int with more digits than Python's int-to-str limit.
    """
    if value is None or type(value) is str:
        return value
    if type(value) in TEMPORAL_TYPES:
        return temporal.format_temporal(value)
    try:
        return to_literal(value)
    except ValueError:
        return None


def to_literal(value: Any) -> str:
    """The FEEL source text that evaluates back to `value`."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) in NUMBER_TYPES:
        return format_number(value)
    if isinstance(value, str):
        return _quote(value)
    if type(value) in TEMPORAL_TYPES:
        return temporal.literal(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        entries = (f"{_key(str(k))}: {to_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(entries) + "}"
    return _quote(str(value))


def _key(key: str) -> str:
    return key if is_identifier(key) and key not in KEYWORDS else _quote(key)


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + '"'
