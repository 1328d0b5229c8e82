"""How an exported record line is marked: `engine-sim replay --records` and
`engine_sim.api.Engine.export_records` write the same lines."""

from __future__ import annotations

import json

SCENARIO_MARK = b'{"scenario":'  # how a line marked with its scenario starts


def marked(encoded: bytes, scenario: str | None = None, partition: int | None = None) -> bytes:
    """A record's JSON object `encoded`, marked: a first field `"scenario": NAME`, then (a
    partitioned store's record) `"partitionId": N`, then the record's own fields."""
    if partition is not None:
        encoded = b'{"partitionId":' + str(int(partition)).encode() + b"," + encoded[1:]
    if scenario is not None:
        encoded = (SCENARIO_MARK + json.dumps(scenario, ensure_ascii=False).encode() + b","
                   + encoded[1:])
    return encoded
