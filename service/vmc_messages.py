"""VMC protocol packets (OSC over UDP, protocol.vmc.info): one OSC bundle per frame holding
`/VMC/Ext/OK 1`, `/VMC/Ext/T time`, `/VMC/Ext/Bone/Pos Head px py pz qx qy qz qw` (the head's
local pose in Unity's axes), a `/VMC/Ext/Blend/Val name value` per expression, then
`/VMC/Ext/Blend/Apply`. A thin adapter: the numbers come from runtime.rigs (vrm, humanoid).
One bundle, not a datagram per message, so a receiver never applies half a frame."""

from __future__ import annotations

from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder

from runtime.rigs.humanoid import HEAD_BONE, Quaternion

Position = tuple[float, float, float]  # x, y, z in metres, Unity's axes


def encode_frame_bundle(time_s: float, expressions: dict[str, float],
                        head: tuple[Position, Quaternion] | None = None) -> bytes:
    """The frame's bundle: `expressions` maps expression names (VRM presets, ARKit names) to
    weights in [0, 1]; `head` is the Head bone's local position and rotation, if sent."""
    bundle = OscBundleBuilder(IMMEDIATELY)
    bundle.add_content(_message("/VMC/Ext/OK", 1))
    bundle.add_content(_message("/VMC/Ext/T", float(time_s)))
    if head is not None:
        position, rotation = head
        pose = (float(value) for value in (*position, *rotation))
        bundle.add_content(_message("/VMC/Ext/Bone/Pos", HEAD_BONE, *pose))
    for name, weight in expressions.items():
        bundle.add_content(_message("/VMC/Ext/Blend/Val", name, float(weight)))
    bundle.add_content(_message("/VMC/Ext/Blend/Apply"))
    return bundle.build().dgram


def _message(address: str, *arguments: object):
    message = OscMessageBuilder(address)
    for argument in arguments:
        message.add_arg(argument)
    return message.build()
