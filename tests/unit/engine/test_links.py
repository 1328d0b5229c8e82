"""Link events: a link throw event goes on at the link catch event of its name in its scope
(no sequence flow between them); migration treats them like any flow node, since an
instance never waits on one."""

from __future__ import annotations

from bpmn_builders import catch, chain, end, flow, link_def, process, start, task, throw
from events_support import Given, lifecycle, passes, trace

from engine_sim.engine import commands
from migration import migrate_instance
from migration.plan import MigrationPlan


def linked(first: str = "a", second: str = "b", name: str = "L") -> bytes:
    """start -> a -> throw L ... catch L -> b -> end."""
    return process(start(), task(first), throw("go", link_def(name)),
                   catch("at", link_def(name)), task(second),
                   end(), chain("start", first, "go"), chain("at", second, "end"))


def test_a_link_throw_activates_its_catch_without_a_sequence_flow() -> None:
    given = Given(linked())
    given.create()

    completed = given.complete_job("a")

    lines = trace(completed)
    start_at = lines.index("SEQUENCE_FLOW_TAKEN a_go")
    assert lines[start_at:start_at + 11] == [
        "SEQUENCE_FLOW_TAKEN a_go", *passes("go"), *passes("at"), "SEQUENCE_FLOW_TAKEN at_b",
        "ELEMENT_ACTIVATING b"]
    events = {r["elementId"]: r["bpmnEventType"] for r in completed.records
              if r["valueType"] == "PROCESS_INSTANCE" and r["elementId"] in ("go", "at")}
    assert events == {"go": "LINK", "at": "LINK"}
    assert given.active() == ["b"]


def test_links_in_a_subprocess_and_a_loop_back() -> None:
    # in a subprocess: a -> gateway -> throw "again" ... catch "again" -> a closes a loop; the
    # gateway leaves it once count reaches 2
    gateway = ('<bpmn:exclusiveGateway id="gw" default="gw_end"/>'
               + flow("gw_go", "gw", "go", "=count < 2") + flow("gw_end", "gw", "end"))
    sub = ('<bpmn:subProcess id="sub">' + start("ss") + catch("at", link_def("again"))
           + task("a") + throw("go", link_def("again")) + gateway + end()
           + chain("ss", "a", "gw") + chain("at", "a")
           + "</bpmn:subProcess>")
    given = Given(process(start(), sub, end("done"), chain("start", "sub", "done")))
    given.create(count=1)

    given.complete_job("a")
    assert given.active() == ["a"]  # looped back through the link
    commands.set_variables(given.engine, given.key, {"count": 2})
    finished = given.complete_job("a")

    assert trace(finished)[-2:] == lifecycle("p", "COMPLETING", "COMPLETED")


def test_an_instance_migrates_across_link_events_like_any_flow_node() -> None:
    given = Given(linked(), linked(second="c", name="M"))
    given.create()
    target = given.engine.catalog.latest("p").key

    outcome = migrate_instance(given.engine, given.key, MigrationPlan.of(target, (), True))
    assert outcome.rejection is None, outcome.rejection
    given.complete_job("a")

    assert given.active() == ["c"]  # on through the target's link "M"
    assert given.state.version == 2
