"""`facecast vmc AUDIO|- --to HOST:PORT`: VRM 1.0 expression presets over the VMC protocol (OSC
over UDP), one bundle per frame, for VSeeFace, Warudo, VNyan, EVMC4U — the runtime in-process,
paced on the audio clock with --realtime (the default for stdin)."""

from __future__ import annotations

import argparse

from runtime.errors import UnsupportedFeatureError
from runtime.rigs.vrm import vrm_expressions
from service.cli.clip_flags import clip_options
from service.cli.udp_bridge import add_bridge_arguments, send_frames
from service.udp_target import UdpTarget

DEFAULT_PORT = 39539  # a Marionette (EVMC4U in Unity, VMC4UE in Unreal); Performers take Assistants on 39540


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Send VRM 1.0 expressions (aa ih ou ee oh, blinks, emotions, looks) for AUDIO over the "
                          f"VMC protocol, one OSC bundle per frame (Marionettes listen on {DEFAULT_PORT}).")
    add_bridge_arguments(parser, "the VMC receiver", DEFAULT_PORT, "bundles")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from service.vmc_messages import encode_frame_bundle  # python-osc: an extra, only for this command
    except ModuleNotFoundError as missing:
        raise UnsupportedFeatureError(f"{missing.name} is not installed: pip install 'facecast[vmc]'") from None
    target = UdpTarget.parse(args.to)
    options = clip_options(args)
    sent = send_frames(args, target, options,
                       lambda frame: encode_frame_bundle(frame.time_s, vrm_expressions(frame, options.controls)))
    print(f"{target.host}:{target.port}: {sent} VMC frames, {options.fps} fps")
    return 0
