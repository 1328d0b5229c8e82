"""Read models folded from the event stream: the instance list view and the record log."""

from engine_sim.projections.follower import StreamFollower
from engine_sim.projections.list_view import InstanceRow, ListFilter, ListView
from engine_sim.projections.record_log import RecordLog

__all__ = ["InstanceRow", "ListFilter", "ListView", "RecordLog", "StreamFollower"]
