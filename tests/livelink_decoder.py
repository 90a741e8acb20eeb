"""A Live Link Face packet decoder written from Epic's format description (the publisher,
FAppleARKitLiveLinkRemotePublisher::PublishBlendShapes, as /shared/REFERENCES.md records it), not
from our encoder: the peer the bridge's packets are checked against.

    uint8 version · int32 length + device id bytes · int32 length + subject name bytes ·
    int32 frame · float subframe · int32 rate numerator · int32 rate denominator ·
    uint8 count · count × float       (network byte order)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# The 61 curves, in Epic's EARFaceBlendShape order.
CURVES = (
    "EyeBlinkLeft", "EyeLookDownLeft", "EyeLookInLeft", "EyeLookOutLeft", "EyeLookUpLeft", "EyeSquintLeft",
    "EyeWideLeft", "EyeBlinkRight", "EyeLookDownRight", "EyeLookInRight", "EyeLookOutRight", "EyeLookUpRight",
    "EyeSquintRight", "EyeWideRight", "JawForward", "JawLeft", "JawRight", "JawOpen", "MouthClose",
    "MouthFunnel", "MouthPucker", "MouthLeft", "MouthRight", "MouthSmileLeft", "MouthSmileRight",
    "MouthFrownLeft", "MouthFrownRight", "MouthDimpleLeft", "MouthDimpleRight", "MouthStretchLeft",
    "MouthStretchRight", "MouthRollLower", "MouthRollUpper", "MouthShrugLower", "MouthShrugUpper",
    "MouthPressLeft", "MouthPressRight", "MouthLowerDownLeft", "MouthLowerDownRight", "MouthUpperUpLeft",
    "MouthUpperUpRight", "BrowDownLeft", "BrowDownRight", "BrowInnerUp", "BrowOuterUpLeft",
    "BrowOuterUpRight", "CheekPuff", "CheekSquintLeft", "CheekSquintRight", "NoseSneerLeft",
    "NoseSneerRight", "TongueOut", "HeadYaw", "HeadPitch", "HeadRoll", "LeftEyeYaw", "LeftEyePitch",
    "LeftEyeRoll", "RightEyeYaw", "RightEyePitch", "RightEyeRoll",
)


@dataclass(frozen=True)
class Packet:
    version: int
    device_id: str
    subject_name: str
    frame: int
    subframe: float
    rate: tuple[int, int]
    curves: dict[str, float]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from("!" + fmt, self.data, self.at)
        self.at += struct.calcsize("!" + fmt)
        return values

    def text(self) -> str:
        (length,) = self.take("i")
        raw = self.data[self.at:self.at + length]
        assert len(raw) == length, "string runs past the packet"
        self.at += length
        return raw.decode("utf-8")


def decode(data: bytes) -> Packet:
    reader = _Reader(data)
    (version,) = reader.take("B")
    device_id, subject_name = reader.text(), reader.text()
    frame, subframe, numerator, denominator, count = reader.take("ifiiB")
    values = reader.take(f"{count}f")
    assert reader.at == len(data), f"{len(data) - reader.at} bytes after the curves"
    assert count == len(CURVES), f"{count} curves"
    return Packet(version, device_id, subject_name, frame, subframe, (numerator, denominator),
                  dict(zip(CURVES, values, strict=True)))
