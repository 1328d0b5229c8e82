"""`python -m engine_sim ARGS...` is `engine-sim ARGS...`."""

import sys

from engine_sim.cli.main import main

sys.exit(main())
