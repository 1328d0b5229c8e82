"""`engine-sim worker --store postgresql://... --partition N`: one partition's writer.

It takes partition N's writer lease (waiting up to `--wait` for a worker already running
it), then serves the partition's command table until interrupted (SIGINT or SIGTERM end it
between two steps, or at once while it waits for a request; a killed worker's lease goes
with its connection). Its arguments are
parsed and checked in `arguments`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from engine_sim.cli.arguments import EXIT_OK, CliError


def run(args: argparse.Namespace) -> int:
    from engine_sim.cli.common import open_store
    from engine_sim.partitions import Worker
    from engine_sim.persistence import StoreURLError

    store = open_store(args.store, read_only=False)
    if store.kind != "postgres":
        raise CliError("--store", f"'{args.store}' is not a PostgreSQL store: only a "
                       "partitioned PostgreSQL store has workers (memory and SQLite stores run "
                       "in the command's own process)")
    try:
        worker = Worker(store, args.partition, wait=args.wait, chunk_size=args.chunk_size,
                        retry_interval=args.retry_interval,
                        on_wait=lambda holder: print(
            f"engine-sim worker: waiting up to {args.wait:g} s (--wait) for partition "
            f"{args.partition}, which another worker holds: {holder}", file=sys.stderr))
    except StoreURLError as error:
        raise CliError("--store", str(error)) from None
    stopping = []

    def stop(*_: object) -> None:
        stopping.append(True)
        if worker.asleep:  # waiting for a request's NOTIFY, up to --poll: stop now
            raise _Stopped

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    print(f"engine-sim worker: partition {args.partition} of {args.store} "
          f"(pid {os.getpid()})", flush=True)
    try:
        worker.run(stop=lambda: bool(stopping), poll=args.poll)
    except _Stopped:
        pass
    finally:
        worker.close()
    return EXIT_OK


class _Stopped(Exception):
    """A signal ended the worker's wait for requests."""
