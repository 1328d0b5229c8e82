"""`Builtin`, one entry of the function table, and helpers shared by the function modules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Builtin:
    """A builtin: its arity bounds (`max_args` None for varargs) and implementation."""

    name: str
    min_args: int
    max_args: int | None
    impl: Callable[[Sequence[Any]], Any]
    counts: tuple[int, ...] = ()  # the argument counts allowed, when not every one in range is

    def arity_error(self, count: int) -> str | None:
        """The compile-time error reason when called with `count` arguments, else None."""
        if self.counts:
            if count in self.counts:
                return None
            expected = " or ".join(str(n) for n in self.counts)
            return f"function '{self.name}' expects {expected} arguments but got {count}"
        if count >= self.min_args and (self.max_args is None or count <= self.max_args):
            return None
        if self.max_args is None:
            expected = f"at least {self.min_args}"
        elif self.min_args == self.max_args:
            expected = str(self.min_args)
        else:
            expected = f"{self.min_args} to {self.max_args}"
        plural = "" if expected in ("1", "at least 1") else "s"
        return f"function '{self.name}' expects {expected} argument{plural} but got {count}"


def on_string(fn: Callable[[str], Any]) -> Callable[[Sequence[Any]], Any]:
    """A one-argument function of a string; null for anything else."""

    def impl(args: Sequence[Any]) -> Any:
        return fn(args[0]) if type(args[0]) is str else None

    return impl


def on_strings(fn: Callable[[str, str], Any]) -> Callable[[Sequence[Any]], Any]:
    """A two-argument function of strings; null for anything else."""

    def impl(args: Sequence[Any]) -> Any:
        a, b = args
        return fn(a, b) if type(a) is str and type(b) is str else None

    return impl
