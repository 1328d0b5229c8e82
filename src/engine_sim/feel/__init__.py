"""A safe subset of FEEL (Zeebe's expression language): compiled once, evaluated many times.

A text starting with `=` is an expression; any other text is a static string. Expressions
compile to closures; nothing is parsed or matched with a regex per evaluation, and Python's
`eval` is never used. See the module docstrings for where we deliberately differ from FEEL:
`lexer` (names), `values` (numbers, comparisons with null), `functions` (arity, `is defined`).
"""

from engine_sim.feel.errors import FeelError, FeelEvaluationError, FeelSyntaxError
from engine_sim.feel.expression import Expression, compile_expression, evaluate_boolean
from engine_sim.feel.values import feel_type_name

__all__ = [
    "Expression",
    "FeelError",
    "FeelEvaluationError",
    "FeelSyntaxError",
    "compile_expression",
    "evaluate_boolean",
    "feel_type_name",
]
