"""`facecast livelink AUDIO|- --to HOST:PORT`: Live Link Face packets, one UDP datagram per frame,
for Unreal's Apple ARKit face support (a MetaHuman's face) — the runtime in-process, paced on the
audio clock with --realtime (the default for stdin)."""

from __future__ import annotations

import argparse

from runtime.rigs.livelink import live_link_values
from service.audio_clock import AudioClockPacer
from service.cli.audio_source import AUDIO_HELP, is_stdin, motion_frames
from service.cli.clip_flags import add_clip_flags, clip_options
from service.livelink_packet import DEFAULT_PORT, LiveLinkSource, encode_packet
from service.udp_target import UdpSender, UdpTarget

DEVICE_ID = "Facecast"  # Epic's app sends the phone's id; Unreal keys its subjects by name, not by this
DEFAULT_SUBJECT = "Facecast"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Send Live Link Face packets (52 ARKit curves, head and eye angles) for AUDIO to Unreal's "
                          f"Live Link, one UDP datagram per frame (Unreal listens on port {DEFAULT_PORT}).")
    parser.add_argument("audio", metavar="AUDIO", help=AUDIO_HELP)
    parser.add_argument("--to", required=True, metavar="HOST:PORT",
                        help=f"where Unreal listens, e.g. 127.0.0.1:{DEFAULT_PORT}")
    parser.add_argument("--subject", default=DEFAULT_SUBJECT,
                        help=f"the Live Link subject name (default {DEFAULT_SUBJECT})")
    parser.add_argument("--realtime", action=argparse.BooleanOptionalAction, default=None,
                        help="pace packets on the audio clock (default: on for stdin, off for a file)")
    add_clip_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    target = UdpTarget.parse(args.to)  # every check before the model loads
    source = LiveLinkSource(DEVICE_ID, args.subject)
    options = clip_options(args)
    realtime = is_stdin(args.audio) if args.realtime is None else args.realtime
    pacer = AudioClockPacer() if realtime else None
    sent = 0
    with UdpSender(target) as sender:
        for frame in motion_frames(args.audio, options):
            if pacer is not None:
                pacer.wait_until(frame.time_s)
            sender.send(encode_packet(source, frame.index, options.fps, live_link_values(frame)))
            sent += 1
    print(f"{target.host}:{target.port}: {sent} Live Link Face packets, subject {source.subject_name!r}, "
          f"{options.fps} fps")
    return 0
