"""Emotion → blendshape offsets and a head-motion style, at intensity 1.

Offsets add to the speech's own weights, so lip sync keeps working under an emotion: they avoid
jawOpen and the lip-closure shapes the mouth model drives. Styles change how the head moves: a sad
speaker holds the head lower and moves it less and slower; a happy one lifts it and moves more.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class EmotionStyle:
    head_pitch_deg: float = 0.0  # added to the head's pitch (> 0 lowers the head: a nod down)
    motion_scale: float = 1.0  # multiplies head motion
    slow_share: float = 0.0  # 0..1: how much of the speech sway moves in the slower band


EMOTION_STYLES: dict[Emotion, EmotionStyle] = {
    Emotion.NEUTRAL: EmotionStyle(),
    Emotion.HAPPY: EmotionStyle(head_pitch_deg=-2.0, motion_scale=1.25),
    Emotion.SAD: EmotionStyle(head_pitch_deg=6.0, motion_scale=0.6, slow_share=0.8),
    Emotion.ANGRY: EmotionStyle(head_pitch_deg=3.0, motion_scale=1.2),
    Emotion.SURPRISED: EmotionStyle(head_pitch_deg=-4.0, motion_scale=1.1),
    Emotion.FEARFUL: EmotionStyle(head_pitch_deg=2.0, motion_scale=0.8, slow_share=0.3),
    Emotion.DISGUSTED: EmotionStyle(head_pitch_deg=1.0, motion_scale=0.9, slow_share=0.3),
    Emotion.CONTEMPT: EmotionStyle(head_pitch_deg=-3.0, motion_scale=0.8, slow_share=0.4),
}


def emotion_style(emotion: Emotion, intensity: float) -> EmotionStyle:
    """The style of `emotion` at `intensity`, blended from neutral."""
    full = EMOTION_STYLES[emotion]
    return EmotionStyle(full.head_pitch_deg * intensity, 1.0 + (full.motion_scale - 1.0) * intensity,
                        full.slow_share * intensity)


# How broad a listener's brief smiles are under each emotion, at intensity 1 (neutral 1): a happy
# listener beams, a sad or frightened one barely smiles, an angry or disgusted one not at all.
LISTENING_SMILES: dict[Emotion, float] = {
    Emotion.NEUTRAL: 1.0, Emotion.HAPPY: 1.5, Emotion.SAD: 0.25, Emotion.ANGRY: 0.0, Emotion.SURPRISED: 0.8,
    Emotion.FEARFUL: 0.2, Emotion.DISGUSTED: 0.0, Emotion.CONTEMPT: 0.6,
}


def listening_smile(emotion: Emotion, intensity: float) -> float:
    """The listening smile scale of `emotion` at `intensity`, blended from neutral."""
    return 1.0 + (LISTENING_SMILES[emotion] - 1.0) * intensity
