"""Testing processes and migrations with engine-sim: BpmnAssert-style assertions over the
public API (`assert_that`, `records`), and the pytest plugin (`engine_sim.testing.pytest_plugin`,
registered as `engine_sim` through the `pytest11` entry point). See docs/python-api.md."""

from engine_sim.testing.assertions import (
    InstanceAssert,
    OperationAssert,
    RecordsAssert,
    assert_that,
    records,
)

__all__ = ["InstanceAssert", "OperationAssert", "RecordsAssert", "assert_that", "records"]
