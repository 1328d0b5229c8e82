"""Projections follow the application's event stream (its notification log).

The follower pulls new notifications after each command (deterministic: a simulator wants
the views current when the next step reads them), decodes each stored event once and hands
its records, in position order, to every projection. Its position is the last notification
id folded, so a restarted follower continues where it stopped.
"""

from __future__ import annotations

from typing import Any, Protocol

from eventsourcing.application import Application

PAGE = 500


class Projection(Protocol):
    def fold(self, record: dict[str, Any]) -> None: ...


class StreamFollower:
    def __init__(self, app: Application, projections: list[Projection], position: int = 0) -> None:
        self.app = app
        self.projections = projections
        self.position = position

    def catch_up(self) -> int:
        """Fold every notification after `position`; return how many were folded."""
        folded = 0
        recorder = self.app.recorder
        mapper = self.app.mapper
        while True:
            notifications = recorder.select_notifications(
                start=self.position, limit=PAGE, inclusive_of_start=False
            )
            if not notifications:
                return folded
            records: list[dict[str, Any]] = []
            for notification in notifications:
                event = mapper.to_domain_event(notification)
                records.extend(getattr(event, "records", ()))
            records.sort(key=lambda r: r["position"])
            for record in records:
                for projection in self.projections:
                    projection.fold(record)
            self.position = notifications[-1].id
            folded += len(notifications)
