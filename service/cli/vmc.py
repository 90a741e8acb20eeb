"""`facecast vmc AUDIO|- --to HOST:PORT`: VRM 1.0 expression presets and the head bone over the VMC
protocol (OSC over UDP), one bundle per frame, for VSeeFace, Warudo, VNyan, EVMC4U — the runtime
in-process or on --server, paced on the audio clock with --realtime (the default for stdin)."""

from __future__ import annotations

import argparse
import math

from runtime.errors import InvalidConfigError, UnsupportedFeatureError
from runtime.rigs.humanoid import head_local_rotation
from runtime.rigs.vrm import vrm_expressions
from service.cli.clip_flags import clip_options
from service.cli.udp_bridge import add_bridge_arguments, send_frames
from service.udp_target import UdpTarget

DEFAULT_PORT = 39539  # a Marionette (EVMC4U in Unity, VMC4UE in Unreal); Performers take Assistants on 39540


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Send VRM 1.0 expressions (aa ih ou ee oh, blinks, emotions, looks) for AUDIO over the "
                          f"VMC protocol, one OSC bundle per frame (Marionettes listen on {DEFAULT_PORT}).")
    add_bridge_arguments(parser, "the VMC receiver", DEFAULT_PORT, "bundles")
    parser.add_argument("--head-offset", default="0,0,0", metavar="X,Y,Z",
                        help="the avatar's Head bone position relative to its Neck, metres in Unity's axes, sent "
                        "with the head's rotation; only receivers that apply bone positions (EVMC4U's Bone Position "
                        "Synchronize) use it (default 0,0,0)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from service.vmc_messages import encode_frame_bundle  # python-osc: an extra, only for this command
    except ModuleNotFoundError as missing:
        raise UnsupportedFeatureError(f"{missing.name} is not installed: pip install 'facecast[vmc]'") from None
    target = UdpTarget.parse(args.to)
    head_offset = _head_offset(args.head_offset)
    options = clip_options(args)
    sent = send_frames(args, target, options,
                       lambda frame: encode_frame_bundle(frame.time_s, vrm_expressions(frame, options.controls),
                                                         (head_offset, head_local_rotation(frame))))
    print(f"{target.host}:{target.port}: {sent} VMC frames, {options.fps} fps")
    return 0


def _head_offset(text: str) -> tuple[float, float, float]:
    parts = text.split(",")
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        values = ()
    if len(values) != 3 or not all(math.isfinite(value) for value in values):
        raise InvalidConfigError(f"--head-offset takes X,Y,Z in metres, got {text!r}")
    return values
