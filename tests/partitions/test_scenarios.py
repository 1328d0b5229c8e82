"""The scenarios of `scenarios/` on a 4-partition PostgreSQL store: each one replayed whole,
expectations included, passes, and every instance it creates writes the same records as on
one partition, up to keys, positions and partition ids.

Each scenario is replayed by the runner behind `engine-sim replay` (in this process, one
scenario after the other on one database: the runner empties the store before each) and on
`memory:`. Instances spread round robin, so most of them live on partitions 2-4.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from engine_sim.cli.replay import EXIT_BUSY, EXIT_FAILED, EXIT_OK, replay, strip_marker
from engine_sim.engine import partition_of
from engine_sim.partitions import Cluster
from engine_sim.persistence import parse_store_url
from engine_sim.persistence.lease import writer_lease
from engine_sim.records import Intent, ValueType
from engine_sim.scenarios.doc_steps import Create
from engine_sim.scenarios.document import load_scenario
from engine_sim.scenarios.runner import ScenarioRun

ROOT = Path(__file__).parents[2]
SCENARIOS = sorted(ROOT.joinpath("scenarios").rglob("*.yaml"))
# why a scenario's records differ on 4 partitions, by design (docs/scaling.md): none now
DIFFERENT: dict[str, str] = {}


KEY = re.compile(r"\d{16,}")  # a key in a text (a rejection's reason names the job's)


def normalised(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records up to keys and positions: every key, as a value or in a text, becomes the
    order it first appeared in."""
    seen: dict[int, int] = {}

    def key(value: int) -> str:
        return f"key{seen.setdefault(value, len(seen))}"

    def norm(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1 << 51:
            return key(value)
        if isinstance(value, str):
            return KEY.sub(lambda m: key(int(m[0])) if int(m[0]) >= 1 << 51 else m[0], value)
        return value
    return [{k: norm(v) for k, v in r.items() if k != "position"} for r in records]


def exchanged(record: dict[str, Any]) -> bool:
    """A record of the message exchange between partitions, which names the instance but is
    written on partitioned stores only (docs/scaling.md): the message partition's copy of a
    subscription, and the acknowledgements of one's registration (or their rejection, when
    a correlation came first and made them moot)."""
    return record["valueType"] == ValueType.MESSAGE_SUBSCRIPTION or (
        record["valueType"] == ValueType.PROCESS_MESSAGE_SUBSCRIPTION
        and record["intent"] in (Intent.ACKNOWLEDGE, Intent.ACKNOWLEDGED))


def replayed(url: str, path: Path) -> tuple[Any, list[int], list[list[dict[str, Any]]]]:
    """The scenario's result, the instances it created (in the order they were created) and
    each one's record stream."""
    run = ScenarioRun(load_scenario(path), parse_store_url(url))
    try:
        result = run.run()
        created = [r["processInstanceKey"] for r in run.records()
                   if r["valueType"] == ValueType.PROCESS_INSTANCE_CREATION
                   and r["intent"] == "CREATED"]
        return result, created, [normalised([r for r in run.records(key) if not exchanged(r)])
                                 for key in created]
    finally:
        run.close()


@pytest.fixture(scope="module")
def url(module_database_url: str) -> str:
    return module_database_url + "?partitions=4"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_scenario_passes_whole_on_4_partitions_with_the_same_records_per_instance(
        path: Path, url: str) -> None:
    result, created, spread = replayed(url, path)
    assert result.passed, result.message
    assert result.partition_logs is not None and len(result.partition_logs) == 4
    if path.stem in DIFFERENT:
        pytest.skip(DIFFERENT[path.stem])
    alone_result, _, alone = replayed("memory:", path)

    assert alone_result.passed
    assert spread == alone
    made = sum(s.command.count for s in load_scenario(path).steps if isinstance(s.command, Create))
    if made > 1:  # (timer and signal start events start theirs on partition 1)
        assert len({partition_of(k) for k in created}) > 1


def records_file(paths: list[Path], url: str, tmp_path: Path, name: str) -> list[bytes]:
    out, records = io.StringIO(), tmp_path / name
    assert replay([str(p) for p in paths], parse_store_url(url), str(records), out) == EXIT_OK
    assert out.getvalue().endswith(f"{len(paths)} passed, 0 failed, 0 invalid\n")
    return records.read_bytes().splitlines()


def test_replay_records_on_4_partitions_name_each_line_s_partition(
        url: str, tmp_path: Path) -> None:
    paths = [ROOT / "scenarios" / "operate" / "seed-example.yaml",
             ROOT / "scenarios" / "events" / "message-start.yaml"]
    spread = records_file(paths, url, tmp_path, "spread.jsonl")
    alone = records_file(paths, "memory:", tmp_path, "alone.jsonl")

    lines = [json.loads(line) for line in spread]
    assert all(list(line)[:2] == ["scenario", "partitionId"] for line in lines)
    for scenario in {line["scenario"] for line in lines}:  # partition by partition
        partitions = [line["partitionId"] for line in lines if line["scenario"] == scenario]
        assert partitions == sorted(partitions) and set(partitions) == {1, 2, 3, 4}
    # without the partition, each line is a record as the engine wrote it: one partition's
    # lines carry no partitionId, and the deployment is the same on partition 1
    unmarked = [json.loads(strip_marker(line)) for line in spread]
    assert [r["partitionId"] for r in unmarked] == [line["partitionId"] for line in lines]
    assert all("partitionId" not in json.loads(strip_marker(line)) for line in alone)
    first = {k: v for k, v in unmarked[0].items() if k != "partitionId"}
    assert first == json.loads(strip_marker(alone[0]))


FAILING = """name: a wrong expectation
steps:
  - deploy: order-v1.bpmn
  - create: {process: orderProcess}
    as: [a]
  - create: {process: orderProcess}
    as: [b]
  - expect: {instance: b, state: COMPLETED}
"""


@pytest.mark.parametrize("store", ["memory:", "4 partitions"])
def test_a_failing_expectation_is_a_FAIL_with_exit_1_on_any_store(
        store: str, url: str, tmp_path: Path) -> None:
    shutil.copy(ROOT / "scenarios" / "operate" / "bpmn" / "order-v1.bpmn", tmp_path)
    (tmp_path / "wrong.yaml").write_text(FAILING)
    out = io.StringIO()

    status = replay([str(tmp_path / "wrong.yaml")], parse_store_url(
        url if store == "4 partitions" else store), None, out)

    assert status == EXIT_FAILED
    assert out.getvalue().splitlines() == [
        "FAIL a wrong expectation",
        f"  step: {tmp_path / 'wrong.yaml'}:8 (expect)",
        '  expected: {"state": "COMPLETED"}',
        '  found: {"state": "ACTIVE"}',
        "0 passed, 1 failed, 0 invalid",
    ]


def test_replay_refuses_a_store_whose_partition_another_writer_holds(
        url: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = parse_store_url(url)
    Cluster(store).close()  # the store, with its 4 partitions
    lease = writer_lease(store.of_partition(3))  # as partition 3's worker holds it
    lease.acquire()
    try:
        status = replay([str(ROOT / "scenarios" / "operate" / "seed-example.yaml")], store,
                        None, io.StringIO())
    finally:
        lease.release()

    assert status == EXIT_BUSY
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "(partition 3) is in use by another writer" in err
