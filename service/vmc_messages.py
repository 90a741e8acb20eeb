"""VMC protocol packets (OSC over UDP, protocol.vmc.info): one OSC bundle per frame holding
`/VMC/Ext/OK 1`, `/VMC/Ext/T time`, a `/VMC/Ext/Blend/Val name value` per VRM 1.0 expression
preset, then `/VMC/Ext/Blend/Apply`. A thin adapter: the weights come from runtime.rigs.vrm.
One bundle, not a datagram per message, so a receiver never applies half a frame's expressions."""

from __future__ import annotations

from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder


def encode_frame_bundle(time_s: float, expressions: dict[str, float]) -> bytes:
    """The frame's bundle: `expressions` maps VRM preset names to weights in [0, 1]."""
    bundle = OscBundleBuilder(IMMEDIATELY)
    bundle.add_content(_message("/VMC/Ext/OK", 1))
    bundle.add_content(_message("/VMC/Ext/T", float(time_s)))
    for name, weight in expressions.items():
        bundle.add_content(_message("/VMC/Ext/Blend/Val", name, float(weight)))
    bundle.add_content(_message("/VMC/Ext/Blend/Apply"))
    return bundle.build().dgram


def _message(address: str, *arguments: object):
    message = OscMessageBuilder(address)
    for argument in arguments:
        message.add_arg(argument)
    return message.build()
