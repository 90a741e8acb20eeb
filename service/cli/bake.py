"""`facecast bake AUDIO -o OUT.msgpack|OUT.json`: a motion clip file from an audio file, offline."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

import numpy as np
from tqdm import tqdm

from runtime.audio.files import DecodedAudio, load_audio
from runtime.audio.pcm import AudioEncoding, AudioFormat
from runtime.defaults import DEFAULT_FPS
from runtime.errors import InvalidConfigError
from runtime.motion_clip import check_clip_path, clip_document, write_clip
from runtime.pipeline import Animator, AnimatorOptions, run_clip
from runtime.types import MotionFrame
from runtime.version import package_version
from service.cli.control_flags import add_control_flags, add_mouth_model_flag, controls_from_flags

CHUNK_S = 0.5  # progress granularity; chunking does not change the result
IDLE_SAMPLE_RATE = 16_000


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "bake", help="write a motion clip (latents) for an audio file",
        description="Bake an audio file's motion latents into a clip file. With --idle, the clip starts "
                    "with that many seconds of idle life (or is only idle life, without AUDIO).")
    parser.add_argument("audio", type=Path, nargs="?", help="WAV, FLAC, OGG, MP3 (anything FFmpeg reads)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="OUT.msgpack or OUT.json")
    parser.add_argument("--fps", type=int, default=DEFAULT_FPS, help=f"frames per second (default {DEFAULT_FPS})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the head motion and blinks (default 0)")
    parser.add_argument("--idle", type=float, default=0.0, metavar="SECONDS",
                        help="seconds of idle life (listening, mouth closed) before the audio")
    add_mouth_model_flag(parser)
    add_control_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_clip_path(args.output)
    if args.audio is None and args.idle <= 0:
        raise InvalidConfigError("give an AUDIO file, or --idle SECONDS for a clip of idle life")
    audio = load_audio(args.audio) if args.audio else DecodedAudio(np.zeros(0, np.float32), IDLE_SAMPLE_RATE)
    options = AnimatorOptions(fps=args.fps, seed=args.seed, controls=controls_from_flags(args),
                              mouth_model=args.mouth_model,
                              audio_format=AudioFormat(AudioEncoding.FLOAT32LE, audio.sample_rate))
    animator = Animator(options)
    frames: list[MotionFrame] = [output for output in animator.push_silence(args.idle)
                                 if isinstance(output, MotionFrame)]
    total_s = args.idle + audio.duration_s
    with tqdm(total=round(total_s, 2), unit="s", desc="baking", leave=False) as progress:
        for output in run_clip(animator, audio.samples, CHUNK_S):
            if isinstance(output, MotionFrame):
                frames.append(output)
                progress.update(round(output.time_s, 2) - progress.n)
    versions = [asdict(version) for version in animator.model_versions]
    document = clip_document(frames, args.fps, animator.audio_duration_s, args.seed, versions,
                             f"facecast {package_version()}")
    write_clip(args.output, document)
    print(f"{args.output}: {len(frames)} frames at {args.fps} fps, {animator.audio_duration_s:.2f} s")
    return 0
