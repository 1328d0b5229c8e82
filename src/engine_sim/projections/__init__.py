"""Read models folded from the event stream: the instance list view and the record log.

On the memory store the views live in memory and are folded from notification 0; on SQLite
and PostgreSQL the list view (and `migration.views`' operations view) keep their rows and
their position in tables of the store's database and continue from there after a restart.
`open_list_view` chooses by store.
"""

from __future__ import annotations

from engine_sim.persistence import Store
from engine_sim.projections.follower import MemoryProjection, Projection, StreamFollower
from engine_sim.projections.list_view import RUNNING_STATES, InstanceRow, ListFilter, ListView
from engine_sim.projections.record_log import RecordLog
from engine_sim.projections.sql import ProjectionDatabase, SqlProjection
from engine_sim.projections.sql_list_view import SqlListView

AnyListView = ListView | SqlListView


def open_list_view(store: Store) -> AnyListView:
    """The list view for `store`: in memory for `memory:`, durable for SQLite/PostgreSQL."""
    if store.kind == "memory" or store.read_only:  # a read-only store: folded afresh
        return ListView()
    return SqlListView(ProjectionDatabase(store))


__all__ = [
    "RUNNING_STATES",
    "AnyListView",
    "InstanceRow",
    "ListFilter",
    "ListView",
    "MemoryProjection",
    "Projection",
    "ProjectionDatabase",
    "RecordLog",
    "SqlListView",
    "SqlProjection",
    "StreamFollower",
    "open_list_view",
]
