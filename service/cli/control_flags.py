"""Command-line flags shared by the commands that animate offline (bake, render): the expressive
controls (`--emotion happy:0.7 --gaze 10,-5 --head-distance 1.2 --motion 1.5`) and the lip-sync model."""

from __future__ import annotations

import argparse

from runtime.errors import InvalidConfigError
from runtime.motion.mouth_models import DEFAULT_MOUTH_MODEL, MOUTH_MODELS
from runtime.types import Controls, Emotion


def add_mouth_model_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mouth-model", choices=list(MOUTH_MODELS), default=DEFAULT_MOUTH_MODEL,
                        help=f"lip-sync model (default {DEFAULT_MOUTH_MODEL})")


def add_control_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("expression controls")
    group.add_argument("--emotion", metavar="NAME[:INTENSITY]",
                       help=f"one of {', '.join(e.value for e in Emotion)}, intensity 0..1 (default 1)")
    group.add_argument("--gaze", metavar="YAW,PITCH",
                       help="eye direction in degrees, -30..30 each; yaw > 0 towards the image's right, pitch > 0 down")
    group.add_argument("--head-distance", type=float, metavar="D",
                       help="distance from the camera relative to the portrait's own, 0.5..2 (default 1)")
    group.add_argument("--motion", type=float, metavar="M", help="head motion intensity, 0..2 (default 1)")


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
