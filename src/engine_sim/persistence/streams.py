"""Reading many aggregates' streams in one query.

The library reads one stream per query (`recorder.select_events`); a batch operation that
loads 500 instances from an SQLite file that way spends most of its time in round trips.
`select_streams` asks the SQLite or PostgreSQL recorder's own table for all of them at once
and returns the same `StoredEvent`s, in version order per stream. Other recorders (the
memory store) fall back to one `select_events` per stream.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.persistence import AggregateRecorder, StoredEvent

PAGE = 500  # ids per query (SQLite allows 32,766 parameters; keep statements small)


def select_streams(recorder: AggregateRecorder, ids: Iterable[UUID]) -> dict[UUID, list[StoredEvent]]:
    wanted = list(ids)
    streams: dict[UUID, list[StoredEvent]] = {i: [] for i in wanted}
    kind = type(recorder).__module__
    for start in range(0, len(wanted), PAGE):
        page = wanted[start:start + PAGE]
        if kind == "eventsourcing.sqlite":
            rows = _sqlite_rows(recorder, page)
        elif kind == "eventsourcing.postgres":
            rows = _postgres_rows(recorder, page)
        else:
            rows = [e for i in page for e in recorder.select_events(i)]
        for event in rows:
            streams[_uuid(event.originator_id)].append(event)
    return streams


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _sqlite_rows(recorder: Any, page: list[UUID]) -> list[StoredEvent]:
    statement = (
        f"SELECT originator_id, originator_version, topic, state FROM "
        f"{recorder.events_table_name} WHERE originator_id IN ({','.join('?' * len(page))}) "
        "ORDER BY originator_id, originator_version"
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, [i.hex for i in page])
        return [StoredEvent(originator_id=UUID(row["originator_id"]),
                            originator_version=row["originator_version"],
                            topic=row["topic"], state=row["state"])
                for row in cursor.fetchall()]


def _postgres_rows(recorder: Any, page: list[UUID]) -> list[StoredEvent]:
    from psycopg.sql import SQL, Identifier  # the postgres extra is installed: its recorder runs

    statement = SQL(
        "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
        "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
    ).format(schema=Identifier(recorder.datastore.schema),
             table=Identifier(recorder.events_table_name))
    with recorder.datastore.get_connection() as connection, connection.cursor() as cursor:
        cursor.execute(statement, [page])
        return [StoredEvent(originator_id=row["originator_id"],
                            originator_version=row["originator_version"],
                            topic=row["topic"], state=bytes(row["state"]))
                for row in cursor.fetchall()]
