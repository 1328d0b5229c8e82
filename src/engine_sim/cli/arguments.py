"""Every `engine-sim` command line, parsed and checked in one place, before any store opens.

The parser is built from the standard library only, so `engine-sim --help` and `--version`
never import the engine; each command names its handler as `module:function`, imported only
when that command runs. Each value gets a type below that says what is wrong with it in one
line (argparse prints it as `argument --count: ...`, exit status 2): keys are 64-bit and not
negative, counts and sizes have documented maximums, `--var` values are JSON that a
record can hold (64-bit integers, nesting at most `MAX_VALUE_DEPTH`, no lone surrogates).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
EXIT_BUSY = 3  # another writer held the store for longer than --wait
EXIT_NO_ANSWER = 4  # a partition's worker did not answer within --timeout (request queued)

DEFAULT_CLI_STORE = "sqlite:///.engine-sim/engine.db"  # = engine_sim.persistence's default
MAX_KEY = 2**63 - 1  # keys and positions are signed 64-bit longs, as in Zeebe
MAX_INT64, MIN_INT64 = 2**63 - 1, -(2**63)
MAX_INT32 = 2**31 - 1  # versions and job retries are ints in Zeebe
MAX_COUNT = 100_000  # instances one `create` may start (as a scenario's `create` step)
MAX_CHUNK_SIZE = 100_000
DEFAULT_CHUNK_SIZE = 500  # = migration.operate.CHUNK_SIZE
MAX_VALUE_DEPTH = 100  # nesting of a `--var` value (objects and lists)
MAX_SHOWN = 60  # characters of an offending value quoted in a message
STATES = ("ACTIVE", "INCIDENT", "COMPLETED", "CANCELED")
DEFAULT_LIMIT = 200
DEFAULT_WAIT = 10.0  # = engine_sim.persistence.lease.DEFAULT_WAIT
DEFAULT_TIMEOUT = 60.0  # = engine_sim.partitions.cluster.DEFAULT_TIMEOUT
RETRY_INTERVAL = 10.0  # = engine_sim.partitions.messages.RETRY_INTERVAL
MAX_WAIT = 86_400  # seconds: a day


class CliError(Exception):
    """Invalid input: `argument` names what the user typed wrong, `message` says why."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument
        self.message = message


class Parser(argparse.ArgumentParser):
    """argparse, with its usage errors on one line (exit status 2, as for any bad input)."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_INVALID, f"{self.prog}: {safe(message)} (see {self.prog} --help)\n")


# -- values ---------------------------------------------------------------------------------
def safe(text: str) -> str:
    """`text` printable on any stream: lone surrogates become `\\udcxx` escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def shown(text: str) -> str:
    """An offending value, quoted, escaped and cut to a readable length."""
    text = safe(text)
    if len(text) > MAX_SHOWN:
        text = f"{text[:MAX_SHOWN]}... ({len(text)} characters)"
    return f"'{text}'"


def has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _integer(text: str, what: str) -> int:
    stripped = text.strip()
    if not stripped.lstrip("+-").isdigit() or not stripped.isascii():
        raise argparse.ArgumentTypeError(f"{shown(text)} is not {what}")
    if len(stripped.lstrip("+-")) > 40:  # int() of a huge digit string is slow: refuse it first
        raise argparse.ArgumentTypeError(f"{shown(text)} is out of range for {what}")
    return int(stripped)


def bounded(what: str, low: int, high: int) -> Any:
    """An argparse type: an integer in [low, high], named `what` in the message."""

    def parse(text: str) -> int:
        value = _integer(text, what)
        if value < low or value > high:
            raise argparse.ArgumentTypeError(f"{shown(text)} must be {_range(low, high)}")
        return value

    parse.__name__ = what
    return parse


def _range(low: int, high: int) -> str:
    if high == MAX_KEY:
        return f"at least {low} and below 2^63"
    return f"from {low} to {high}"


key = bounded("a key (a whole number)", 0, MAX_KEY)
count = bounded("a count", 1, MAX_COUNT)
version = bounded("a version", 1, MAX_INT32)
retries = bounded("a number of retries", 0, MAX_INT32)
chunk_size = bounded("a chunk size", 1, MAX_CHUNK_SIZE)
limit = bounded("a limit", 0, MAX_KEY)
port = bounded("a port", 0, 65_535)
partition = bounded("a partition number", 1, 64)  # persistence.stores.MAX_PARTITIONS


def seconds(text: str) -> float:
    """`--wait`, `--timeout`: a number of seconds from 0 to MAX_WAIT (fractions allowed)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a number of seconds") from None
    if not 0 <= value <= MAX_WAIT:  # NaN fails this too
        raise argparse.ArgumentTypeError(f"{shown(text)} must be a number of seconds from 0 to "
                                         f"{MAX_WAIT}")
    return value


def event_name(text: str) -> str:
    """A message or signal name: not empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the name is empty")
    return text


def duration(text: str) -> str:
    """An ISO-8601 duration (checked again by the engine's parser when the command runs)."""
    if not text.startswith("P") or has_lone_surrogate(text):
        raise argparse.ArgumentTypeError(f"{shown(text)} is not an ISO-8601 duration of 0 or "
                                         "more (e.g. PT1H, P1D)")
    return text


def operation_words(words: list[str], verbs: tuple[str, ...],
                    what: str) -> tuple[str | None, int | None]:
    """`[VERB] [ID]` of `operations` and `incidents`: the verb (or None) and the key."""
    words = list(words)
    verb = words.pop(0) if words and words[0] in verbs else None
    if len(words) > 1:
        raise CliError("ID", f"one {what} key expected, got {shown(' '.join(words))}")
    if not words:
        return verb, None
    try:
        return verb, key(words[0])
    except argparse.ArgumentTypeError as error:
        alternatives = " nor ".join(repr(v) for v in verbs)
        reason = str(error) if words[0].strip().lstrip("+-").isdigit() else (
            f"{shown(words[0])} is not a {what} key (a number) nor {alternatives}")
        raise CliError("ID", reason) from None


# -- --var and --map --------------------------------------------------------------------------
def _json_value(text: str, option: str, name: str) -> Any:
    def refuse_constant(constant: str) -> Any:
        raise CliError(option, f"'{name}': {constant} is not a JSON value")

    try:
        return json.loads(text, parse_constant=refuse_constant)
    except RecursionError:
        raise CliError(option, f"'{name}': the value is nested deeper than "
                       f"{MAX_VALUE_DEPTH} levels") from None
    except ValueError:
        return text


def check_value(value: Any, option: str, name: str) -> None:
    """A value a record can hold: 64-bit integers, bounded nesting, valid Unicode text."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_VALUE_DEPTH:
            raise CliError(option, f"'{safe(name)}': the value is nested deeper than "
                           f"{MAX_VALUE_DEPTH} levels")
        if isinstance(item, bool) or item is None:
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise CliError(option, f"'{safe(name)}': the number is too large for a "
                               "64-bit float")
            continue
        if isinstance(item, int):
            if not MIN_INT64 <= item <= MAX_INT64:
                raise CliError(option, f"'{safe(name)}': the integer {shown(str(item))} does not "
                               "fit in 64 bits")
        elif isinstance(item, str):
            if has_lone_surrogate(item):
                raise CliError(option, f"'{safe(name)}': the text {shown(item)} is not valid "
                               "Unicode (a lone surrogate)")
        elif isinstance(item, dict):
            for child_name, child in item.items():
                stack.append((child_name, depth + 1))
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def parse_value(text: str, option: str = "--var", name: str = "") -> Any:
    """A `--var` value: JSON when it parses as JSON, else the text itself."""
    if has_lone_surrogate(text):
        raise CliError(option, f"'{safe(name)}': the text {shown(text)} is not valid Unicode "
                       "(a lone surrogate)")
    value = _json_value(text, option, name)
    check_value(value, option, name)
    return value


def parse_variables(items: list[str] | None, option: str = "--var") -> dict[str, Any]:
    variables: dict[str, Any] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CliError(option, f"{shown(item)} is not NAME=VALUE")
        if has_lone_surrogate(name):
            raise CliError(option, f"the name {shown(name)} is not valid Unicode (a lone "
                           "surrogate)")
        variables[name.strip()] = parse_value(value, option, name.strip())
    return variables


def parse_mapping(items: list[str] | None) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in items or ():
        source, sep, target = item.partition("=")
        if not sep or not source.strip() or not target.strip() or "=" in target:
            raise CliError("--map", f"{shown(item)} is not SOURCE=TARGET (two element ids)")
        pairs.append((source.strip(), target.strip()))
    return tuple(pairs)


def check_text_arguments(argv: list[str]) -> None:
    """No argument may hold a lone surrogate (invalid UTF-8 bytes on the command line): the
    engine could not store it and no terminal could show it."""
    for index, arg in enumerate(argv):
        if not has_lone_surrogate(arg):
            continue
        if arg.startswith("--") and "=" in arg:
            name = arg.partition("=")[0]
        elif index and argv[index - 1].startswith("-"):
            name = argv[index - 1]
        else:
            name = f"argument {index + 1}"
        raise CliError(name, f"{shown(arg)} is not valid Unicode text (a lone surrogate)")


# -- the command line -------------------------------------------------------------------------
def _store_and_json(parser: argparse.ArgumentParser, writer: bool = False) -> None:
    """--store and --json; a command that writes also gets --wait (one writer per store) and
    --timeout (a partitioned store's workers)."""
    parser.add_argument(
        "--store", default=DEFAULT_CLI_STORE, metavar="URL",
        help=f"sqlite:///path.db, postgresql://USER@HOST:PORT/DB or memory: (default "
        f"{DEFAULT_CLI_STORE}, under the current folder)")
    if writer:
        _wait(parser)
        parser.add_argument(
            "--timeout", type=seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
            help="a partitioned store: how long to wait for the answer of a partition's worker, "
            f"or for a batch its worker runs to progress (default {DEFAULT_TIMEOUT:g}, at most "
            f"{MAX_WAIT}; exit status 4, the request stays queued, the batch ACTIVE)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document on stdout (fields: docs/cli.md)")


def _wait(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait", type=seconds, default=DEFAULT_WAIT, metavar="SECONDS",
        help="one writer per store: how long to wait while another command writes to it "
        f"(default {DEFAULT_WAIT:g}, at most {MAX_WAIT}; 0 fails at once; exit status 3)")


def _var(parser: argparse.ArgumentParser, what: str = "a variable") -> None:
    parser.add_argument("--var", action="append", metavar="NAME=VALUE",
                        help=f"{what}; VALUE is JSON when it parses as JSON, else a string")


def _command(commands: Any, name: str, handler: str, help_: str, **kw: Any) -> Parser:
    parser: Parser = commands.add_parser(name, help=help_, description=kw.pop("description", help_),
                                         **kw)
    parser.set_defaults(handler=handler, command=name)
    return parser


def _instance_element(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("key", type=key, metavar="KEY", help="the process instance key")
    parser.add_argument("element", metavar="ELEMENT", help="the element id")


def _replay(commands: Any) -> None:
    replay = _command(commands, "replay", "engine_sim.cli.replay:run",
                      "replay scenario files and check their expectations")
    replay.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    replay.add_argument("--records", metavar="OUT.jsonl",
                        help="write every record, one JSON object a line, each marked with "
                        "its scenario (docs/records.md)")
    replay.add_argument("--store", default="memory:", metavar="URL",
                        help="memory:, sqlite:///path.db or postgresql://USER@HOST:PORT/DB "
                        "(default memory:)")
    _command(commands, "schema", "engine_sim.cli.schema:run",
             "print the JSON Schema of scenario files (for editors)")


def _definitions(commands: Any) -> None:
    deploy = _command(commands, "deploy", "engine_sim.cli.deploy:run", "deploy BPMN files",
                      description="Deploy BPMN files. Each process gets the next version of its "
                      "bpmnProcessId, unless its XML equals its latest version.")
    deploy.add_argument("files", nargs="+", metavar="FILE", help="BPMN 2.0 files")
    _store_and_json(deploy, writer=True)
    create = _command(commands, "create", "engine_sim.cli.create:run", "start process instances",
                      description="Start instances of a deployed process at its none start event.")
    create.add_argument("process", metavar="PROCESS", help="the bpmnProcessId")
    create.add_argument("--version", type=version, help="the version (default: the latest)")
    create.add_argument("--count", type=count, default=1,
                        help=f"how many instances (default 1, at most {MAX_COUNT})")
    _var(create, "a process variable")
    _store_and_json(create, writer=True)
    listing = _command(commands, "instances", "engine_sim.cli.instances:run",
                       "list process instances (filters combine)",
                       description="List process instances from the list view.")
    listing.add_argument("--process", help="only instances of this bpmnProcessId")
    listing.add_argument("--version", type=version, help="only instances of this version")
    listing.add_argument("--state", action="append", type=str.upper, choices=STATES,
                         help="only instances in this state (repeat for several)")
    listing.add_argument("--element", help="only instances with a token in this element")
    listing.add_argument("--limit", type=limit, default=DEFAULT_LIMIT,
                         help=f"show at most this many rows (default {DEFAULT_LIMIT}; 0 shows all)")
    _store_and_json(listing)


def _actions(commands: Any) -> None:
    jobs = commands.add_parser("jobs", help="complete or fail the job of an element",
                               description="Act as a job worker on one instance's element.")
    verbs = jobs.add_subparsers(dest="action", required=True, metavar="{complete,fail}")
    complete = _command(verbs, "complete", "engine_sim.cli.jobs:run_complete",
                        "complete the element's open job")
    fail = _command(verbs, "fail", "engine_sim.cli.jobs:run_fail",
                    "fail the element's open job (retries 0 raises an incident)")
    for sub in (complete, fail):
        _instance_element(sub)
        sub.set_defaults(command="jobs")
    _var(complete, "a variable to complete with")
    fail.add_argument("--retries", type=retries, required=True,
                      help="the retries left (0 raises an incident)")
    fail.add_argument("--message", help="the error message")
    tasks = commands.add_parser("user-tasks", help="complete a user task",
                                description="Complete the user task of an element, whatever its "
                                "implementation (engine-managed, or a job-worker user task).")
    tasks_verbs = tasks.add_subparsers(dest="action", required=True, metavar="{complete}")
    task = _command(tasks_verbs, "complete", "engine_sim.cli.actions:run_complete_user_task",
                    "complete the element's user task")
    task.set_defaults(command="user-tasks")
    _instance_element(task)
    _var(task, "a variable to complete with")
    incidents = _command(commands, "incidents", "engine_sim.cli.incidents:run",
                         "list open incidents, or resolve one",
                         usage="engine-sim incidents [-h] [--instance K] | "
                         "resolve KEY [--retries N] [--wait SECONDS] [--timeout SECONDS]",
                         description="engine-sim incidents: every open incident (--instance K: "
                         "of one instance). engine-sim incidents resolve KEY: resolve incident "
                         "KEY; a job's incident first gets --retries (default 1).")
    incidents.add_argument("words", nargs="*", metavar="resolve KEY", help=argparse.SUPPRESS)
    incidents.add_argument("--instance", type=key, metavar="K", help="only this instance's")
    incidents.add_argument("--retries", type=retries, default=1,
                           help="the job's retries when resolving a job's incident (default 1)")
    messages = commands.add_parser("messages", help="publish a message",
                                   description="Publish a message to the waiting subscriptions.")
    publish = _command(messages.add_subparsers(dest="action", required=True, metavar="{publish}"),
                       "publish", "engine_sim.cli.actions:run_publish", "publish a message")
    publish.set_defaults(command="messages")
    publish.add_argument("name", type=event_name, metavar="NAME", help="the message name")
    publish.add_argument("--key", required=True, dest="correlation_key", metavar="K",
                         help="the correlation key")
    publish.add_argument("--ttl", type=duration, default="PT0S",
                         help="how long it waits for a subscription (ISO-8601, default PT0S)")
    _var(publish, "a message variable")
    signals = commands.add_parser("signals", help="broadcast a signal",
                                  description="Broadcast a signal to every waiting subscription.")
    broadcast = _command(signals.add_subparsers(dest="action", required=True,
                                                metavar="{broadcast}"),
                         "broadcast", "engine_sim.cli.actions:run_broadcast", "broadcast a signal")
    broadcast.set_defaults(command="signals")
    broadcast.add_argument("name", type=event_name, metavar="NAME", help="the signal name")
    _var(broadcast, "a signal variable")
    cancel = _command(commands, "cancel", "engine_sim.cli.actions:run_cancel",
                      "cancel a process instance")
    cancel.add_argument("key", type=key, metavar="KEY", help="the process instance key")
    variables = commands.add_parser("variables", help="set variables of an instance",
                                    description="Set variables of a process instance.")
    set_ = _command(variables.add_subparsers(dest="action", required=True, metavar="{set}"),
                    "set", "engine_sim.cli.actions:run_set_variables",
                    "set variables (in the process scope, or an element's with --element)")
    set_.set_defaults(command="variables")
    set_.add_argument("key", type=key, metavar="KEY", help="the process instance key")
    _var(set_, "a variable to set (at least one)")
    set_.add_argument("--element", help="the element whose scope gets them (default: the process)")
    clock = commands.add_parser("clock", help="show or advance the store's clock",
                                description="The store keeps a simulated clock (docs/cli.md).")
    clock_verbs = clock.add_subparsers(dest="action", required=True, metavar="{show,advance}")
    show = _command(clock_verbs, "show", "engine_sim.cli.clock:run_show",
                    "the store's time and the next due timers")
    advance = _command(clock_verbs, "advance", "engine_sim.cli.clock:run_advance",
                       "move the clock; due timers fire in due-date order")
    advance.add_argument("duration", type=duration, metavar="DURATION", help="ISO-8601, e.g. PT1H")
    for sub in (complete, fail, task, publish, broadcast, cancel, set_, show, advance):
        if sub in (show, advance):
            sub.set_defaults(command="clock")
        _store_and_json(sub, writer=sub is not show)
    _store_and_json(incidents, writer=True)  # resolve writes


def _operate(commands: Any) -> None:
    migrate = _command(
        commands, "migrate", "engine_sim.cli.migrate:run",
        "migrate instances to another definition (preview, confirm, batch)",
        description="Migrate the running instances of one process version to a target "
        "definition, as a batch operation. Shows the mapping and a preview (a dry run) and asks "
        "before it changes anything. Exit status: 0 when every item migrated (or --dry-run), 1 "
        "when some failed (they keep their version) or the prompt was declined, 2 on invalid "
        "input.")
    migrate.add_argument("--process", required=True, help="the source bpmnProcessId")
    migrate.add_argument("--version", type=version, required=True, help="the source version")
    selection = migrate.add_mutually_exclusive_group(required=True)
    selection.add_argument("--all", action="store_true",
                           help="every instance of the source version (finished ones are ignored)")
    selection.add_argument("--key", type=key, action="extend", nargs="+", metavar="K",
                           help="these instance keys (of the source version)")
    migrate.add_argument("--to-process", required=True, help="the target bpmnProcessId")
    migrate.add_argument("--to-version", type=version, required=True, help="the target version")
    migrate.add_argument("--map", action="append", metavar="SOURCE=TARGET",
                         help="map a source element id to a target element id (repeatable)")
    migrate.add_argument("--no-auto-map", action="store_true",
                         help="do not map same-id, same-type elements implicitly")
    migrate.add_argument("--dry-run", action="store_true",
                         help="show the mapping and the preview, then stop (writes nothing)")
    migrate.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    migrate.add_argument("--chunk-size", type=chunk_size, default=DEFAULT_CHUNK_SIZE,
                         help=f"instances per atomic chunk of the batch (default "
                         f"{DEFAULT_CHUNK_SIZE}, at most {MAX_CHUNK_SIZE})")
    _store_and_json(migrate, writer=True)
    operations = _command(
        commands, "operations", "engine_sim.cli.operations:run",
        "list batch operations, show, resume or revert one",
        usage="engine-sim operations [-h] [--store URL] [--json] "
        "[ID | resume [ID] | revert ID] [--chunk-size N] [--wait SECONDS] [--timeout SECONDS]",
        description="engine-sim operations: every batch operation. engine-sim operations ID: one "
        "operation with its failed items and reasons. engine-sim operations resume [ID]: run the "
        "pending items of operation ID, or of every ACTIVE operation. engine-sim operations "
        "revert ID: migrate every instance a COMPLETED migration operation moved back.")
    operations.add_argument("words", nargs="*", metavar="ID | resume [ID] | revert ID",
                            help=argparse.SUPPRESS)
    operations.add_argument("--chunk-size", type=chunk_size, default=DEFAULT_CHUNK_SIZE,
                            help=f"instances per atomic chunk when resuming or reverting "
                            f"(default {DEFAULT_CHUNK_SIZE})")
    _store_and_json(operations, writer=True)  # resume and revert write
    history = _command(commands, "history", "engine_sim.cli.history:run",
                       "an instance's records and migrations",
                       description="Show the records of one process instance, read from its "
                       "stored events, and every migration it went through.")
    history.add_argument("key", type=key, metavar="KEY", help="the process instance key")
    _store_and_json(history)
    serve = _command(
        commands, "serve", "engine_sim.cli.serve:run",
        "serve the web view (processes, diagrams, migration, operations)",
        description="Serve Operate's screens for the store in a browser: the instance list "
        "with filters and selection, diagrams with token counts, the migration flow (mapping, "
        "preview, confirmation), batch operations with live progress, and each instance.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="the address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=port, default=8080, help="the port (default 8080)")
    serve.add_argument("--chunk-size", type=chunk_size, default=DEFAULT_CHUNK_SIZE,
                       help=f"instances per atomic chunk of a batch (default {DEFAULT_CHUNK_SIZE})")
    serve.add_argument("--store", default=DEFAULT_CLI_STORE, metavar="URL",
                       help=f"the store to serve (default {DEFAULT_CLI_STORE})")
    serve.add_argument("--workers", action="store_true",
                       help="on a partitioned store: leave every partition to its worker (the "
                       "server never takes a partition's lease; docs/web.md)")
    serve.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                       help="a partitioned store: how long to wait for the answer of a "
                       f"partition's worker (default {DEFAULT_TIMEOUT:g}; the page then says "
                       "so, the request stays queued for the worker)")
    _wait(serve)  # the server is the store's writer while it runs
    worker = _command(
        commands, "worker", "engine_sim.cli.worker:run",
        "run one partition of a partitioned PostgreSQL store (docs/scaling.md)",
        description="Run partition N of a partitioned PostgreSQL store as its single writer, "
        "until interrupted: it answers the commands clients put in the partition's command "
        "table and runs its partition's batch operations chunk by chunk. Several workers, one "
        "per partition, may run on several machines against one server.")
    worker.add_argument("--store", required=True, metavar="URL",
                        help="postgresql://USER@HOST:PORT/DB (add ?partitions=N when creating it)")
    worker.add_argument("--partition", type=partition, required=True,
                        metavar="N", help="the partition to run (1 to the store's count)")
    worker.add_argument("--poll", type=seconds, default=1.0, metavar="SECONDS",
                        help="an idle worker is woken by each request's NOTIFY; it looks at "
                        "its command table at least this often anyway (default 1)")
    worker.add_argument("--chunk-size", type=chunk_size, default=DEFAULT_CHUNK_SIZE,
                        help=f"instances per atomic chunk of a batch (default {DEFAULT_CHUNK_SIZE})")
    worker.add_argument("--retry-interval", type=seconds, default=RETRY_INTERVAL,
                        metavar="SECONDS", help="how often what the partition sent to other "
                        "partitions and was not answered is sent again (default "
                        f"{RETRY_INTERVAL:g})")
    _wait(worker)  # a standby worker waits for the partition's current one


class _Version(argparse.Action):
    """`--version`: the package's version (one source: `engine_sim.__version__`)."""

    def __init__(self, option_strings: list[str], dest: str, **kw: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from engine_sim import __version__

        sys.stdout.write(f"engine-sim {__version__}\n")
        parser.exit(EXIT_OK)


def build_parser() -> Parser:
    parser = Parser(
        prog="engine-sim",
        description="An event-sourced simulator of a Zeebe-like BPMN engine with instance "
        "migration. Reference: docs/cli.md.")
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    _replay(commands)
    _definitions(commands)
    _actions(commands)
    _operate(commands)
    return parser
