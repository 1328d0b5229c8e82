"""The clock `now()` and `today()` read: the engine's simulated clock while it runs a command.

The engine wraps its command processing in `clock(...)`; outside it (a library caller
evaluating an expression directly) the functions read the real UTC time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_SOURCE: ContextVar[Callable[[], datetime] | None] = ContextVar("feel_clock", default=None)


@contextmanager
def clock(now: Callable[[], datetime]) -> Iterator[None]:
    """Within the block, `now()` is `now()` of the caller (read at each evaluation)."""
    token = _SOURCE.set(now)
    try:
        yield
    finally:
        _SOURCE.reset(token)


def current_time() -> datetime:
    """Now, as an aware UTC date-time."""
    source = _SOURCE.get()
    moment = source() if source is not None else datetime.now(UTC)
    return moment.astimezone(UTC)
