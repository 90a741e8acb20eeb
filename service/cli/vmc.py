"""`facecast vmc AUDIO|- --to HOST:PORT`: VRM 1.0 expression presets over the VMC protocol (OSC
over UDP), one bundle per frame, for VSeeFace, Warudo, VNyan, EVMC4U — the runtime in-process,
paced on the audio clock with --realtime (the default for stdin)."""

from __future__ import annotations

import argparse

from runtime.errors import UnsupportedFeatureError
from runtime.rigs.vrm import vrm_expressions
from service.audio_clock import AudioClockPacer
from service.cli.audio_source import AUDIO_HELP, is_stdin, motion_frames
from service.cli.clip_flags import add_clip_flags, clip_options
from service.udp_target import UdpSender, UdpTarget

DEFAULT_PORT = 39539  # a Marionette (EVMC4U in Unity, VMC4UE in Unreal); Performers take Assistants on 39540


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Send VRM 1.0 expressions (aa ih ou ee oh, blinks, emotions, looks) for AUDIO over the "
                          f"VMC protocol, one OSC bundle per frame (Marionettes listen on {DEFAULT_PORT}).")
    parser.add_argument("audio", metavar="AUDIO", help=AUDIO_HELP)
    parser.add_argument("--to", required=True, metavar="HOST:PORT",
                        help=f"the VMC receiver, e.g. 127.0.0.1:{DEFAULT_PORT}")
    parser.add_argument("--realtime", action=argparse.BooleanOptionalAction, default=None,
                        help="pace bundles on the audio clock (default: on for stdin, off for a file)")
    add_clip_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from service.vmc_messages import encode_frame_bundle  # python-osc: an extra, only for this command
    except ModuleNotFoundError as missing:
        raise UnsupportedFeatureError(f"{missing.name} is not installed: pip install 'facecast[vmc]'") from None
    target = UdpTarget.parse(args.to)
    options = clip_options(args)
    pacer = AudioClockPacer() if (is_stdin(args.audio) if args.realtime is None else args.realtime) else None
    sent = 0
    with UdpSender(target) as sender:
        for frame in motion_frames(args.audio, options):
            if pacer is not None:
                pacer.wait_until(frame.time_s)
            sender.send(encode_frame_bundle(frame.time_s, vrm_expressions(frame, options.controls)))
            sent += 1
    print(f"{target.host}:{target.port}: {sent} VMC frames, {options.fps} fps")
    return 0
