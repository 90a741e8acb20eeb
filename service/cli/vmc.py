"""`facecast vmc AUDIO|- --to HOST:PORT`: VRM 1.0 expression presets and the head bone over the VMC
protocol (OSC over UDP), one bundle per frame, for VSeeFace, Warudo, VNyan, EVMC4U — the runtime
in-process or on --server, paced on the audio clock with --realtime (the default for stdin)."""

from __future__ import annotations

import argparse
import math

from runtime.errors import InvalidConfigError, UnsupportedFeatureError
from runtime.rigs.humanoid import head_local_rotation
from runtime.rigs.vrm import perfect_sync_expressions, vrm_expressions
from runtime.types import MotionFrame
from service.cli.clip_flags import clip_options
from service.cli.udp_bridge import add_bridge_arguments, send_frames
from service.udp_target import UdpTarget

DEFAULT_PORT = 39539  # a Marionette (EVMC4U in Unity, VMC4UE in Unreal); Performers take Assistants on 39540


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Send VRM 1.0 expressions (aa ih ou ee oh, blinks, emotions, looks) for AUDIO over the "
                          f"VMC protocol, one OSC bundle per frame (Marionettes listen on {DEFAULT_PORT}).")
    add_bridge_arguments(parser, "the VMC receiver", DEFAULT_PORT, "bundles")
    parser.add_argument("--perfect-sync", action="store_true",
                        help="send the 52 ARKit blendshapes as perfect-sync expressions (BrowInnerUp … TongueOut), "
                        "for avatars made for it; instead of the presets unless --presets")
    parser.add_argument("--presets", action=argparse.BooleanOptionalAction, default=None,
                        help="send the VRM 1.0 presets (default: on, off with --perfect-sync, whose avatars would "
                        "show the mouth and blinks twice)")
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
    presets = not args.perfect_sync if args.presets is None else args.presets
    if not presets and not args.perfect_sync:
        raise InvalidConfigError("--no-presets sends no expressions at all: add --perfect-sync")
    options = clip_options(args)

    def expressions(frame: MotionFrame) -> dict[str, float]:
        return ((vrm_expressions(frame, options.controls) if presets else {})
                | (perfect_sync_expressions(frame) if args.perfect_sync else {}))

    sent = send_frames(args, target, options,
                       lambda frame: encode_frame_bundle(frame.time_s, expressions(frame),
                                                         (head_offset, head_local_rotation(frame))))
    kinds = " and ".join(kind for kind, on in (("VRM presets", presets), ("perfect sync", args.perfect_sync)) if on)
    print(f"{target.host}:{target.port}: {sent} VMC frames ({kinds}, the Head bone), {options.fps} fps")
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
