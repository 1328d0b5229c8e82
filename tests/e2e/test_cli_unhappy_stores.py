"""Bad stores: one line naming the store and what is wrong, exit status 2, nothing changed.

A read-only database (reads work, writes say so), a store in a missing folder, a corrupt
stored event, a PostgreSQL store without the extra or with a server that refuses, rejects,
lacks the database or never answers, and `replay` pointed at a file that is not ours.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from cli_support import DATA, Cli, keys_in, store_digest

STORE = Path(".engine-sim") / "engine.db"


def _err(result: object) -> str:
    """stderr of an in-process run (`cli`) or of a subprocess."""
    return str(getattr(result, "stderr", None) or getattr(result, "err", ""))


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def seeded(cli: Cli) -> str:
    assert cli("deploy", "order-v1.bpmn").code == 0
    [key] = keys_in(cli("create", "orderProcess").out)
    return str(key)


# -- SQLite files -----------------------------------------------------------------------------
def _as_another_user() -> list[str]:
    """A command prefix that runs as a user the store's permissions apply to (root writes
    read-only files)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: root may write a read-only file")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_a_read_only_store_can_be_read_and_says_so_on_a_write() -> None:
    with tempfile.TemporaryDirectory() as top:  # under /tmp: another user may enter it
        _read_only_store(Path(top) / "ro")


def _read_only_store(folder: Path) -> None:
    folder.mkdir()
    run = [sys.executable, "-m", "engine_sim.cli.main"]
    deployed = subprocess.run([*run, "deploy", str(DATA / "order-v1.bpmn")], cwd=folder, check=False)
    assert deployed.returncode == 0
    created = subprocess.run([*run, "create", "orderProcess"], cwd=folder, capture_output=True,
                             text=True, check=False)
    [key] = keys_in(created.stdout)
    (folder / STORE).chmod(0o444)
    (folder / STORE.parent).chmod(0o555)
    for path in (folder.parent, folder):
        path.chmod(0o755)
    before = store_digest(folder)
    user = _as_another_user()

    def engine_sim(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*user, *run, *args], cwd=folder, capture_output=True, text=True,
                              env={**os.environ, "COLUMNS": "250"}, timeout=120, check=False)

    listed = engine_sim("instances")
    assert listed.returncode == 0, listed.stderr
    assert str(key) in listed.stdout and "1 instance" in listed.stdout
    assert engine_sim("history", str(key)).returncode == 0
    assert engine_sim("operations").returncode == 0
    write = engine_sim("jobs", "complete", str(key), "checkPayment")
    assert write.returncode == 2
    line = one_line(write.stderr)
    assert "--store" in line and "is read-only" in line and "engine.db" in line
    assert store_digest(folder) == before


@pytest.mark.parametrize("url", ["sqlite:///missing/folder/engine.db", "sqlite:///engine.db"])
@pytest.mark.parametrize("command", [["instances"], ["operations"], ["history", "1"]])
def test_a_read_command_never_creates_a_folder_or_a_database(cli: Cli, workdir: Path, url: str,
                                                             command: list[str]) -> None:
    result = cli(*command, "--store", url)
    assert result.code == 2
    line = one_line(_err(result))
    assert f"--store: there is no store at '{url}'" in line
    assert ("does not exist" if "missing" in url else "nothing has been deployed") in line
    assert not (workdir / "missing").exists() and not (workdir / "engine.db").exists()


def _corrupt(workdir: Path, column: str, value: object) -> int:
    """Damage the last stored event; return its notification id (its log position)."""
    with sqlite3.connect(workdir / STORE) as connection:
        [(rowid,)] = connection.execute("SELECT max(rowid) FROM stored_events").fetchall()
        connection.execute(f"UPDATE stored_events SET {column} = ? WHERE rowid = ?", (value, rowid))
    return int(rowid)


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("topic", "engine_sim.gone:Nowhere", "engine_sim.gone:Nowhere"),
    ("state", b"\xc1\xff not msgpack", "DecodeError"),
])
@pytest.mark.parametrize("command", [["instances"], ["create", "orderProcess"]])
def test_a_corrupt_stored_event_is_named_by_store_and_position(
        cli: Cli, seeded: str, workdir: Path, column: str, value: object, reason: str,
        command: list[str]) -> None:
    position = _corrupt(workdir, column, value)
    before = store_digest(workdir)
    result = cli(*command)
    assert result.code == 2
    line = one_line(_err(result))
    assert f"--store: the store '{'sqlite:///' + str(STORE)}' is damaged" in line
    assert f"position {position} of the event log" in line and reason in line
    assert store_digest(workdir) == before


# -- PostgreSQL -------------------------------------------------------------------------------
def test_a_postgresql_store_without_the_extra_names_the_extra(cli: Cli,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "eventsourcing.postgres", None)  # as if not installed
    for command in (["instances"], ["deploy", "order-v1.bpmn"]):
        result = cli(*command, "--store", "postgresql://postgres@127.0.0.1:5432/test")
        assert result.code == 2
        assert "needs the 'postgres' extra" in one_line(_err(result))
        assert "pip install 'engine-sim[postgres]'" in result.err


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A server on 127.0.0.1 that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def _engine_sim(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # a hang fails the test at the timeout; the command itself gives up after 5 s
    return subprocess.run([sys.executable, "-m", "engine_sim.cli.main", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False)


def test_a_server_that_never_answers_fails_with_a_timeout(silent_server: int, tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{silent_server}/test"
    for args in (["instances", "--store", url], ["deploy", str(DATA / "order-v1.bpmn"), "--store", url],
                 ["replay", str(tmp_path), "--store", url]):
        result = _engine_sim(*args, cwd=tmp_path)
        assert result.returncode == 2
        assert "timeout: the server at 127.0.0.1" in one_line(_err(result))


def test_a_refused_connection_is_named(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = _engine_sim("create", "p", "--store", f"postgresql://postgres@127.0.0.1:{port}/x",
                         cwd=tmp_path)
    assert result.returncode == 2
    assert f"connection refused: no server is listening at 127.0.0.1:{port}" in one_line(_err(result))


def _with(url: str, user: str | None = None, database: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc if user is None else f"{user}@{parts.netloc.split('@')[-1]}"
    path = parts.path if database is None else f"/{database}"
    return urlunsplit(parts._replace(netloc=netloc, path=path))


@pytest.mark.parametrize(("change", "cause"), [
    ({"database": "engine_sim_no_such_database"}, "missing database: the server at"),
    ({"user": "engine_sim_no_such_user"}, "authentication failed for user 'engine_sim_no_such_user'"),
])
def test_a_misconfigured_server_names_the_cause(postgres_url: str, tmp_path: Path,
                                                change: dict[str, str], cause: str) -> None:
    result = _engine_sim("instances", "--store", _with(postgres_url, **change), cwd=tmp_path)
    assert result.returncode == 2
    assert cause in one_line(_err(result))


# -- replay onto a file that is not ours --------------------------------------------------------
def _other_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        connection.execute("INSERT INTO invoices VALUES (1, 9.5)")


@pytest.mark.parametrize("make", [lambda p: p.write_text("my notes\n"), _other_sqlite])
def test_replay_refuses_to_replace_a_file_that_is_not_an_engine_sim_store(tmp_path: Path, make) -> None:
    target = tmp_path / "precious.db"
    make(target)
    before = target.read_bytes()
    result = _engine_sim("replay", str(DATA.parents[1] / "scenarios"), "--store", f"sqlite:///{target}",
                         cwd=tmp_path)
    assert result.returncode == 2
    line = one_line(_err(result))
    assert f"'{target}' exists and is not an engine-sim store" in line
    assert target.read_bytes() == before
