"""One writer per store: concurrent `engine-sim` processes on one store take turns.

The three-way race of issue 10 (`create --count N`, `migrate --all --yes` and a few
`jobs complete`, started at the same moment as separate processes) on SQLite and PostgreSQL,
checked with the raw stored events (`store_audit`): every key and position used once, every
instance's stream replays, the list view equals the aggregates, and no process printed a
traceback. The quick variant runs in the normal suite; `ENGINE_SIM_RACE_LONG=1` runs the
issue's size (3,000 instances) several times.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from cli_support import DATA, keys_in
from store_audit import audit

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine

LONG = os.environ.get("ENGINE_SIM_RACE_LONG") == "1"
COUNT, ROUNDS = (3000, 3) if LONG else (150, 1)


def engine_sim(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine_sim.cli.main", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=900, check=False)


def start(*args: object, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "engine_sim.cli.main", *map(str, args)],
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def race(url: str, folder: Path) -> None:
    """Seed the store, run the three-way race, audit the store."""
    for name in ("order-v1.bpmn", "order-v2.bpmn"):
        (folder / name).write_bytes((DATA / name).read_bytes())
    seeded = engine_sim("deploy", "order-v1.bpmn", "order-v2.bpmn", "--store", url, cwd=folder)
    assert seeded.returncode == 0, seeded.stderr
    created = engine_sim("create", "orderProcess", "--version", "1", "--count", 4, "--store", url,
                         cwd=folder)
    waiting = keys_in(created.stdout)
    assert len(waiting) == 4
    wait = ("--wait", "600", "--store", url)
    processes = [
        start("create", "orderProcess", "--version", "1", "--count", COUNT, *wait, cwd=folder),
        start("migrate", "--process", "orderProcess", "--version", "1", "--all",
              "--to-process", "orderProcess", "--to-version", "2", "--yes", *wait, cwd=folder),
        *(start("jobs", "complete", key, "checkPayment", "--var", "paid=true", *wait, cwd=folder)
          for key in waiting[:3]),
    ]
    results = [(p.args[3:6], p.wait(timeout=900), *p.communicate()) for p in processes]
    for args, code, _out, err in results:
        assert "Traceback" not in err, (args, err)
        assert code in (0, 1), (args, code, err)  # 1: migration items that failed
    assert results[0][1] == 0, results[0]
    for _args, code, _out, err in results[2:]:
        assert code == 0, err  # each job is completed, whoever ran first
    assert audit(url) == []
    after = engine_sim("create", "orderProcess", "--store", url, cwd=folder)  # keys still fresh
    assert after.returncode == 0, after.stderr
    listed = engine_sim("instances", "--limit", "0", "--store", url, cwd=folder)
    assert f"{COUNT + 5} instances" in listed.stdout


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_three_writers_take_turns_on_sqlite(tmp_path: Path, round_: int) -> None:
    race(f"sqlite:///{tmp_path / 'race.db'}", tmp_path)


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """A database of this test's own (advisory locks and tables are per database)."""
    import psycopg

    name = f"race_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True, connect_timeout=3) as connection:
        try:
            connection.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as error:
            pytest.skip(f"may not create a database of its own: {error}")
    try:
        yield urlunsplit(urlsplit(postgres_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(postgres_url, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_three_writers_take_turns_on_postgresql(postgres_database: str, tmp_path: Path,
                                                round_: int) -> None:
    race(postgres_database, tmp_path)


def test_a_second_writer_waits_or_fails_naming_the_holder_and_readers_go_on(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'held.db'}"
    (tmp_path / "order-v1.bpmn").write_bytes((DATA / "order-v1.bpmn").read_bytes())
    assert engine_sim("deploy", "order-v1.bpmn", "--store", url, cwd=tmp_path).returncode == 0
    holder = Engine(url)  # this test process is the writer now
    holder.take_writer_lease()
    try:
        second = engine_sim("create", "orderProcess", "--wait", "0", "--store", url, cwd=tmp_path)
        reader = engine_sim("instances", "--store", url, cwd=tmp_path)
        waiting = start("create", "orderProcess", "--wait", "60", "--store", url, cwd=tmp_path)
        assert waiting.stderr is not None
        told = waiting.stderr.readline()  # it says so once it finds the store held
        commands.create_instance(holder, "orderProcess")  # written while the other one waits
        assert waiting.poll() is None
    finally:
        holder.close()
    code, (_, rest) = waiting.wait(timeout=120), waiting.communicate()
    err = told + rest
    assert second.returncode == 3
    assert second.stderr.count("\n") == 1
    assert f"pid {os.getpid()} on host" in second.stderr, second.stderr
    assert "no --wait" in second.stderr
    assert reader.returncode == 0, reader.stderr  # readers never need the lease
    assert code == 0, err
    assert "waiting up to 60 s (--wait)" in err and f"pid {os.getpid()}" in err
    assert audit(url) == []
    assert "2 instances" in engine_sim("instances", "--store", url, cwd=tmp_path).stdout


def test_replay_refuses_a_store_another_writer_holds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'held.db'}"
    holder = Engine(url)
    holder.take_writer_lease()
    try:
        result = engine_sim("replay", Path(__file__).parents[2] / "scenarios" / "engine",
                            "--store", url, cwd=tmp_path)
    finally:
        holder.close()
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and f"pid {os.getpid()}" in result.stderr
    assert result.stdout == ""


WRITERS = [  # every writing command, each holding the store while another writer works
    ["cancel", "1"], ["variables", "set", "1", "--var", "x=1"], ["clock", "advance", "PT1S"],
    ["messages", "publish", "m", "--key", "k"], ["signals", "broadcast", "s"],
    ["user-tasks", "complete", "1", "approve"], ["incidents", "resolve", "1"],
    ["operations", "revert", "1"], ["jobs", "fail", "1", "checkPayment", "--retries", "0"],
]


def test_every_writing_command_fails_with_exit_3_while_another_writer_holds_the_store(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'held.db'}"
    (tmp_path / "order-v1.bpmn").write_bytes((DATA / "order-v1.bpmn").read_bytes())
    assert engine_sim("deploy", "order-v1.bpmn", "--store", url, cwd=tmp_path).returncode == 0
    holder = Engine(url)
    holder.take_writer_lease()
    try:
        results = [engine_sim(*argv, "--wait", "0", "--store", url, cwd=tmp_path)
                   for argv in WRITERS]
        readers = [engine_sim(*argv, "--store", url, cwd=tmp_path)
                   for argv in (["clock", "show"], ["incidents"], ["operations"])]
    finally:
        holder.close()
    for argv, result in zip(WRITERS, results, strict=True):
        assert result.returncode == 3, (argv, result.stderr)
        assert result.stderr.count("\n") == 1 and f"pid {os.getpid()}" in result.stderr
    for result in readers:  # readers never need the lease
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["-1", "86401", "nan", "inf", "soon"])
def test_a_wait_outside_0_to_a_day_is_invalid_input(tmp_path: Path, value: str) -> None:
    result = engine_sim("create", "orderProcess", "--wait", value, cwd=tmp_path)
    assert result.returncode == 2
    assert "--wait" in result.stderr and "seconds" in result.stderr
    assert not (tmp_path / ".engine-sim").exists()
