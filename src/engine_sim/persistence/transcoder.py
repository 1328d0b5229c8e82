"""A msgspec (MessagePack) transcoder for stored events.

The library's default JSON transcoder is several times slower and turns datetimes into
strings that need registered transcodings; MessagePack keeps datetimes natively (its
timestamp extension), so every event's state round-trips losslessly (tests check each
event class). Event states hold no UUIDs: the mapper stores the originator id apart, and
msgspec would write a UUID as a plain string.
"""

from __future__ import annotations

from typing import Any

import msgspec
from eventsourcing.persistence import Transcoder


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, (frozenset, set)):
        return list(obj)
    raise NotImplementedError(f"cannot store {type(obj).__name__}: {obj!r}")


class MsgspecTranscoder(Transcoder):
    def __init__(self) -> None:
        self._encoder = msgspec.msgpack.Encoder(enc_hook=_enc_hook)
        self._decoder = msgspec.msgpack.Decoder()

    def encode(self, obj: Any) -> bytes:
        return self._encoder.encode(obj)

    def decode(self, data: bytes) -> Any:
        return self._decoder.decode(data)
