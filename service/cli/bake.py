"""`facecast bake [AUDIO] -o OUT.msgpack|OUT.json`: a motion clip file from an audio file, offline
(runtime.offline.bake_clip)."""

from __future__ import annotations

import argparse
from pathlib import Path

from runtime.atomic_file import check_output_directory
from runtime.audio.files import load_audio
from runtime.motion_clip import check_clip_path, write_clip
from runtime.progress_bar import progress_bar
from service.cli.clip_flags import add_clip_flags, clip_options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Bake an audio file's motion latents into a clip file. With --idle-s, the clip starts "
                          "with that many seconds of idle life (or is only idle life, without AUDIO). With "
                          "--listen, the face also listens to another voice on the same clock (or only "
                          "listens, without AUDIO).")
    parser.add_argument("audio", type=Path, nargs="?", help="WAV, FLAC, OGG, MP3 (anything FFmpeg reads)")
    parser.add_argument("--listen", type=Path, metavar="OTHER",
                        help="the other party's voice (an audio file): the face listens while it speaks")
    parser.add_argument("-o", "--output", type=Path, required=True, help="OUT.msgpack or OUT.json")
    add_clip_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_clip_path(args.output)  # before the work, not after it
    check_output_directory(args.output)
    options = clip_options(args)
    audio = load_audio(args.audio) if args.audio else None
    listen = load_audio(args.listen) if args.listen else None
    from runtime.offline import bake_clip  # the pipeline and its models: once the flags and files are good

    with progress_bar("baking") as progress:
        clip = bake_clip(audio, options, progress, listen)
    write_clip(args.output, clip.document())
    print(f"{args.output}: {len(clip.frames)} frames at {options.fps} fps, {clip.info.duration_s:.2f} s")
    return 0
