"""`facecast livelink AUDIO|- --to HOST:PORT`: Live Link Face packets, one UDP datagram per frame,
for Unreal's Apple ARKit face support (a MetaHuman's face) — the runtime in-process or on --server,
paced on the audio clock with --realtime (the default for stdin)."""

from __future__ import annotations

import argparse

from runtime.rigs.livelink import live_link_values
from service.cli.clip_flags import clip_options
from service.cli.udp_bridge import add_bridge_arguments, send_frames
from service.livelink_packet import DEFAULT_PORT, LiveLinkSource, encode_packet
from service.udp_target import UdpTarget

DEVICE_ID = "Facecast"  # Epic's app sends the phone's id; Unreal keys its subjects by name, not by this
DEFAULT_SUBJECT = "Facecast"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Send Live Link Face packets (52 ARKit curves, head and eye angles) for AUDIO to Unreal's "
                          f"Live Link, one UDP datagram per frame (Unreal listens on port {DEFAULT_PORT}).")
    add_bridge_arguments(parser, "where Unreal listens", DEFAULT_PORT, "packets")
    parser.add_argument("--subject", default=DEFAULT_SUBJECT,
                        help=f"the Live Link subject name (default {DEFAULT_SUBJECT})")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    target = UdpTarget.parse(args.to)  # every check before the model loads
    source = LiveLinkSource(DEVICE_ID, args.subject)
    options = clip_options(args)
    sent = send_frames(args, target, options,
                       lambda frame: encode_packet(source, frame.index, options.fps, live_link_values(frame)))
    print(f"{target.host}:{target.port}: {sent} Live Link Face packets, subject {source.subject_name!r}, "
          f"{options.fps} fps")
    return 0
