"""The FEEL error hierarchy: callers catch `FeelError` subclasses to raise Zeebe-like incidents."""

from __future__ import annotations

_QUOTE_LIMIT = 200


def quoted(body: str) -> str:
    """An expression as messages quote it: whole, or its start when it is very long."""
    if len(body) <= _QUOTE_LIMIT:
        return body
    return f"{body[:_QUOTE_LIMIT]}... ({len(body)} characters)"


class FeelError(Exception):
    """Base class of every error raised by `engine_sim.feel`."""


class FeelSyntaxError(FeelError):
    """Raised by `compile_expression` when the text after `=` is not in our FEEL subset.

    The message mirrors Zeebe's: ``failed to parse expression '<body>': <reason> at position
    <n>``, where ``<body>`` is the text after the `=` and ``<n>`` is 1-based within it.
    """

    def __init__(self, body: str, reason: str, position: int) -> None:
        super().__init__(
            f"failed to parse expression '{quoted(body)}': {reason} at position {position}"
        )
        self.body = body
        self.reason = reason
        self.position = position


class FeelEvaluationError(FeelError):
    """Raised when evaluation fails in a way FEEL does not turn into `null`.

    With our null-producing semantics this is mainly `evaluate_boolean`'s non-boolean result,
    which callers turn into an incident (as Zeebe does for conditions).
    """


class EvaluationLimit(Exception):
    """Internal: an evaluation exceeded a documented limit; `Expression.evaluate` turns it into
    a `FeelEvaluationError` naming the expression."""


class _ParseFailure(Exception):
    """Internal: a reason and position, wrapped into `FeelSyntaxError` by the caller."""

    def __init__(self, reason: str, position: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position
