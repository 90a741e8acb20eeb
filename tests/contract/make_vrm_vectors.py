"""Writes tests/contract/vrm_expressions.json, the vectors that keep the Unity package's
`VrmExpressionMapper` (C#, Facecast.Core) equal to runtime/rigs/vrm.py:

    python -m tests.contract.make_vrm_vectors        (from the repository root)

It holds the Python tables themselves (preset order, vowel and emotion shares, the full-look angle),
which the C# test compares with its own one entry at a time, and cases: frames (the golden stream
stream_seed1.json, under every emotion, and made-up frames at the edges: each viseme alone, uneven
blinks, gaze past the full-look angle) with the weights `vrm_expressions` gives them. Inputs are
written as short decimals that both sides read as float32, the way a frame arrives; the weights in
full float64 precision. tests/test_rigs.py checks that this file is what the code makes now.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from runtime.arkit import BLENDSHAPE_NAMES, NUM_BLENDSHAPES, NUM_VISEMES, VISEME_NAMES, blendshape_index
from runtime.atomic_file import write_atomically
from runtime.rigs.vrm import EMOTION_SOURCES, FULL_LOOK_DEG, VOWEL_SOURCES, VRM_PRESETS, vrm_expressions
from runtime.types import Controls, Emotion, EyeGaze, Gaze, HeadPose, MotionFrame
from tests.contract.json_layout import dumps

HERE = Path(__file__).resolve().parent
NAME = "vrm_expressions.json"
FORMAT = "facecast.vrm-expressions"
VERSION = 1
STREAM = "stream_seed1.json"
INTENSITIES = (1.0, 0.5, 0.25, 0.8)  # cycled with the emotions over the stream's frames


def _case(name: str, blendshapes, visemes, gaze, emotion: Emotion, intensity: float) -> dict:
    frame = MotionFrame(0, 0.0, HeadPose(), np.array(blendshapes, np.float32), np.array(visemes, np.float32),
                        Gaze(EyeGaze(*(float(np.float32(v)) for v in gaze[:2])),
                             EyeGaze(*(float(np.float32(v)) for v in gaze[2:]))), 0.0)
    expected = vrm_expressions(frame, Controls(emotion=emotion, emotion_intensity=intensity))
    return {"name": name, "emotion": emotion.value, "intensity": intensity, "blendshapes": list(blendshapes),
            "visemes": list(visemes), "gaze": list(gaze), "expected": [expected[preset] for preset in VRM_PRESETS]}


def _blinks(left: float, right: float) -> list[float]:
    shapes = [0.0] * NUM_BLENDSHAPES
    shapes[blendshape_index("eyeBlinkLeft")], shapes[blendshape_index("eyeBlinkRight")] = left, right
    return shapes


def stream_cases() -> list[dict]:
    """The golden stream's frames, each under the next emotion and intensity."""
    stream = json.loads((HERE / STREAM).read_text())
    assert stream["blendshape_names"] == list(BLENDSHAPE_NAMES) and stream["viseme_names"] == list(VISEME_NAMES)
    emotions = list(Emotion)
    return [_case(f"{STREAM} frame {frame['index']}", frame["blendshapes"], frame["visemes"], frame["gaze"],
                  emotions[i % len(emotions)], INTENSITIES[i % len(INTENSITIES)])
            for i, frame in enumerate(stream["frames"])]


def edge_cases() -> list[dict]:
    silent = [0.0] * NUM_BLENDSHAPES
    ahead = [0.0, 0.0, 0.0, 0.0]
    cases = [_case(f"viseme {name} alone", silent, np.eye(NUM_VISEMES)[i].tolist(), ahead, Emotion.NEUTRAL, 1.0)
             for i, name in enumerate(VISEME_NAMES)]
    rest = np.eye(NUM_VISEMES)[0].tolist()
    mixed = [0.0] * NUM_VISEMES
    for name, weight in (("aa", 0.25), ("SS", 0.25), ("CH", 0.125), ("RR", 0.125), ("E", 0.25)):
        mixed[VISEME_NAMES.index(name)] = weight
    cases.append(_case("visemes mixed", silent, mixed, ahead, Emotion.NEUTRAL, 1.0))
    for left, right in ((0.8, 0.3), (0.2, 0.9), (1.0, 1.0), (0.0, 0.5)):
        cases.append(_case(f"blinks {left} {right}", _blinks(left, right), rest, ahead, Emotion.NEUTRAL, 1.0))
    for gaze in ((20.0, 0.0, 20.0, 0.0), (-45.0, 0.0, -45.0, 0.0), (0.0, 15.0, 0.0, 15.0),
                 (0.0, -40.0, 0.0, -40.0), (10.0, -5.0, -30.0, 12.5)):
        cases.append(_case(f"gaze {gaze}", silent, rest, list(gaze), Emotion.NEUTRAL, 1.0))
    for emotion in Emotion:
        cases.append(_case(f"emotion {emotion.value}", silent, rest, ahead, emotion, 1.0))
    cases.append(_case("emotion fearful 0.5", silent, rest, ahead, Emotion.FEARFUL, 0.5))
    cases.append(_case("emotion contempt 0.3", silent, rest, ahead, Emotion.CONTEMPT, 0.3))
    return cases


def document() -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "regenerate": "python -m tests.contract.make_vrm_vectors",
        "source": "runtime/rigs/vrm.py",
        "presets": list(VRM_PRESETS),
        "full_look_deg": FULL_LOOK_DEG,
        "blendshape_names": list(BLENDSHAPE_NAMES),
        "viseme_names": list(VISEME_NAMES),
        "vowel_sources": [{"preset": preset, "viseme": viseme, "share": share}
                          for preset, sources in VOWEL_SOURCES.items() for viseme, share in sources.items()],
        "emotion_sources": [{"emotion": emotion.value, "preset": preset, "share": share}
                            for emotion, sources in EMOTION_SOURCES.items() for preset, share in sources.items()],
        "cases": [*edge_cases(), *stream_cases()],
    }


def main() -> int:
    path = HERE / NAME
    write_atomically(path, dumps(document()).encode())
    print(f"{path}: {path.stat().st_size // 1024} KiB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
