"""`engine-sim serve`: the web view (Operate's screens) on the store, until interrupted.

While it runs, the server is the store's writer (on a partitioned store, of the partitions
no worker runs, unless `--workers`): every engine call runs on one worker thread
(`engine_sim.web.service`). It binds to 127.0.0.1 unless told otherwise. Its arguments
are parsed and checked in `arguments`.
"""

from __future__ import annotations

import argparse

from engine_sim.cli.arguments import EXIT_OK


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from engine_sim.web.app import create_app
    from engine_sim.web.service import WebService

    # a CliError names --store; StoreBusy (exit 3) another writer that held it past --wait
    service = WebService(args.store, chunk_size=args.chunk_size, wait=args.wait,
                         workers=args.workers, timeout=args.timeout)
    print(f"engine-sim serve: http://{args.host}:{args.port}/ on {args.store} (Ctrl-C stops)",
          flush=True)
    uvicorn.run(create_app(service), host=args.host, port=args.port, log_level="warning")
    return EXIT_OK
