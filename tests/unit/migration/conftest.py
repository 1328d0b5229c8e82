"""Fixtures for migration tests: a fresh engine, deploying inline BPMN, starting instances."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine


@pytest.fixture
def engine() -> Engine:
    return Engine()


@pytest.fixture
def deploy(engine: Engine) -> Callable[[bytes], int]:
    """Deploy XML; return the key of its (first) process definition."""
    counter = iter(range(1000))

    def run(xml: bytes) -> int:
        outcome = engine.deploy(xml, f"resource-{next(counter)}.bpmn")
        assert outcome.rejection is None, outcome.rejection
        return outcome.result[0].key

    return run


@pytest.fixture
def start(engine: Engine) -> Callable[..., int]:
    def run(process_id: str, version: int | None = None, **variables: object) -> int:
        outcome = commands.create_instance(engine, process_id, version, dict(variables))
        assert outcome.rejection is None, outcome.rejection
        return outcome.result

    return run
