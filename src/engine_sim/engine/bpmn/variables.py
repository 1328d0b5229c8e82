"""The variable behaviour (Zeebe's `VariableBehavior`): the only code that writes VARIABLE
records."""

from __future__ import annotations

from typing import Any

from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import InstanceState, Variable
from engine_sim.records import Intent, ValueType

VARIABLE = ValueType.VARIABLE


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (Zeebe compares the serialised documents:
    `1`, `1.0` and `true` differ, also inside lists and contexts, where Python's == says equal)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def set_variable(ctx: CommandContext, state: InstanceState, scope_key: int, name: str,
                 value: Any) -> None:
    """Create or update a variable in exactly that scope (no record if unchanged)."""
    scope = state.variables.get(scope_key)
    existing = scope.get(name) if scope else None
    if existing is None:
        ctx.write(state, VARIABLE, Intent.CREATED, ctx.new_key(),
                  name=name, value=value, scopeKey=scope_key)
    elif not same_value(existing.value, value):
        ctx.write(state, VARIABLE, Intent.UPDATED, existing.key,
                  name=name, value=value, scopeKey=scope_key)


def set_local(ctx: CommandContext, state: InstanceState, scope_key: int,
              variables: dict[str, Any]) -> None:
    for name, value in variables.items():
        set_variable(ctx, state, scope_key, name, value)


def merge_variables(ctx: CommandContext, state: InstanceState, scope_key: int,
                    variables: dict[str, Any]) -> None:
    """Zeebe's propagation: each variable goes to the nearest scope that already has it,
    else to the process scope."""
    for name, value in variables.items():
        found = state.lookup(scope_key, name)
        set_variable(ctx, state, found[0] if found else state.key, name, value)


def migrated(ctx: CommandContext, state: InstanceState, scope_key: int, name: str,
             variable: Variable) -> None:
    ctx.write(state, VARIABLE, Intent.MIGRATED, variable.key,
              name=name, value=variable.value, scopeKey=scope_key)
