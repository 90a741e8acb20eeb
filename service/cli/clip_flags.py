"""The flags of the commands that animate a clip offline (bake, render, demo) and their one
translation into ClipOptions, where they are validated; `--fps` and `--seed` are also `stream`'s.
Defaults come from where they are named (runtime.defaults, the mouth model registry)."""

from __future__ import annotations

import argparse

from runtime.clip_options import ClipOptions
from runtime.defaults import DEFAULT_FPS, DEFAULT_SEED, MAX_FPS, MAX_IDLE_S, MIN_FPS
from runtime.errors import InvalidConfigError
from runtime.motion.mouth_models import DEFAULT_MOUTH_MODEL, MOUTH_MODELS
from runtime.types import Controls, Emotion


def add_fps_and_seed_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fps", type=int, default=DEFAULT_FPS,
                        help=f"frames per second, {MIN_FPS}..{MAX_FPS} (default {DEFAULT_FPS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"seed of the head motion, blinks and gaze, 0..2**64-1 (default {DEFAULT_SEED})")


def add_clip_flags(parser: argparse.ArgumentParser) -> None:
    """--fps, --seed, --idle-s, --mouth-model and the expression controls. Each flag is named like
    the ClipOptions field it sets, so an error that names the field names the flag."""
    add_fps_and_seed_flags(parser)
    parser.add_argument("--idle-s", "--idle", dest="idle_s", type=float, default=0.0, metavar="SECONDS",
                        help=f"seconds of idle life (listening, mouth closed) before the audio, 0..{MAX_IDLE_S:g}")
    parser.add_argument("--mouth-model", choices=list(MOUTH_MODELS), default=DEFAULT_MOUTH_MODEL,
                        help=f"lip-sync model (default {DEFAULT_MOUTH_MODEL})")
    add_control_flags(parser)


def add_control_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("expression controls")
    group.add_argument("--emotion", metavar="NAME[:INTENSITY]",
                       help=f"one of {', '.join(e.value for e in Emotion)}, intensity 0..1 (default 1)")
    group.add_argument("--gaze", metavar="YAW,PITCH",
                       help="eye direction in degrees, -30..30 each; yaw > 0 towards the image's right, pitch > 0 down")
    group.add_argument("--head-distance", type=float, metavar="D",
                       help="distance from the camera relative to the portrait's own, 0.5..2 (default 1)")
    group.add_argument("--motion", type=float, metavar="M", help="head motion intensity, 0..2 (default 1)")


def clip_options(args: argparse.Namespace) -> ClipOptions:
    """The ClipOptions the flags ask for; InvalidConfigError (one line) for a bad value."""
    return ClipOptions(fps=args.fps, seed=args.seed, mouth_model=args.mouth_model,
                       controls=controls_from_flags(args), idle_s=args.idle_s)


def controls_from_flags(args: argparse.Namespace) -> Controls:
    """The Controls the flags ask for; InvalidConfigError (one line) for a malformed value."""
    values: dict[str, object] = {}
    if args.emotion:
        name, _, intensity = args.emotion.partition(":")
        values["emotion"] = Emotion.parse(name)
        values["emotion_intensity"] = _number("--emotion intensity", intensity) if intensity else 1.0
    if args.gaze:
        parts = args.gaze.split(",")
        if len(parts) != 2:
            raise InvalidConfigError(f"--gaze takes YAW,PITCH in degrees, got {args.gaze!r}")
        values["gaze_yaw_deg"], values["gaze_pitch_deg"] = (_number("--gaze", part) for part in parts)
    if args.head_distance is not None:
        values["head_distance"] = args.head_distance
    if args.motion is not None:
        values["motion_intensity"] = args.motion
    return Controls(**values)


def _number(flag: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidConfigError(f"{flag} must be a number, got {text!r}") from None
