"""`duration`: temporal values stay ISO-8601 text in our subset."""

from engine_sim.feel import compile_expression


def test_duration_keeps_valid_iso_text():
    assert compile_expression('=duration("PT5M")').evaluate({}) == "PT5M"
    assert compile_expression("=duration(d)").evaluate({"d": "P1DT2H"}) == "P1DT2H"


def test_invalid_duration_text_is_null():
    assert compile_expression('=duration("five minutes")').evaluate({}) is None
    assert compile_expression("=duration(3)").evaluate({}) is None
