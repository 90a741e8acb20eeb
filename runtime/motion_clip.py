"""The motion clip file of `facecast bake`: a whole clip's motion latents for engines, offline.

A map (msgpack, or JSON for people and tools):

    format            "facecast.motion"
    version           1
    fps               frames per second
    duration_s        length of the audio, seconds
    blendshape_names  the 52 ARKit names, Apple's order
    viseme_names      the 15 OVR visemes
    seed, model_versions, generator   what produced it
    frames            list of {t, pose: {pitch, yaw, roll, x, y, z}, blendshapes: [52],
                      visemes: [15], gaze: [left yaw, left pitch, right yaw, right pitch],
                      voice_activity}

Units and axes are those of the wire contract (proto/facecast/v1/motion.proto): degrees, face
widths, right-handed camera frame. Files are written atomically (temp file + rename).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import msgpack

from runtime.arkit import BLENDSHAPE_NAMES, VISEME_NAMES
from runtime.atomic_file import write_atomically
from runtime.errors import InvalidConfigError
from runtime.types import MotionFrame

FORMAT = "facecast.motion"
VERSION = 1
SUFFIXES = (".msgpack", ".json")
JSON_DECIMALS = 5  # 1e-5 is far below what any rig can show


def frame_record(frame: MotionFrame) -> dict:
    pose = frame.head_pose
    return {
        "t": frame.time_s,
        "pose": {"pitch": pose.pitch_deg, "yaw": pose.yaw_deg, "roll": pose.roll_deg,
                 "x": pose.x, "y": pose.y, "z": pose.z},
        "blendshapes": frame.blendshapes.tolist(),
        "visemes": frame.visemes.tolist(),
        "gaze": [frame.gaze.left.yaw_deg, frame.gaze.left.pitch_deg,
                 frame.gaze.right.yaw_deg, frame.gaze.right.pitch_deg],
        "voice_activity": frame.voice_activity,
    }


def clip_document(frames: Iterable[MotionFrame], fps: int, duration_s: float, seed: int,
                  model_versions: Sequence[dict], generator: str) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "fps": fps,
        "duration_s": duration_s,
        "blendshape_names": list(BLENDSHAPE_NAMES),
        "viseme_names": list(VISEME_NAMES),
        "seed": seed,
        "model_versions": list(model_versions),
        "generator": generator,
        "frames": [frame_record(frame) for frame in frames],
    }


def check_clip_path(path: Path) -> None:
    if path.suffix.lower() not in SUFFIXES:
        raise InvalidConfigError(f"{path}: a motion clip must end in .msgpack or .json")


def write_clip(path: str | Path, document: dict) -> None:
    """Writes `document` as msgpack or JSON by suffix, atomically."""
    path = Path(path)
    check_clip_path(path)
    if path.suffix.lower() == ".json":
        payload = json.dumps(_rounded(document), separators=(",", ":")).encode()
    else:
        payload = msgpack.packb(document, use_single_float=True)
    write_atomically(path, payload)


def read_clip(path: str | Path) -> dict:
    path = Path(path)
    check_clip_path(path)
    data = path.read_bytes()
    document = json.loads(data) if path.suffix.lower() == ".json" else msgpack.unpackb(data)
    if document.get("format") != FORMAT or document.get("version") != VERSION:
        raise InvalidConfigError(f"{path}: not a {FORMAT} version {VERSION} file")
    return document


def _rounded(value):
    if isinstance(value, float):
        return round(value, JSON_DECIMALS)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value
