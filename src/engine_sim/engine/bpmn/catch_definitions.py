"""What a catch event subscribes to, evaluated at the moment it opens: a timer's due date and
repetitions, a message's name and correlation key, a signal's name.

Failures carry Zeebe's messages (`ExpressionProcessor`) and become EXTRACT_VALUE_ERROR
incidents where the engine opens the subscription during an activation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine_sim.engine.bpmn.expressions import EvaluationFailed, evaluate, type_name
from engine_sim.engine.state import InstanceState
from engine_sim.feel import Expression, FeelError, to_variable_value
from engine_sim.model import Element, EventType
from engine_sim.records import ValueType
from engine_sim.timeutil import (
    Cycle,
    Duration,
    format_timestamp,
    parse_cycle,
    parse_datetime,
    parse_duration,
)

TIMER = ValueType.TIMER
PMS = ValueType.PROCESS_MESSAGE_SUBSCRIPTION
SIGNAL_SUBSCRIPTION = ValueType.SIGNAL_SUBSCRIPTION
INFINITE = -1  # Zeebe's RepeatingInterval.INFINITE: `R/PT1H`

WRONG_TYPE = "Expected result of the expression '{expr}' to be {expected}, but was '{type}'."
BAD_DURATION = "Invalid duration format '{value}' for expression '{expr}'."
BAD_DATE = "Invalid date-time format '{value}' for expression '{expr}'."
BAD_CYCLE = "Invalid time cycle format '{value}' for expression '{expr}'."
BAD_CORRELATION_KEY = (
    "Failed to extract the correlation key for '{expr}': The value must be either a string or "
    "a number, but was '{type}'."
)


@dataclass(frozen=True, slots=True)
class Opening:
    """One subscription to open: its value type, catch event and record fields."""

    value_type: str
    element_id: str
    fields: dict[str, Any]


class Scope:
    """Where expressions are evaluated: an element instance's variables, or none at all (a
    start event of a process, evaluated when the process is deployed)."""

    def __init__(self, state: InstanceState | None, scope_key: int) -> None:
        self.state = state
        self.scope_key = scope_key

    def value(self, expr: Expression) -> Any:
        if self.state is not None:
            return evaluate(expr, self.state, self.scope_key)
        try:
            return to_variable_value(expr.evaluate({}), expr.body)  # dates as ISO text
        except FeelError as error:
            raise EvaluationFailed(str(error)) from None


def opening_for(event: Element, scope: Scope, now: datetime) -> Opening:
    """The subscription `event` opens now (raises EvaluationFailed)."""
    if event.event_type is EventType.TIMER:
        return Opening(TIMER, event.id, timer_fields(event, scope, now))
    if event.event_type is EventType.SIGNAL:
        return Opening(SIGNAL_SUBSCRIPTION, event.id, {"signalName": signal_name(event, scope)})
    name, correlation_key = message_subscription(event, scope)
    return Opening(PMS, event.id, {"messageName": name, "correlationKey": correlation_key,
                                   "interrupting": event.interrupting})


# -- timers -----------------------------------------------------------------------------------
def timer_fields(event: Element, scope: Scope, now: datetime) -> dict[str, Any]:
    """`dueDate` and `repetitions` (1 for a duration or a date; a cycle's count, -1 when
    unbounded); a cycle without a start is first due one interval from now."""
    timer = event.timer
    assert timer is not None
    text = _timer_text(timer.expression, scope, timer.kind)
    if timer.kind == "duration":
        due, repetitions = _duration(text, timer.expression).add_to(now), 1
    elif timer.kind == "date":
        due, repetitions = _date(text, timer.expression), 1
    else:
        cycle = _cycle(text, timer.expression)
        due = cycle.start if cycle.start is not None else cycle.duration.add_to(now)
        repetitions = cycle.repetitions if cycle.repetitions is not None else INFINITE
    return {"dueDate": format_timestamp(due), "repetitions": repetitions,
            "targetElementId": event.id}


def cycle_interval(event: Element, scope: Scope) -> Duration:
    """The interval of a cycle timer, to re-create it after it fired (Zeebe re-reads the
    element's timer definition)."""
    timer = event.timer
    assert timer is not None and timer.kind == "cycle"
    return _cycle(_timer_text(timer.expression, scope, "cycle"), timer.expression).duration


def _timer_text(expr: Expression, scope: Scope, kind: str) -> str:
    value = scope.value(expr)
    if not isinstance(value, str):
        expected = "one of '[DATE_TIME, STRING]'" if kind == "date" else (
            "one of '[DURATION, PERIOD, STRING]'" if kind == "duration" else "'STRING'")
        raise EvaluationFailed(WRONG_TYPE.format(expr=expr.body.strip(), expected=expected,
                                                 type=type_name(value)))
    return value.strip()


def _duration(text: str, expr: Expression) -> Duration:
    try:
        return parse_duration(text)
    except ValueError:
        raise EvaluationFailed(BAD_DURATION.format(value=text, expr=expr.body.strip())) from None


def _date(text: str, expr: Expression) -> datetime:
    try:
        return parse_datetime(text)
    except ValueError:
        raise EvaluationFailed(BAD_DATE.format(value=text, expr=expr.body.strip())) from None


def _cycle(text: str, expr: Expression) -> Cycle:
    try:
        return parse_cycle(text)
    except ValueError:
        raise EvaluationFailed(BAD_CYCLE.format(value=text, expr=expr.body.strip())) from None


# -- messages and signals ---------------------------------------------------------------------
def message_subscription(event: Element, scope: Scope) -> tuple[str, str]:
    """(name, correlation key); Zeebe turns a numeric key into its integer text."""
    message = event.message
    assert message is not None
    name = _string(message.name, scope)
    if message.correlation_key is None:
        return name, ""
    value = scope.value(message.correlation_key)
    if isinstance(value, str):
        return name, value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return name, str(int(value))
    raise EvaluationFailed(BAD_CORRELATION_KEY.format(
        expr=message.correlation_key.body.strip(), type=type_name(value)))


def message_name(event: Element, scope: Scope) -> str:
    assert event.message is not None
    return _string(event.message.name, scope)


def signal_name(event: Element, scope: Scope) -> str:
    assert event.signal_name is not None
    return _string(event.signal_name, scope)


def _string(expr: Expression, scope: Scope) -> str:
    value = scope.value(expr)
    if not isinstance(value, str):
        raise EvaluationFailed(WRONG_TYPE.format(expr=expr.body.strip(), expected="'STRING'",
                                                 type=type_name(value)))
    return value
