"""`facecast bake AUDIO -o OUT.msgpack|OUT.json`: a motion clip file from an audio file, offline."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from tqdm import tqdm

from runtime.audio.files import load_audio
from runtime.audio.pcm import AudioEncoding, AudioFormat
from runtime.motion_clip import check_clip_path, clip_document, write_clip
from runtime.pipeline import DEFAULT_FPS, Animator, AnimatorOptions, run_clip
from runtime.types import MotionFrame
from runtime.version import package_version

CHUNK_S = 0.5  # progress granularity; chunking does not change the result


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("bake", help="write a motion clip (latents) for an audio file",
                                 description="Bake an audio file's motion latents into a clip file.")
    parser.add_argument("audio", type=Path, help="WAV, FLAC, OGG, MP3 (anything FFmpeg reads)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="OUT.msgpack or OUT.json")
    parser.add_argument("--fps", type=int, default=DEFAULT_FPS, help=f"frames per second (default {DEFAULT_FPS})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the head motion and blinks (default 0)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_clip_path(args.output)
    audio = load_audio(args.audio)
    options = AnimatorOptions(fps=args.fps, seed=args.seed,
                              audio_format=AudioFormat(AudioEncoding.FLOAT32LE, audio.sample_rate))
    animator = Animator(options)
    frames: list[MotionFrame] = []
    with tqdm(total=round(audio.duration_s, 2), unit="s", desc="baking", leave=False) as progress:
        for output in run_clip(animator, audio.samples, CHUNK_S):
            if isinstance(output, MotionFrame):
                frames.append(output)
                progress.update(round(output.time_s, 2) - progress.n)
    versions = [asdict(version) for version in animator.model_versions]
    document = clip_document(frames, args.fps, audio.duration_s, args.seed, versions,
                             f"facecast {package_version()}")
    write_clip(args.output, document)
    print(f"{args.output}: {len(frames)} frames at {args.fps} fps, {audio.duration_s:.2f} s of audio")
    return 0
