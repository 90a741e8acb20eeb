"""Emotion → blendshape offsets at intensity 1 (a first table; the dynamics issue adds styles).

Offsets add to the speech's own weights, so lip sync keeps working under an emotion: they avoid
jawOpen and the lip-closure shapes the mouth model drives.
"""

from __future__ import annotations

import numpy as np

from runtime.arkit import NUM_BLENDSHAPES, blendshape_index
from runtime.types import Emotion


def _sym(stem: str, weight: float) -> dict[str, float]:
    return {f"{stem}Left": weight, f"{stem}Right": weight}


EMOTION_OFFSETS: dict[Emotion, dict[str, float]] = {
    Emotion.NEUTRAL: {},
    Emotion.HAPPY: {**_sym("mouthSmile", 0.55), **_sym("cheekSquint", 0.3), **_sym("eyeSquint", 0.15)},
    Emotion.SAD: {**_sym("mouthFrown", 0.45), "browInnerUp": 0.5, **_sym("browDown", 0.1),
                  "mouthShrugLower": 0.2},
    Emotion.ANGRY: {**_sym("browDown", 0.6), **_sym("noseSneer", 0.3), **_sym("eyeSquint", 0.25),
                    **_sym("mouthPress", 0.15)},
    Emotion.SURPRISED: {"browInnerUp": 0.6, **_sym("browOuterUp", 0.6), **_sym("eyeWide", 0.5)},
    Emotion.FEARFUL: {"browInnerUp": 0.6, **_sym("eyeWide", 0.45), **_sym("mouthStretch", 0.3),
                      **_sym("browDown", 0.1)},
    Emotion.DISGUSTED: {**_sym("noseSneer", 0.55), **_sym("mouthUpperUp", 0.25), **_sym("browDown", 0.3),
                        **_sym("cheekSquint", 0.2)},
    Emotion.CONTEMPT: {"mouthSmileLeft": 0.35, "mouthDimpleLeft": 0.3, "eyeSquintLeft": 0.1,
                       "browOuterUpLeft": 0.1},
}


def emotion_offset(emotion: Emotion, intensity: float) -> np.ndarray:
    """(52,) float32 blendshape offsets of `emotion` at `intensity` (0..1)."""
    offsets = np.zeros(NUM_BLENDSHAPES, np.float32)
    for name, weight in EMOTION_OFFSETS[emotion].items():
        offsets[blendshape_index(name)] = weight * intensity
    return offsets
