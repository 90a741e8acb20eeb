"""`facecast render IMAGE AUDIO -o OUT.mp4`: a talking portrait as a video, offline."""

from __future__ import annotations

import argparse
from pathlib import Path

from tqdm import tqdm

from runtime.audio.files import load_audio
from runtime.audio.pcm import AudioEncoding, AudioFormat
from runtime.defaults import DEFAULT_FPS
from runtime.errors import InvalidConfigError
from runtime.pipeline import Animator, AnimatorOptions, run_clip
from runtime.render.framing import (
    DEFAULT_FRAME_OPTIONS,
    DEFAULT_FRAME_SIZE,
    MAX_FRAME_SIZE,
    MIN_FRAME_SIZE,
    FrameOptions,
    Framing,
)
from runtime.types import MotionFrame
from service.cli.control_flags import add_control_flags, add_mouth_model_flag, controls_from_flags
from service.cli.quiet import native_stderr_silenced

BATCH = 8  # frames rendered together


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("render", help="render a portrait speaking an audio file to MP4",
                                 description="Render IMAGE speaking AUDIO as H.264 video with the audio muxed in.")
    parser.add_argument("image", type=Path, help="a portrait with one face (photo, painting, drawing)")
    parser.add_argument("audio", type=Path, help="WAV, FLAC, OGG, MP3 (anything FFmpeg reads)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="OUT.mp4")
    parser.add_argument("--fps", type=int, default=DEFAULT_FPS, help=f"frames per second (default {DEFAULT_FPS})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the head motion and blinks (default 0)")
    parser.add_argument("--size", type=int, default=DEFAULT_FRAME_SIZE,
                        help=f"the video's longer side in pixels, {MIN_FRAME_SIZE}..{MAX_FRAME_SIZE} "
                             f"(default {DEFAULT_FRAME_SIZE})")
    parser.add_argument("--framing", choices=[framing.value for framing in Framing],
                        default=DEFAULT_FRAME_OPTIONS.framing.value,
                        help="head: head and shoulders; face: a close crop of the face; portrait: the whole image "
                             f"(default {DEFAULT_FRAME_OPTIONS.framing.value})")
    add_mouth_model_flag(parser)
    add_control_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.output.suffix.lower() != ".mp4":
        raise InvalidConfigError(f"{args.output}: the output must end in .mp4")
    if not args.image.is_file():
        raise InvalidConfigError(f"{args.image}: no such file")
    frame_options = FrameOptions(size=args.size, framing=Framing(args.framing))
    audio = load_audio(args.audio)
    avatar = _avatar(args.image)
    options = AnimatorOptions(fps=args.fps, seed=args.seed, controls=controls_from_flags(args),
                              mouth_model=args.mouth_model,
                              rest=avatar.rest_state,
                              audio_format=AudioFormat(AudioEncoding.FLOAT32LE, audio.sample_rate))
    frames = [output for output in run_clip(Animator(options), audio.samples) if isinstance(output, MotionFrame)]
    from runtime.render.frame_renderer import FrameRenderer  # torch: only when rendering
    from runtime.render.video import write_video

    renderer = FrameRenderer(avatar, frame_options)
    with tqdm(total=len(frames), unit="frame", desc="rendering", leave=False) as progress:
        written = write_video(args.output, _rendered(renderer, frames, progress), (renderer.width, renderer.height),
                              args.fps, audio.samples, audio.sample_rate)
    print(f"{args.output}: {written} frames at {args.fps} fps, {renderer.width}x{renderer.height}, "
          f"{audio.duration_s:.2f} s")
    return 0


def _avatar(image: Path):
    from runtime.face.avatar import analyse_avatar  # MediaPipe: only when rendering

    with native_stderr_silenced():
        avatar = analyse_avatar(image.read_bytes(), image.stem)
    for warning in avatar.warnings:
        print(f"warning: {warning}")
    return avatar


def _rendered(renderer, frames: list[MotionFrame], progress):
    for picture in renderer.render(frames, BATCH):
        yield picture.rgb
        progress.update(1)
