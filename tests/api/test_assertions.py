"""The assertions' failure messages: what was expected, what was found, and the records."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine_sim import Engine, ProcessInstance
from engine_sim.testing import assert_that, records

ORDER = Path(__file__).resolve().parents[2] / "scenarios" / "operate" / "bpmn"


@pytest.fixture
def order(engine: Engine) -> ProcessInstance:
    engine.deploy(ORDER / "order-v1.bpmn", ORDER / "order-v2.bpmn")
    return engine.create_instance("orderProcess", {"orderId": "o-1"}, version=1)


def failure(check) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(AssertionError) as failed:
        check()
    return str(failed.value)


def test_a_missing_variable_shows_the_variables_and_their_records(order):
    message = failure(lambda: assert_that(order).has_variable("paid", True))
    assert message.splitlines()[0] == (
        f"Expected instance {order.key} to have variable 'paid', but its variables are "
        "{'orderId': 'o-1'}")
    assert "VARIABLE CREATED (name='orderId', value='o-1')" in message


def test_true_is_not_one(engine, order):
    engine.complete_job(order, "checkPayment", {"paid": 1})
    assert "to be True, but it is 1" in failure(lambda: assert_that(order).has_variable("paid", True))
    assert_that(order).has_variable("paid", 1).has_passed("checkPayment")


def test_an_instance_never_migrated(order):
    message = failure(lambda: assert_that(order).was_migrated(to_version=2))
    assert message.startswith(f"Expected instance {order.key} to have been migrated, but it never was")


def test_a_migration_elsewhere_names_what_differs(engine, order):
    engine.migrate_instance(order, process="orderProcess", version=2, auto_map=True)
    message = failure(lambda: assert_that(order).was_migrated(
        to_version=3, mapping={"checkPayment": "shipArticles"}))
    assert "to version 3, but it went to 2" in message
    assert "with the mapping {'checkPayment': 'shipArticles'}, but it applied" in message
    assert "PROCESS_INSTANCE_MIGRATION MIGRATED" in message


def test_records_in_the_wrong_order_name_the_partial_record_not_found(order):
    stream = records(order)
    stream.contains_in_order({"intent": "ELEMENT_ACTIVATED", "element_id": "checkPayment"})
    message = failure(lambda: stream.contains_in_order(
        {"valueType": "JOB", "intent": "CREATED"},
        {"intent": "ELEMENT_ACTIVATED", "elementId": "orderReceived"}))
    assert message.splitlines()[0] == (
        "Expected a record matching {'intent': 'ELEMENT_ACTIVATED', 'elementId': "
        "'orderReceived'} after the record matching {'valueType': 'JOB', 'intent': 'CREATED'} "
        "(partial record 2 of 2), but none was found")
    assert "PROCESS_INSTANCE ELEMENT_ACTIVATED orderReceived" in message


def test_does_not_contain_shows_the_record_found(order):
    message = failure(lambda: records(order).does_not_contain(value_type="JOB"))
    assert "but found #15 JOB CREATED checkPayment (type='check-payment')" in message
    assert "(records of interest: 1 of 12 in the stream)" in message


def test_assert_that_refuses_what_it_cannot_check():
    with pytest.raises(TypeError, match="ProcessInstance or an Operation"):
        assert_that(42)  # type: ignore[call-overload]
