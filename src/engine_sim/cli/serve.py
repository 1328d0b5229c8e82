"""`engine-sim serve`: the web view (Operate's screens) on the store, until interrupted.

While it runs, the server is the store's writer: every engine call runs on one worker
thread (`engine_sim.web.service`). It binds to 127.0.0.1 unless told otherwise. Its arguments
are parsed and checked in `arguments`.
"""

from __future__ import annotations

import argparse

from engine_sim.cli.common import EXIT_OK


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from engine_sim.web.app import create_app
    from engine_sim.web.service import WebService

    service = WebService(args.store, chunk_size=args.chunk_size)  # a CliError names --store
    print(f"engine-sim serve: http://{args.host}:{args.port}/ on {args.store} (Ctrl-C stops)",
          flush=True)
    uvicorn.run(create_app(service), host=args.host, port=args.port, log_level="warning")
    return EXIT_OK
