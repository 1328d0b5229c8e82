"""The composition root: one place that builds an engine with everything around it.

`EngineApp` opens the engine on a store, installs migration's command processors, and opens
the read side on demand: the list view and the operations view (durable tables on SQLite
and PostgreSQL, in memory otherwise), optionally the record log, all fed by one stream
follower, and `Operate` (selection, preview, batch operations) over them. The CLI, the
scenario runner and Python callers all start here.
"""

from __future__ import annotations

from datetime import datetime

from engine_sim.engine import Engine
from engine_sim.engine.engine import DEFAULT_START
from engine_sim.persistence import Store, parse_store_url
from engine_sim.projections import AnyListView, RecordLog, StreamFollower, open_list_view
from migration import install
from migration.operate import Operate


class EngineApp:
    def __init__(self, store: Store | str = "memory:", *, start_time: datetime = DEFAULT_START,
                 record_log: bool = False) -> None:
        self.engine = Engine(parse_store_url(store) if isinstance(store, str) else store,
                             start_time=start_time)
        install(self.engine)
        self.log = RecordLog() if record_log else None
        self._list_view: AnyListView | None = None
        self._follower: StreamFollower | None = None
        self._operate: Operate | None = None

    @property
    def list_view(self) -> AnyListView:
        """Opened on first use, so that commands which never read it stay fast."""
        if self._list_view is None:
            self._list_view = open_list_view(self.engine.store)
            projections = [self._list_view] if self.log is None else [self._list_view, self.log]
            self._follower = StreamFollower(self.engine.app, projections)
            self.engine.saved_listeners.append(self._follower.receive)
        return self._list_view

    @property
    def follower(self) -> StreamFollower:
        self.list_view  # noqa: B018 - opens the view and its follower
        assert self._follower is not None
        return self._follower

    @property
    def operate(self) -> Operate:
        """Selection, preview and batch operations over the list and operations views."""
        if self._operate is None:
            self._operate = Operate(self.engine, self.list_view, self.follower)
        return self._operate

    def views(self) -> AnyListView:
        """The list view, caught up with the store (the operations view follows too)."""
        self.operate  # noqa: B018
        self.follower.catch_up()
        return self.list_view

    def close(self) -> None:
        if self._list_view is not None:
            self._list_view.close()
        self.engine.close()
