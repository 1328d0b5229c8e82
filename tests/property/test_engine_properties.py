"""Property tests of the engine core on random acyclic process graphs.

A model is start -> a random block -> end, where a block is a service task, a manual task, a
sequence of blocks, an embedded subprocess around a block, or a well-formed fork/join pair of
parallel, exclusive or inclusive gateways around 2-3 branches (a branch may be empty: a flow
straight from the fork to the join). Gateway conditions read variables drawn with the model.

Running an instance by working its open jobs in a random order (completing them, sometimes
failing one to an incident and resolving it, sometimes setting a variable first) must:
- finish it: COMPLETED, no element instance, no job, no incident, only process variables left;
- activate exactly the elements on the paths the variables choose, each once;
- after every command, leave the live state equal to the state rebuilt from the stored events;
- write records that msgspec encodes and decodes losslessly (JSON, and the store's MessagePack).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import msgspec
from bpmn_builders import flow, process, task
from core_support import assert_rebuilds
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine, Outcome
from engine_sim.persistence import MsgspecTranscoder

Node = tuple[Any, ...]
Plan = Callable[[dict[str, Any]], set[str]]  # the variables -> the element ids that must run

leaves = st.sampled_from([("task",), ("task",), ("manual",)])


def _blocks(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    branches = st.lists(st.one_of(children, st.just(("empty",))), min_size=2, max_size=3)
    return st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda xs: ("seq", xs)),
        branches.map(lambda xs: ("parallel", xs)),
        branches.map(lambda xs: ("exclusive", xs)),
        branches.map(lambda xs: ("inclusive", xs)),
        children.map(lambda child: ("sub", child)),
    )


trees = st.recursive(leaves, _blocks, max_leaves=7)


@dataclass
class Gateway:
    kind: str  # exclusive | inclusive
    id: str
    branches: int

    @property
    def has_default(self) -> bool:
        """Exclusive gateways have one (branch 0); inclusive ones only with three branches, so
        that a two-branch inclusive gateway often takes both."""
        return self.kind == "exclusive" or self.branches == 3

    def conditional(self, index: int) -> bool:
        return self.kind != "parallel" and (index > 0 or not self.has_default)


@dataclass
class ModelBuilder:
    """Turns a tree into BPMN: every element and flow of a scope goes into that scope's XML."""

    ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    gateways: list[Gateway] = field(default_factory=list)
    tasks: int = 0

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self.ids)}"

    def build(self, node: Node, out: list[str]) -> tuple[str, str, Plan] | None:
        """Append the node's elements and flows to `out`; its entry and exit ids and its plan
        (which of its elements run, given the variables); None for an empty branch."""
        kind = node[0]
        if kind == "empty":
            return None
        if kind in ("task", "manual"):
            element = self.new_id(kind)
            if kind == "task":
                self.tasks += 1
                out.append(task(element, "work"))
            else:
                out.append(f'<bpmn:manualTask id="{element}"/>')
            return element, element, lambda variables: {element}
        if kind == "seq":
            parts = [p for p in (self.build(child, out) for child in node[1]) if p is not None]
            for (_, exit_, _), (entry, _, _) in pairwise(parts):
                out.append(flow(self.new_id("f"), exit_, entry))
            return parts[0][0], parts[-1][1], lambda v: set().union(*(p[2](v) for p in parts))
        if kind == "sub":
            sub = self.new_id("sub")
            inner: list[str] = []
            start, end = self.new_id("subStart"), self.new_id("subEnd")
            inner += [f'<bpmn:startEvent id="{start}"/>', f'<bpmn:endEvent id="{end}"/>']
            part = self.build(node[1], inner)
            self.connect(start, part, end, inner)
            out.append(f'<bpmn:subProcess id="{sub}">{"".join(inner)}</bpmn:subProcess>')
            return sub, sub, lambda v: {sub, start, end} | _run(part, v)
        return self.fork_join(kind, node[1], out)

    def connect(self, source: str, part: tuple[str, str, Plan] | None, target: str,
                out: list[str], condition: str | None = None, flow_id: str | None = None) -> None:
        first = flow_id or self.new_id("f")
        if part is None:
            out.append(flow(first, source, target, condition))
            return
        out.append(flow(first, source, part[0], condition))
        out.append(flow(self.new_id("f"), part[1], target))

    def fork_join(self, kind: str, branches: list[Node], out: list[str]) -> tuple[str, str, Plan]:
        tag = {"parallel": "parallelGateway", "exclusive": "exclusiveGateway",
               "inclusive": "inclusiveGateway"}[kind]
        fork, join = self.new_id("fork"), self.new_id("join")
        flow_ids = [self.new_id("f") for _ in branches]
        gateway = Gateway(kind, fork, len(branches))
        default = f' default="{flow_ids[0]}"' if kind != "parallel" and gateway.has_default else ""
        out.append(f'<bpmn:{tag} id="{fork}"{default}/>')
        out.append(f'<bpmn:{tag} id="{join}"/>')
        if kind != "parallel":
            self.gateways.append(gateway)
        parts = []
        for index, (branch, flow_id) in enumerate(zip(branches, flow_ids, strict=True)):
            condition = None
            if kind == "exclusive" and index > 0:
                condition = f"={fork} = {index}"
            elif gateway.conditional(index):
                condition = f"={fork}_{index}"
            parts.append(self.build(branch, out))
            self.connect(fork, parts[-1], join, out, condition, flow_id)

        def plan(variables: dict[str, Any]) -> set[str]:
            taken = range(len(parts))
            if kind == "exclusive":
                taken = range(variables[fork], variables[fork] + 1)
            elif kind == "inclusive":
                true = [i for i in range(len(parts))
                        if gateway.conditional(i) and variables[f"{fork}_{i}"]]
                taken = true or [0]  # type: ignore[assignment]
            return {fork, join}.union(*(_run(parts[i], variables) for i in taken))

        return fork, join, plan


def _run(part: tuple[str, str, Plan] | None, variables: dict[str, Any]) -> set[str]:
    return set() if part is None else part[2](variables)


def model_of(tree: Node) -> tuple[bytes, ModelBuilder, Plan]:
    builder = ModelBuilder()
    body: list[str] = ['<bpmn:startEvent id="start"/>', '<bpmn:endEvent id="end"/>']
    part = builder.build(tree, body)
    builder.connect("start", part, "end", body)
    return process("\n".join(body)), builder, lambda v: {"p", "start", "end"} | _run(part, v)


def choices(gateway: Gateway) -> st.SearchStrategy[dict[str, Any]]:
    """Variables deciding a gateway: an exclusive takes branch `n` (0, the default, when no
    condition holds); an inclusive takes every true condition, else its default (without a
    default, at least one condition is true)."""
    if gateway.kind == "exclusive":
        return st.integers(0, gateway.branches - 1).map(lambda n: {gateway.id: n})
    indexes = [i for i in range(gateway.branches) if gateway.conditional(i)]
    flags = st.lists(st.booleans(), min_size=len(indexes), max_size=len(indexes))
    if not gateway.has_default:
        flags = flags.filter(any)
    return flags.map(lambda fs: {f"{gateway.id}_{i}": f for i, f in zip(indexes, fs, strict=True)})


JSON_ENCODER, JSON_DECODER = msgspec.json.Encoder(), msgspec.json.Decoder()
TRANSCODER = MsgspecTranscoder()


def check(engine: Engine, key: int, outcome: Outcome, activated: Counter[str]) -> None:
    """The command was accepted, its records round-trip, and the store rebuilds the state."""
    assert outcome.rejection is None, outcome.rejection
    activated.update(r["elementId"] for r in outcome.records
                     if r["valueType"] == "PROCESS_INSTANCE" and r["intent"] == "ELEMENT_ACTIVATED")
    for record in outcome.records:
        assert JSON_DECODER.decode(JSON_ENCODER.encode(record)) == record
        assert TRANSCODER.decode(TRANSCODER.encode(record)) == record
    assert_rebuilds(engine, key)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees, data=st.data())
def test_random_acyclic_models_run_to_completion_and_rebuild_after_every_step(
        tree: Node, data: st.DataObject) -> None:
    xml, builder, plan = model_of(tree)
    variables: dict[str, Any] = {"seed": "v"}
    for gateway in builder.gateways:
        variables.update(data.draw(choices(gateway), label=gateway.id))
    engine = Engine()
    assert engine.deploy(xml, "random.bpmn").rejection is None
    created = commands.create_instance(engine, "p", None, variables)
    key = created.result
    activated: Counter[str] = Counter()
    check(engine, key, created, activated)

    for _ in range(4 * builder.tasks + 1):
        state = engine.instance(key)
        assert state is not None
        if not state.is_running:
            break
        jobs = sorted(state.jobs.values(), key=lambda job: job.key)
        assert jobs, f"a running instance with no open job is stuck at {state.active_element_ids()}"
        job = data.draw(st.sampled_from(jobs), label="job")
        action = data.draw(st.sampled_from(["complete", "complete", "complete", "fail", "set"]),
                           label="action")
        if action == "fail":
            check(engine, key, commands.fail_job(engine, key, job.element_id, 0, "boom"), activated)
            check(engine, key, commands.resolve_incident(engine, key, job.element_id, 1), activated)
        elif action == "set":
            note = commands.set_variables(engine, key, {"note": job.key}, job.element_id)
            check(engine, key, note, activated)
        check(engine, key, commands.complete_job(engine, key, job.element_id, {"seen": job.key}),
              activated)

    state = engine.instance(key)
    assert state is not None
    assert state.lifecycle == "COMPLETED", state.active_element_ids()
    assert (state.elements, state.jobs, state.incidents, state.user_tasks) == ({}, {}, {}, {})
    assert set(state.variables) <= {key}
    assert state.process_variables()["seed"] == "v"
    # exactly the elements on the chosen paths ran, each once (a join activates once)
    assert activated == Counter(plan(variables))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees, data=st.data())
def test_cancel_at_any_point_terminates_every_element(tree: Node, data: st.DataObject) -> None:
    xml, builder, _ = model_of(tree)
    variables: dict[str, Any] = {}
    for gateway in builder.gateways:
        variables.update(data.draw(choices(gateway), label=gateway.id))
    engine = Engine()
    engine.deploy(xml, "random.bpmn")
    created = commands.create_instance(engine, "p", None, variables)
    key, activated = created.result, Counter[str]()
    check(engine, key, created, activated)
    for _ in range(data.draw(st.integers(0, builder.tasks), label="completions")):
        state = engine.instance(key)
        assert state is not None
        jobs = sorted((j for j in state.jobs.values() if j.state == "ACTIVATABLE"),
                      key=lambda j: j.key)
        if not jobs:
            break
        job = data.draw(st.sampled_from(jobs), label="job")
        if data.draw(st.booleans(), label="incident first"):
            check(engine, key, commands.fail_job(engine, key, job.element_id, 0, None), activated)
        else:
            check(engine, key, commands.complete_job(engine, key, job.element_id, {}), activated)
    state = engine.instance(key)
    assert state is not None
    if not state.is_running:
        return
    open_before = {ei.key for ei in state.elements.values()}

    outcome = commands.cancel_instance(engine, key)

    check(engine, key, outcome, activated)
    terminated = [r["key"] for r in outcome.records if r["intent"] == "ELEMENT_TERMINATED"]
    assert sorted(terminated) == sorted(open_before)
    assert terminated[-1] == key  # the process instance last, after all its children
    assert (state.lifecycle, state.elements, state.jobs, state.incidents) == (
        "TERMINATED", {}, {}, {})
