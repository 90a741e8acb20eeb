"""Live Link Face packets: the bytes Unreal's Apple ARKit face support reads on UDP (port 11111 by
default). A thin adapter: the values come from runtime.rigs.livelink, this only lays them out.

Layout (Epic's publisher, FAppleARKitLiveLinkRemotePublisher::PublishBlendShapes; network byte
order, packet version 6 as the current app sends):

    uint8   packet version (6)
    int32   device id length,    then that many UTF-8 bytes
    int32   subject name length, then that many UTF-8 bytes
    int32   frame number  · float32 subframe   (the frame time, FQualifiedFrameTime)
    int32   rate numerator · int32 denominator (the frame rate)
    uint8   value count (61)
    float32 × 61   52 ARKit shapes in Apple's order, head yaw/pitch/roll, left eye yaw/pitch/roll,
                   right eye yaw/pitch/roll
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from runtime.errors import InvalidConfigError
from runtime.rigs.livelink import NUM_LIVE_LINK_VALUES

PACKET_VERSION = 6
DEFAULT_PORT = 11111  # where Unreal's Live Link Face source listens unless told otherwise
MAX_NAME_BYTES = 255  # Epic's receiver sizes its buffer for 256 characters per string, terminator included

_HEADER = struct.Struct("!B")
_LENGTH = struct.Struct("!i")
_TIMING = struct.Struct("!ifiiB")  # frame number, subframe, rate numerator, rate denominator, value count
_VALUES = struct.Struct(f"!{NUM_LIVE_LINK_VALUES}f")


@dataclass(frozen=True)
class LiveLinkSource:
    """Who the packets say they come from: Unreal lists the subject by `subject_name`."""

    device_id: str
    subject_name: str

    def __post_init__(self) -> None:
        for name in ("device_id", "subject_name"):
            value = getattr(self, name)
            if not value or len(value.encode()) > MAX_NAME_BYTES:
                raise InvalidConfigError(f"{name} must be 1..{MAX_NAME_BYTES} UTF-8 bytes, got {value!r}")


def encode_packet(source: LiveLinkSource, frame_number: int, fps: int, values: np.ndarray) -> bytes:
    """One frame's packet: `values` are the 61 of runtime.rigs.livelink.live_link_values, the frame
    time is `frame_number` at `fps` frames per second (subframe 0: frames fall on whole indices)."""
    if values.shape != (NUM_LIVE_LINK_VALUES,):
        raise ValueError(f"a Live Link Face packet carries {NUM_LIVE_LINK_VALUES} values, got {values.shape}")
    return b"".join((
        _HEADER.pack(PACKET_VERSION),
        _string(source.device_id),
        _string(source.subject_name),
        _TIMING.pack(frame_number, 0.0, fps, 1, NUM_LIVE_LINK_VALUES),
        _VALUES.pack(*values.tolist()),
    ))


def _string(text: str) -> bytes:
    encoded = text.encode()
    return _LENGTH.pack(len(encoded)) + encoded
