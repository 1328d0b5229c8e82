"""Property tests of MigrateProcessInstance on random models, instances and plans.

- a migration either succeeds or leaves the instance's stored stream byte-identical;
- a successful one keeps every key and variable;
- migrating A -> B and back B -> A with the inverse mapping restores every element id;
- a migrated instance can be driven to completion on its target.
"""

from __future__ import annotations

from bpmn_builders import flow, process, task, user_task
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine_sim.engine import commands
from engine_sim.engine.aggregates import instance_id
from engine_sim.engine.engine import Engine
from migration import MigrationPlan, migrate_instance

POOL = [f"t{i}" for i in range(6)]
KINDS = ("service", "user", "managed")


def _task(element_id: str, kind: str) -> str:
    if kind == "service":
        return task(element_id)
    return user_task(element_id, managed=kind == "managed")


def model_xml(branches: list[list[tuple[str, str]]]) -> bytes:
    """start -> fork -> one chain of tasks per branch -> join -> end (no gateways for one branch)."""
    nodes = ['<bpmn:startEvent id="start"/>', '<bpmn:endEvent id="end"/>']
    flows = []

    def link(source: str, target: str) -> None:
        flows.append(flow(f"{source}_to_{target}", source, target))

    parallel = len(branches) > 1
    entry, exit_ = ("fork", "join") if parallel else ("start", "end")
    if parallel:
        nodes += ['<bpmn:parallelGateway id="fork"/>', '<bpmn:parallelGateway id="join"/>']
        link("start", "fork")
        link("join", "end")
    for branch in branches:
        previous = entry
        for element_id, kind in branch:
            nodes.append(_task(element_id, kind))
            link(previous, element_id)
            previous = element_id
        link(previous, exit_)
    return process(*nodes, *flows)


@st.composite
def models(draw):
    ids = draw(st.permutations(POOL))
    sizes = draw(st.lists(st.integers(1, 2), min_size=1, max_size=2))
    branches, used = [], 0
    for size in sizes:
        branches.append([(ids[used + i], draw(st.sampled_from(KINDS))) for i in range(size)])
        used += size
    return branches


def drive_one_step(engine: Engine, key: int) -> bool:
    """Complete the oldest open work item of the instance; False when there is none."""
    state = engine.instance(key)
    if state.jobs:
        job = min(state.jobs.values(), key=lambda j: j.key)
        commands.complete_job(engine, key, job.element_id, {"done": job.element_id})
        return True
    if state.user_tasks:
        task = min(state.user_tasks.values(), key=lambda t: t.key)
        commands.complete_user_task(engine, key, task.element_id)
        return True
    return False


def stored(engine: Engine, key: int) -> list[bytes]:
    return [e.state for e in engine.app.recorder.select_events(instance_id(key))]


def snapshot(engine: Engine, key: int):
    state = engine.instance(key)
    return (
        {k: ei.element_id for k, ei in state.elements.items()},
        set(state.jobs),
        {(scope, name, v.key, repr(v.value)) for scope, names in state.variables.items() for name, v in names.items()},
    )


@st.composite
def variants(draw, source):
    """A target close to the source: tasks kept, renamed, retyped or followed by a new one."""
    branches = []
    for branch in source:
        new = []
        for element_id, kind in branch:
            change = draw(st.sampled_from(["keep", "keep", "rename", "retype", "append"]))
            if change == "rename":
                new.append((f"{element_id}_v2", kind))
            elif change == "retype":
                new.append((element_id, draw(st.sampled_from(KINDS))))
            else:
                new.append((element_id, kind))
            if change == "append":
                new.append((f"{element_id}_next", "service"))
        branches.append(new)
    return branches


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=models(), steps=st.integers(0, 2), data=st.data())
def test_migration_is_all_or_nothing_and_keeps_keys(source, steps, data):
    target = data.draw(variants(source))
    engine = Engine()
    engine.deploy(model_xml(source), "a.bpmn")
    target_key = engine.deploy(model_xml(target), "b.bpmn").result[0].key
    key = commands.create_instance(engine, "p", 1, {"order": 1}).result
    for _ in range(steps):
        drive_one_step(engine, key)
    source_ids = [e for branch in source for e, _ in branch]
    target_ids = [e for branch in target for e, _ in branch] + ["join", "end"]
    likely = [(e, f"{e}_v2") for e in source_ids] + [(e, e) for e in source_ids]
    pairs = data.draw(st.lists(
        st.one_of(st.sampled_from(likely),
                  st.tuples(st.sampled_from(source_ids + ["nope"]), st.sampled_from(target_ids))),
        max_size=4))
    auto_map = data.draw(st.sampled_from([True, True, True, False]))
    before_stream, before = stored(engine, key), snapshot(engine, key)
    running = engine.instance(key).is_running
    outcome = migrate_instance(engine, key, MigrationPlan.of(target_key, pairs, auto_map))
    event("rejected" if outcome.rejection is not None else "accepted")
    if outcome.rejection is not None:
        assert stored(engine, key) == before_stream
        assert snapshot(engine, key) == before
        return
    assert running
    elements, jobs, variables = snapshot(engine, key)
    assert set(elements) == set(before[0]) and jobs == before[1] and variables == before[2]
    state = engine.instance(key)
    assert state.definition_key == target_key
    # the migrated instance runs to completion on the target, unless the mapping moved a
    # token so that a branch delivers no token or two to the parallel join (tokens merged
    # into one element, or moved into a branch that holds one or already reached the join):
    # the join then waits for a flow no token takes, as Zeebe's does
    leaves = [ei.element_id for ei in state.leaves()]
    taken = {flow_id for flows in state.elements[state.key].joins.values() for flow_id, _ in flows}
    if not _each_branch_delivers_one_token(target, leaves, taken):
        event("a branch delivers no token or two to the join")
        return
    for _ in range(20):
        if not drive_one_step(engine, key):
            break
    assert engine.instance(key).lifecycle == "COMPLETED"


def _each_branch_delivers_one_token(branches: list[list[tuple[str, str]]], leaves: list[str],
                                    taken: set[str]) -> bool:
    """A parallel join activates once each incoming flow is taken: each branch must hold
    exactly one token, or none if its flow into the join is already taken."""
    if len(branches) < 2:
        return True
    for branch in branches:
        ids = {element_id for element_id, _ in branch}
        tokens = sum(leaf in ids for leaf in leaves) + (f"{branch[-1][0]}_to_join" in taken)
        if tokens != 1:
            return False
    return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=models(), data=st.data())
def test_there_and_back_restores_every_element_id(source, data):
    engine = Engine()
    source_key = engine.deploy(model_xml(source), "a.bpmn").result[0].key
    # the target renames every task: x -> x_v2, keeping kinds and structure
    renamed = [[(f"{e}_v2", kind) for e, kind in branch] for branch in source]
    target_key = engine.deploy(model_xml(renamed), "b.bpmn").result[0].key
    key = commands.create_instance(engine, "p", 1).result
    for _ in range(data.draw(st.integers(0, 2))):
        drive_one_step(engine, key)
    if not engine.instance(key).is_running:
        return
    ids_before = snapshot(engine, key)[0]
    forward = [(e, f"{e}_v2") for branch in source for e, _ in branch]
    joins = [("join", "join")] if len(source) > 1 else []
    flows = [(f"{b[-1][0]}_to_join", f"{b[-1][0]}_v2_to_join") for b in source] if joins else []
    outcome = migrate_instance(engine, key, MigrationPlan.of(target_key, forward + joins + flows))
    assert outcome.rejection is None, outcome.rejection
    back = [(t, s) for s, t in forward + joins + flows]
    outcome = migrate_instance(engine, key, MigrationPlan.of(source_key, back))
    assert outcome.rejection is None, outcome.rejection
    assert snapshot(engine, key)[0] == ids_before
