"""How many partitions a store has: chosen when it is created, recorded in it, checked after.

A PostgreSQL store created with `?partitions=N` records N in `engine_sim_partitions`; every
later opening reads it, and one that asks for another count is refused (a key names its
partition, and an instance lives on one partition for good: the count cannot change). A store
created without the option, and every memory or SQLite store, is one partition.
"""

from __future__ import annotations

from typing import Any

from engine_sim.persistence.stores import Store, StoreURLError, connect, schema_lock

TABLE = """CREATE TABLE IF NOT EXISTS engine_sim_partitions (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    count INTEGER NOT NULL
)"""


class PartitionCountError(StoreURLError):
    """The store was created with another partition count than the URL asks for."""


def partition_count(store: Store) -> int:
    """The store's partition count; a new PostgreSQL store asking for N records N."""
    if store.kind != "postgres":
        return 1
    asked = store.partitions
    with schema_lock(store):
        connection = connect(store)
        try:
            return _count(store, connection, asked)
        finally:
            connection.close()


def _count(store: Store, connection: Any, asked: int | None) -> int:
    execute = connection.execute
    execute(TABLE)
    found = execute("SELECT count FROM engine_sim_partitions WHERE id = 1").fetchall()
    if found:
        recorded = int(found[0][0])
        if asked is not None and asked != recorded:
            raise PartitionCountError(
                f"the store '{store.url}' has {recorded} partition(s), not {asked}: the count "
                "is chosen when a store is created (drop partitions= to use the store's)")
        return recorded
    if asked is None:
        return 1  # an unpartitioned store: nothing to record until someone asks
    if asked > 1 and _holds_events(execute):
        raise PartitionCountError(
            f"the store '{store.url}' already holds the events of one partition: it cannot "
            f"become {asked} partitions (the count is chosen when a store is created)")
    execute("INSERT INTO engine_sim_partitions (id, count) VALUES (1, %s)", (asked,))
    return asked


def _holds_events(execute: Any) -> bool:
    # the library names partition 1's table after its application (engine.EngineApplication)
    [(table,)] = execute("SELECT to_regclass('engineapplication_events')").fetchall()
    if table is None:
        return False
    return bool(execute("SELECT 1 FROM engineapplication_events LIMIT 1").fetchall())
