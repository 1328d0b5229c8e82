"""SpiffWorkflow 3.2's diff + migrate of the same model pair, as the yardstick.

SpiffWorkflow runs its BPMN in Python too. Its service tasks run a script at once, so they
are parsed as manual tasks here: a workflow then waits at `work` as our instances wait for
their job. Three figures, each of N workflows with the same three variables:

- created/s: `BpmnWorkflow(spec)`, the variables, `do_engine_steps()` (waiting at `work`);
- migrated/s, in memory: `diff_workflow` + `migrate_workflow` on each live workflow (the
  library's documented pair of calls; no store). The ratio target compares with this.

Two variants, on the first SAMPLE workflows only (their cost per workflow does not depend on
N, and they would double the run): stored, what migrating a workflow kept at rest costs
(deserialize its JSON, diff, migrate, serialize it again); and in memory with the spec diff
computed once for all (`SpecDiff` once, then `WorkflowDiff` + `migrate_workflow` each).
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import ManualTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, diff_workflow, migrate_workflow
from workload import MODELS, PROCESS_ID, TASK, variables_of

SAMPLE = 5_000


class WaitingServiceTasks(BpmnParser):
    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, Any]] = {
        full_tag("serviceTask"): (TaskParser, ManualTask),
    }


def load_spec(version: int) -> Any:
    parser = WaitingServiceTasks()
    parser.add_bpmn_file(str(MODELS / f"bench-v{version}.bpmn"))
    return parser.get_spec(PROCESS_ID)


def create(spec: Any, n: int) -> list[Any]:
    workflows = []
    for index in range(n):
        workflow = BpmnWorkflow(spec)
        workflow.data.update(variables_of(index))
        workflow.do_engine_steps()
        workflows.append(workflow)
    return workflows


def check_waiting(workflow: Any, spec: Any) -> None:
    ready = [task.task_spec.name for task in workflow.get_tasks(state=TaskState.READY)]
    if set(workflow.spec.task_specs) != set(spec.task_specs) or ready != [TASK]:
        raise RuntimeError(f"SpiffWorkflow: expected a workflow of {spec.name} waiting at {TASK}, "
                           f"found {ready}")


def measure(n: int) -> dict[str, Any]:
    v1, v2 = load_spec(1), load_spec(2)
    serializer = BpmnWorkflowSerializer()
    registry = serializer.registry
    sample = min(n, SAMPLE)
    figures: dict[str, Any] = {"n": n, "sample": sample}

    began = time.perf_counter()
    workflows = create(v1, n)
    figures["create_s"] = time.perf_counter() - began
    check_waiting(workflows[0], v1)
    stored = [serializer.serialize_json(workflow) for workflow in workflows[:sample]]
    figures["state_bytes"] = len(stored[0])

    began = time.perf_counter()
    for workflow in workflows:
        diff, _ = diff_workflow(registry, workflow, v2, {})
        migrate_workflow(diff, workflow, v2)
    figures["migrate_memory_s"] = time.perf_counter() - began
    check_waiting(workflows[-1], v2)
    del workflows

    began = time.perf_counter()
    for index, text in enumerate(stored):
        workflow = serializer.deserialize_json(text)
        diff, _ = diff_workflow(registry, workflow, v2, {})
        migrate_workflow(diff, workflow, v2)
        stored[index] = serializer.serialize_json(workflow)
    figures["migrate_stored_s"] = time.perf_counter() - began
    check_waiting(serializer.deserialize_json(stored[-1]), v2)
    del stored

    workflows = create(v1, sample)
    began = time.perf_counter()
    spec_diff = SpecDiff(registry, v1, v2)
    for workflow in workflows:
        migrate_workflow(WorkflowDiff(workflow, spec_diff), workflow, v2)
    figures["migrate_one_diff_s"] = time.perf_counter() - began
    check_waiting(workflows[-1], v2)
    return figures
