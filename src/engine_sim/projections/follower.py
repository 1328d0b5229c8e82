"""Projections follow the application's event stream (its notification log).

The follower pulls new notifications when asked (deterministic: a simulator wants the views
current when the next step reads them), decodes each stored event once and hands the
records of a page of notifications, in position order, to every projection that has not
folded them yet.

A follower in the writing process also `receive`s what the engine has just saved (the
records it still holds in memory); while those notifications follow on from its position
without a gap, `catch_up` folds them without reading or decoding them again, and reads the
store only for what it did not receive (another writer's notifications, or any after a gap).

Each projection keeps its own position, the last notification id it folded: an in-memory
projection starts at 0, a durable one (`SqlListView`, `migration.views.SqlOperationsView`)
at the position stored with its rows. The follower reads from the lowest position, and a
projection ignores every notification at or below its own, so folding a page twice never
counts twice, and a projection added later (or reopened after a restart) catches up alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.application import Application

PAGE = 500
Record = dict[str, Any]
# (notification id, record), in record position order
Page = Sequence[tuple[int, Record]]


class Projection(Protocol):
    position: int

    def fold_page(self, page: Page, last_id: int) -> None:
        """Fold the records of notifications after `position`; then `position` >= last_id."""


class MemoryProjection:
    """A projection kept in memory: folds record by record, from notification 0."""

    position: int = 0

    def fold(self, record: Record) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def fold_page(self, page: Page, last_id: int) -> None:
        position = self.position
        for notification_id, record in page:
            if notification_id > position:
                self.fold(record)
        self.position = max(position, last_id)


class StreamFollower:
    def __init__(self, app: Application[Any], projections: list[Any], position: int = 0) -> None:
        self.app = app
        self.projections = projections
        self._start = position  # where a follower without projections stands
        self._received: list[tuple[int, Sequence[Record]]] = []  # contiguous notifications

    def receive(self, written: list[tuple[int, Sequence[Record]]]) -> None:
        """Notifications this process just saved, in id order. Kept while they follow on
        without a gap (folded by `catch_up`, at the latest once a page is full)."""
        if not written:
            return
        last = self._received[-1][0] if self._received else self.position
        if written[0][0] != last + 1:
            self._received.clear()  # a gap: the store is read for all of it
            return
        self._received.extend(written)
        if len(self._received) >= PAGE:
            self._fold_received()

    def _fold_received(self) -> None:
        received, self._received = self._received, []
        if not received or received[0][0] != self.position + 1:
            return  # the projections moved on without it (a catch-up read the store)
        for start in range(0, len(received), PAGE):
            chunk = received[start:start + PAGE]
            page = [(notification_id, r) for notification_id, records in chunk for r in records]
            self._fold(page, chunk[-1][0])

    @property
    def position(self) -> int:
        """The lowest position of its projections: where the next read starts."""
        return min((p.position for p in self.projections), default=self._start)

    def catch_up(self) -> int:
        """Fold every notification after `position`; return how many were read."""
        self._fold_received()
        folded = 0
        recorder = self.app.recorder
        mapper = self.app.mapper
        while True:
            start = self.position
            notifications = recorder.select_notifications(
                start=start, limit=PAGE, inclusive_of_start=False
            )
            if not notifications:
                return folded
            page: list[tuple[int, Record]] = []
            for notification in notifications:
                event = mapper.to_domain_event(notification)
                page.extend((notification.id, r) for r in getattr(event, "records", ()))
            self._fold(page, notifications[-1].id)
            folded += len(notifications)

    def _fold(self, page: list[tuple[int, Record]], last_id: int) -> None:
        page.sort(key=lambda entry: entry[1]["position"])
        for projection in self.projections:
            if projection.position < last_id:
                projection.fold_page(page, last_id)
        self._start = max(self._start, last_id)
