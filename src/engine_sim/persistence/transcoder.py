"""A msgspec (MessagePack) transcoder for stored events.

The library's default JSON transcoder is several times slower and turns datetimes into
strings that need registered transcodings; MessagePack keeps datetimes natively (its
timestamp extension) and we carry UUIDs as an extension type, so every event round-trips
losslessly (tests/unit/persistence checks each event class).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import Transcoder

_UUID_EXT = 1


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, UUID):
        return msgspec.msgpack.Ext(_UUID_EXT, obj.bytes)
    if isinstance(obj, (tuple, frozenset, set)):
        return list(obj)
    raise NotImplementedError(f"cannot store {type(obj).__name__}: {obj!r}")


def _ext_hook(code: int, data: memoryview) -> Any:
    if code == _UUID_EXT:
        return UUID(bytes=bytes(data))
    raise NotImplementedError(f"unknown extension type {code}")


class MsgspecTranscoder(Transcoder):
    def __init__(self) -> None:
        self._encoder = msgspec.msgpack.Encoder(enc_hook=_enc_hook)
        self._decoder = msgspec.msgpack.Decoder(ext_hook=_ext_hook)

    def encode(self, obj: Any) -> bytes:
        return self._encoder.encode(obj)

    def decode(self, data: bytes) -> Any:
        return self._decoder.decode(data)
