"""Store selection (memory, SQLite, PostgreSQL) and the msgspec transcoder."""

from engine_sim.persistence.stores import (
    DEFAULT_CLI_STORE,
    Store,
    StoreURLError,
    check_postgres,
    parse_store_url,
)
from engine_sim.persistence.transcoder import MsgspecTranscoder

__all__ = ["DEFAULT_CLI_STORE", "MsgspecTranscoder", "Store", "StoreURLError", "check_postgres",
           "parse_store_url"]
