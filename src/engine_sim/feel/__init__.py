"""A safe subset of FEEL (Zeebe's expression language): compiled once, evaluated many times.

A text starting with `=` is an expression; any other text is a static string. Expressions
compile to closures; nothing is parsed or matched with a regex per evaluation, and Python's
`eval` is never used. See the module docstrings for where we deliberately differ from FEEL:
`lexer` (names), `values` (numbers, comparisons with null), `functions` (arity, `is defined`),
`temporal` (dates and times), `variables` (how results are stored). See docs/feel.md.
"""

from engine_sim.feel.clock import clock
from engine_sim.feel.errors import FeelError, FeelEvaluationError, FeelSyntaxError
from engine_sim.feel.expression import (
    MAX_EXPRESSION_LENGTH,
    Expression,
    compile_expression,
    evaluate_boolean,
)
from engine_sim.feel.values import feel_type_name
from engine_sim.feel.variables import to_variable_value

__all__ = [
    "MAX_EXPRESSION_LENGTH",
    "Expression",
    "FeelError",
    "FeelEvaluationError",
    "FeelSyntaxError",
    "clock",
    "compile_expression",
    "evaluate_boolean",
    "feel_type_name",
    "to_variable_value",
]
