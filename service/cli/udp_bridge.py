"""What `facecast livelink` and `facecast vmc` share: AUDIO, --to and --realtime, and the loop that
turns each motion frame into one datagram, paced on the audio clock when asked (the default for
stdin, a live source) — the runtime in-process."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from runtime.offline import ClipOptions
from runtime.types import MotionFrame
from service.audio_clock import AudioClockPacer
from service.cli.audio_source import AUDIO_HELP, is_stdin, motion_frames
from service.cli.clip_flags import add_clip_flags
from service.udp_target import UdpSender, UdpTarget


def add_bridge_arguments(parser: argparse.ArgumentParser, receiver: str, default_port: int, unit: str) -> None:
    """AUDIO, --to, --realtime and the clip flags; `unit` names what one datagram carries."""
    parser.add_argument("audio", metavar="AUDIO", help=AUDIO_HELP)
    parser.add_argument("--to", required=True, metavar="HOST:PORT",
                        help=f"{receiver}, e.g. 127.0.0.1:{default_port}")
    parser.add_argument("--realtime", action=argparse.BooleanOptionalAction, default=None,
                        help=f"pace {unit} on the audio clock (default: on for stdin, off for a file)")
    add_clip_flags(parser)


def send_frames(args: argparse.Namespace, target: UdpTarget, options: ClipOptions,
                encode: Callable[[MotionFrame], bytes]) -> int:
    """Sends one datagram per frame of AUDIO; returns how many were sent."""
    realtime = is_stdin(args.audio) if args.realtime is None else args.realtime
    pacer = AudioClockPacer() if realtime else None
    sent = 0
    with UdpSender(target) as sender:
        for frame in motion_frames(args.audio, options):
            if pacer is not None:
                pacer.wait_until(frame.time_s)
            sender.send(encode(frame))
            sent += 1
    return sent
