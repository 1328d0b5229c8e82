"""The library's PostgreSQL application recorder, writing without psycopg's pipeline mode.

`PostgresApplicationRecorder.insert_events` sends its statements (lock the table, notify,
one INSERT over `unnest` of every event) in a psycopg pipeline. Writing a group commit of
1,000 events of ~5 KB that way hung for ever in 3 of 12 runs here (the client waiting in
`Pipeline.sync`, the server in ClientRead), with psycopg's compiled and pure-Python
implementations alike (psycopg issue #685 describes the same). The same statements in a
plain transaction cost three more round trips per transaction and never hung.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry


class PostgresRecorder(PostgresApplicationRecorder):
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        with (self.datastore.get_connection() as connection, connection.transaction(),
              connection.cursor() as cursor):
            self._insert_events(cursor, stored_events, **kwargs)
            if not stored_events:
                return None
            self._insert_stored_events(cursor, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(cursor, stored_events, **kwargs)
