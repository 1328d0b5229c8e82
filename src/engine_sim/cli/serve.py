"""`engine-sim serve`: the web view (Operate's screens) on the store, until interrupted.

While it runs, the server is the store's writer: every engine call runs on one worker
thread (`engine_sim.web.service`). It binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import argparse

from engine_sim.cli.common import EXIT_OK, add_store_option, positive
from migration.operate import CHUNK_SIZE


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve", help="serve the web view (processes, diagrams, migration, operations)",
        description="Serve Operate's screens for the store in a browser: the instance list "
        "with filters and selection, diagrams with token counts, the migration flow (mapping, "
        "preview, confirmation), batch operations with live progress, and each instance.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8080, help="the port (default 8080)")
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE,
                        help=f"instances per atomic chunk of a batch (default {CHUNK_SIZE})")
    add_store_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    positive("--chunk-size", args.chunk_size)
    positive("--port", args.port, allow_zero=True)
    import uvicorn

    from engine_sim.web.app import create_app
    from engine_sim.web.service import WebService

    service = WebService(args.store, chunk_size=args.chunk_size)  # a CliError names --store
    print(f"engine-sim serve: http://{args.host}:{args.port}/ on {args.store} (Ctrl-C stops)",
          flush=True)
    uvicorn.run(create_app(service), host=args.host, port=args.port, log_level="warning")
    return EXIT_OK
