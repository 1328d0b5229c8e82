"""The pytest plugin, run in a throw-away project with `pytester`: fixtures, scenario files as
test items (passing, failing with the FAIL report, invalid as a collection error), the ini
folders, and assertion failures that show the record stream."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

ORDER = Path(__file__).resolve().parents[2] / "scenarios" / "operate" / "bpmn"

MIGRATION_TEST = '''
from engine_sim.testing import assert_that, records

def test_migration(engine, deploy):
    deploy("order-v1.bpmn", "order-v2.bpmn")
    order = engine.create_instance("orderProcess", {"orderId": "o-1"}, version=1)
    engine.migrate_instance(order, process="orderProcess", version=2,
                            mapping={"checkPayment": "checkPayment"})
    assert_that(order).is_active().is_waiting_at("checkPayment").has_passed("orderReceived")
    assert_that(order).was_migrated(to_version=2, mapping={"checkPayment": "checkPayment"})
    records(order).contains_in_order({"value_type": "PROCESS_INSTANCE_MIGRATION",
                                      "intent": "MIGRATED"})
'''

SCENARIO = '''name: {name}
steps:
  - deploy: order-v1.bpmn
  - create: {{process: orderProcess, variables: {{orderId: o-1}}}}
    as: a
  - expect: {{instance: a, active_elements: [{element}]}}
'''


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in-process; without hypothesis's plugin, whose summary re-imports (and
    assertion-rewrites) hundreds of modules in every inner run."""
    return project.runpytest("-p", "no:hypothesispytest", *args)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    for name in ("order-v1.bpmn", "order-v2.bpmn"):
        shutil.copy(ORDER / name, pytester.path / name)
    return pytester


def test_fixtures_run_a_migration_test(project: pytest.Pytester):
    project.makepyfile(test_flow=MIGRATION_TEST)
    run(project, "-q").assert_outcomes(passed=1)


def test_the_same_test_runs_on_sqlite(project: pytest.Pytester):
    project.makepyfile(test_flow=MIGRATION_TEST)
    db = project.path / "engine.db"
    run(project, "-q", f"--engine-store=sqlite:///{db}").assert_outcomes(passed=1)
    assert db.exists()


def test_a_bad_store_url_is_a_usage_error(project: pytest.Pytester):
    result = run(project, "--engine-store=nosuch://x")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--engine-store*"])


def test_a_failing_assertion_shows_the_record_stream(project: pytest.Pytester):
    project.makepyfile(test_wrong='''
from engine_sim.testing import assert_that

def test_wrong(engine, deploy):
    deploy("order-v1.bpmn")
    order = engine.create_instance("orderProcess", {"orderId": "o-1"})
    assert_that(order).is_waiting_at("shipArticles")
''')
    result = run(project, "-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*Expected instance * to be waiting at [[]'shipArticles'], but its active elements are "
        "[[]'checkPayment']",
        "*instance * (last records: *",
        "*PROCESS_INSTANCE ELEMENT_ACTIVATED checkPayment",
    ])


def test_a_scenario_named_on_the_command_line_is_a_test(project: pytest.Pytester):
    project.makefile(".yaml", flow=SCENARIO.format(name="order waits", element="checkPayment"))
    run(project, "-q", "flow.yaml").assert_outcomes(passed=1)


def test_a_failing_scenario_shows_the_fail_report(project: pytest.Pytester):
    project.makefile(".yaml", flow=SCENARIO.format(name="order waits", element="shipArticles"))
    result = run(project, "flow.yaml", "--junitxml=out.xml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "FAIL order waits",
        "  step: flow.yaml:6 (expect)",
        '  expected: {"active_elements": [[]"shipArticles"]}',
        '  found: {"active_elements": [[]"checkPayment"]}',
    ])
    assert "FAIL order waits" in (project.path / "out.xml").read_text()


def test_an_invalid_scenario_is_an_error_naming_file_line_and_field(project: pytest.Pytester):
    project.makefile(".yaml", flow="name: x\nsteps:\n  - deploy: order-v1.bpmn\n"
                                   "  - create: {process: orderProcess, count: zero}\n")
    result = run(project, "flow.yaml")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["INVALID flow.yaml", "flow.yaml, line 4: steps[[]1].create.count: *"])


def test_scenarios_under_the_ini_folders_are_collected_and_other_yaml_left_alone(
        project: pytest.Pytester):
    folder = project.mkdir("flows")
    for name in ("order-v1.bpmn",):
        shutil.copy(project.path / name, folder / name)
    (folder / "waits.yaml").write_text(SCENARIO.format(name="waits", element="checkPayment"))
    (folder / "config.yaml").write_text("not: a scenario\n")
    (project.path / "other.yaml").write_text(SCENARIO.format(name="outside", element="x"))
    project.makeini("[pytest]\nengine_sim_scenarios = flows\n")
    result = run(project, "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*flows/waits.yaml::waits PASSED*"])


def test_the_default_folder_is_scenarios_and_applies_only_when_collected(
        project: pytest.Pytester):
    folder = project.mkdir("scenarios")
    shutil.copy(project.path / "order-v1.bpmn", folder / "order-v1.bpmn")
    (folder / "waits.yaml").write_text(SCENARIO.format(name="waits", element="checkPayment"))
    project.makepyfile(test_flow=MIGRATION_TEST)
    project.makeini("[pytest]\ntestpaths = test_flow.py\n")
    run(project, "-q").assert_outcomes(passed=1)  # testpaths: only the Python test
    run(project, "-q", "scenarios").assert_outcomes(passed=1)  # the folder, asked for


def test_operation_assertions(project: pytest.Pytester):
    project.makepyfile(test_operation='''
import pytest
from engine_sim.testing import assert_that

def test_batch(engine, deploy):
    deploy("order-v1.bpmn", "order-v2.bpmn")
    a, b, paid = (engine.create_instance("orderProcess", {"orderId": "o"}, version=1)
                  for _ in range(3))
    engine.complete_job(paid, "checkPayment", {"paid": True})
    op = engine.migrate([a, b, paid], process="orderProcess", version=2,
                        mapping={"checkPayment": "checkPayment"})
    assert_that(op).is_completed().completed(2).failed(1, reason="no mapping instruction")
    with pytest.raises(AssertionError, match="Expected 3 completed items"):
        assert_that(op).completed(3)
''')
    run(project, "-q").assert_outcomes(passed=1)
