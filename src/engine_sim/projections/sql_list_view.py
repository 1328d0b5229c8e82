"""The instance list view kept in the store's database (SQLite, PostgreSQL).

Same rows and the same fold (`list_view.fold_row`) as the in-memory `ListView`; the rows
live in `engine_sim_list_view`, and the element ids each running instance holds a token in
(or has an open incident at) in `engine_sim_list_view_elements`, so that filters by process,
version, state and element, and the flow-node statistics, are SQL queries on indexed
columns: a query loads only the rows it returns.

Folding a page of notifications: lock the tracking row, skip what the stored position says
is folded already, load the rows the page touches in one query per 500 keys, fold, write the
changed rows and the new position, commit. A restarted view simply continues from the stored
position.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import msgspec

from engine_sim.projections.list_view import (
    RUNNING_STATES,
    InstanceRow,
    ListFilter,
    fold_row,
    folds,
)
from engine_sim.projections.sql import SqlProjection

NAME = "list_view"
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS engine_sim_list_view (
        instance_key BIGINT PRIMARY KEY,
        process_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        definition_key BIGINT NOT NULL,
        parent_key BIGINT NOT NULL,
        parent_element_key BIGINT NOT NULL,
        state TEXT NOT NULL,
        start_time TEXT NOT NULL,
        end_time TEXT NOT NULL,
        incidents INTEGER NOT NULL,
        elements TEXT NOT NULL,
        incident_elements TEXT NOT NULL
    )""",
    ("CREATE INDEX IF NOT EXISTS engine_sim_list_view_process "
    "ON engine_sim_list_view (process_id, version, instance_key)"),
    "CREATE INDEX IF NOT EXISTS engine_sim_list_view_state ON engine_sim_list_view (state, instance_key)",
    ("CREATE INDEX IF NOT EXISTS engine_sim_list_view_definition "
    "ON engine_sim_list_view (definition_key, state)"),
    "CREATE INDEX IF NOT EXISTS engine_sim_list_view_parent ON engine_sim_list_view (parent_key)",
    """CREATE TABLE IF NOT EXISTS engine_sim_list_view_elements (
        instance_key BIGINT NOT NULL,
        element_id TEXT NOT NULL,
        active INTEGER NOT NULL,
        incidents INTEGER NOT NULL,
        PRIMARY KEY (instance_key, element_id)
    )""",
    ("CREATE INDEX IF NOT EXISTS engine_sim_list_view_elements_element "
    "ON engine_sim_list_view_elements (element_id, active, instance_key)"),
]
COLUMNS = (
    "instance_key, process_id, version, definition_key, parent_key, parent_element_key, state, "
    "start_time, end_time, incidents, elements, incident_elements"
)
UPSERT = (
    f"INSERT INTO engine_sim_list_view ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (instance_key) DO UPDATE SET process_id = excluded.process_id, "
    "version = excluded.version, definition_key = excluded.definition_key, "
    "state = excluded.state, end_time = excluded.end_time, incidents = excluded.incidents, "
    "elements = excluded.elements, incident_elements = excluded.incident_elements"
)
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode


def _to_sql(row: InstanceRow) -> tuple[Any, ...]:
    elements = [[key, *entry] for key, entry in row.elements.items()]
    incidents = [[key, element_id] for key, element_id in row.incident_elements.items()]
    return (
        row.key, row.process_id, row.version, row.definition_key, row.parent_key,
        row.parent_element_key, row.state, row.start_time, row.end_time, row.incidents,
        _encode(elements).decode(), _encode(incidents).decode(),
    )


def _from_sql(values: tuple[Any, ...]) -> InstanceRow:
    (key, process_id, version, definition_key, parent_key, parent_element_key, state,
     start_time, end_time, incidents, elements, incident_elements) = values
    return InstanceRow(
        key=key, process_id=process_id, version=version, definition_key=definition_key,
        parent_key=parent_key, parent_element_key=parent_element_key,
        finished=state if state not in RUNNING_STATES else "",
        start_time=start_time, end_time=end_time, incidents=incidents,
        elements={entry[0]: entry[1:] for entry in _decode(elements)},
        incident_elements={k: e for k, e in _decode(incident_elements)},
    )


def _element_rows(row: InstanceRow) -> list[tuple[int, str, int, int]]:
    """(instance, element id, holds a token there, open incidents there) per element id."""
    if not row.running:
        return []
    active = set(row.active_elements())
    incidents: dict[str, int] = {}
    for element_id in row.incident_elements.values():
        incidents[element_id] = incidents.get(element_id, 0) + 1
    return [
        (row.key, element_id, int(element_id in active), incidents.get(element_id, 0))
        for element_id in sorted(active | incidents.keys())
    ]


class SqlListView(SqlProjection):
    """The list view on SQLite or PostgreSQL: `query`, `get`, `rows` as `ListView`'s."""

    NAME = NAME
    SCHEMA = SCHEMA

    @staticmethod
    def folds(record: dict[str, Any]) -> bool:
        return folds(record)


    def _fold(self, records: list[dict[str, Any]]) -> None:
        keys = sorted({r["processInstanceKey"] for r in records})
        rows = self.get_many(keys)
        before = {key: _element_rows(row) for key, row in rows.items()}
        changed: dict[int, None] = {}
        for record in records:
            key = fold_row(rows, record)
            if key is not None:
                changed[key] = None
        written = [rows[key] for key in changed]
        self.db.executemany(UPSERT, [_to_sql(row) for row in written])
        # element rows are rewritten only where they differ (e.g. not for a migration that
        # keeps the element ids, or a variable update)
        elements = {row.key: _element_rows(row) for row in written}
        elements = {key: now for key, now in elements.items() if now != before.get(key)}
        self.db.executemany(
            "DELETE FROM engine_sim_list_view_elements WHERE instance_key = ?",
            [(key,) for key in elements if key in before],
        )
        self.db.executemany(
            "INSERT INTO engine_sim_list_view_elements (instance_key, element_id, active, incidents) "
            "VALUES (?, ?, ?, ?)",
            [entry for now in elements.values() for entry in now],
        )

    # -- queries -------------------------------------------------------------------------
    def query(self, flt: ListFilter) -> list[InstanceRow]:
        condition, params = self._where(flt)
        found = self.db.query(
            f"SELECT {COLUMNS} FROM engine_sim_list_view{condition} ORDER BY instance_key", params
        )
        return [_from_sql(values) for values in found]

    def keys(self, flt: ListFilter) -> list[int]:
        """The keys `query` would return, without loading their rows."""
        condition, params = self._where(flt)
        found = self.db.query(
            f"SELECT instance_key FROM engine_sim_list_view{condition} ORDER BY instance_key", params)
        return [values[0] for values in found]

    def states(self, keys: Iterable[int]) -> dict[int, str]:
        """The state of each of `keys` that has a row (a large selection loads no row)."""
        found = self.db.query_in(
            "SELECT instance_key, state FROM engine_sim_list_view WHERE instance_key IN ({})",
            list(keys))
        return {key: state for key, state in found}

    @staticmethod
    def _where(flt: ListFilter) -> tuple[str, list[object]]:
        where: list[str] = []
        params: list[object] = []
        if flt.process is not None:
            where.append("process_id = ?")
            params.append(flt.process)
        if flt.version is not None:
            where.append("version = ?")
            params.append(flt.version)
        if flt.states:
            where.append(f"state IN ({', '.join('?' * len(flt.states))})")
            params.extend(flt.states)
        if flt.element is not None:
            where.append(
                "instance_key IN (SELECT instance_key FROM engine_sim_list_view_elements "
                "WHERE element_id = ? AND active = 1)"
            )
            params.append(flt.element)
        return (f" WHERE {' AND '.join(where)}" if where else ""), params

    def get(self, key: int) -> InstanceRow | None:
        found = self.db.query(f"SELECT {COLUMNS} FROM engine_sim_list_view WHERE instance_key = ?", (key,))
        return _from_sql(found[0]) if found else None

    def get_many(self, keys: Iterable[int]) -> dict[int, InstanceRow]:
        found = self.db.query_in(
            f"SELECT {COLUMNS} FROM engine_sim_list_view WHERE instance_key IN ({{}})", list(keys)
        )
        return {values[0]: _from_sql(values) for values in found}

    def children(self, parent_key: int) -> list[InstanceRow]:
        found = self.db.query(
            f"SELECT {COLUMNS} FROM engine_sim_list_view WHERE parent_key = ? ORDER BY instance_key",
            (parent_key,),
        )
        return [_from_sql(values) for values in found]

    def element_statistics(self, definition_key: int) -> dict[str, dict[str, int]]:
        found = self.db.query(
            "SELECT e.element_id, SUM(CASE WHEN e.active > 0 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN e.incidents > 0 THEN 1 ELSE 0 END) "
            "FROM engine_sim_list_view_elements e JOIN engine_sim_list_view v "
            "ON v.instance_key = e.instance_key "
            "WHERE v.definition_key = ? AND v.state IN ('ACTIVE', 'INCIDENT') "
            "GROUP BY e.element_id",
            (definition_key,),
        )
        return {element_id: {"active": int(a), "incidents": int(i)} for element_id, a, i in found}

    def count(self) -> int:
        return int(self.db.query("SELECT COUNT(*) FROM engine_sim_list_view")[0][0])

    @property
    def rows(self) -> Mapping[int, InstanceRow]:
        """Every row by key, read on demand (a Mapping, like `ListView.rows`)."""
        return _Rows(self)

    def close(self) -> None:
        self.db.close()


class _Rows(Mapping[int, InstanceRow]):
    def __init__(self, view: SqlListView) -> None:
        self._view = view

    def __getitem__(self, key: int) -> InstanceRow:
        row = self._view.get(key)
        if row is None:
            raise KeyError(key)
        return row

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self._view.get(key) is not None

    def __iter__(self) -> Iterator[int]:
        found = self._view.db.query("SELECT instance_key FROM engine_sim_list_view ORDER BY instance_key")
        return iter([values[0] for values in found])

    def __len__(self) -> int:
        return self._view.count()

    def values(self) -> list[InstanceRow]:  # type: ignore[override]
        return self._view.query(ListFilter())
