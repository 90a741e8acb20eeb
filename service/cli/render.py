"""`facecast render IMAGE AUDIO -o OUT.mp4`: a talking portrait as a video, offline
(runtime.offline.render_video)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from runtime.audio.files import load_audio
from runtime.errors import InvalidConfigError
from runtime.progress_bar import progress_bar
from runtime.render.device import render_device
from runtime.render.framing import (
    DEFAULT_FRAME_OPTIONS,
    DEFAULT_FRAME_SIZE,
    MAX_FRAME_SIZE,
    MIN_FRAME_SIZE,
    FrameOptions,
    Framing,
)
from runtime.render.video import check_video_path
from service.cli.clip_flags import add_clip_flags, clip_options
from service.quiet import native_stderr_silenced

if TYPE_CHECKING:
    from runtime.face.avatar import Avatar
    from runtime.offline import VideoSummary


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Render IMAGE speaking AUDIO as H.264 video with the audio muxed in."
    parser.add_argument("image", type=Path, help="a portrait with one face (photo, painting, drawing)")
    parser.add_argument("audio", type=Path, help="WAV, FLAC, OGG, MP3 (anything FFmpeg reads)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="OUT.mp4")
    parser.add_argument("--size", type=int, default=DEFAULT_FRAME_SIZE,
                        help=f"the video's longer side in pixels, {MIN_FRAME_SIZE}..{MAX_FRAME_SIZE} "
                             f"(default {DEFAULT_FRAME_SIZE})")
    parser.add_argument("--framing", choices=[framing.value for framing in Framing],
                        default=DEFAULT_FRAME_OPTIONS.framing.value,
                        help="head: head and shoulders; face: a close crop of the face; portrait: the whole image "
                             f"(default {DEFAULT_FRAME_OPTIONS.framing.value})")
    parser.add_argument("--device", default="cpu", help="where frames are rendered: cpu, cuda or cuda:N (default cpu)")
    add_clip_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_video_path(args.output)  # before a second of portrait analysis, not after it
    device = render_device(args.device)
    if not args.image.is_file():
        raise InvalidConfigError(f"{args.image}: no such file")
    options, frame_options = clip_options(args), FrameOptions(size=args.size, framing=Framing(args.framing))
    audio = load_audio(args.audio)
    avatar = portrait_avatar(args.image.read_bytes(), args.image.stem)
    from runtime.offline import render_video  # the pipeline, its models and the renderer: once the inputs are good

    with progress_bar("rendering") as progress:
        video = render_video(args.output, avatar, audio, options, frame_options, progress, device)
    print_video(video)
    return 0


def portrait_avatar(image: bytes, name: str) -> Avatar:
    """The portrait analysed (MediaPipe's native chatter kept off the terminal), its warnings printed."""
    from runtime.face.avatar import analyse_avatar  # MediaPipe

    with native_stderr_silenced():
        avatar = analyse_avatar(image, name)
    for warning in avatar.warnings:
        print(f"warning: {warning}")
    return avatar


def print_video(video: VideoSummary) -> None:
    print(f"{video.path}: {video.frames} frames at {video.fps} fps, {video.width}x{video.height}, "
          f"{video.duration_s:.2f} s")
