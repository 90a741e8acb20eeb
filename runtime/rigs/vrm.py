"""MotionFrame + the session's emotion → VRM 1.0 expression presets (what UniVRM's Vrm10Instance
and VMC's `/VMC/Ext/Blend/Val` take), each weight in [0, 1].

    | preset                  | from                                                               |
    |-------------------------|--------------------------------------------------------------------|
    | aa ih ou ee oh          | the OVR viseme weights, VOWEL_SOURCES below (vowels one to one;    |
    |                         | consonants whose lip shape is a vowel's lend it part of their weight)|
    | blink                   | min(eyeBlinkLeft, eyeBlinkRight): the part both eyes share         |
    | blinkLeft / blinkRight  | each lid's blink beyond the shared part, so that blink + blinkLeft |
    |                         | = eyeBlinkLeft on a rig that adds them (UniVRM does)               |
    | happy angry sad         | the emotion control × its intensity, EMOTION_SOURCES below         |
    | relaxed surprised       |                                                                    |
    | lookLeft / lookRight    | the mean eye yaw over FULL_LOOK_DEG; "left" is the avatar's own    |
    |                         | left, which is our yaw > 0 (towards the image's right)             |
    | lookUp / lookDown       | the mean eye pitch over FULL_LOOK_DEG (ours: pitch > 0 is down)    |

`neutral` is never driven: it is what all zeros show. Weights never exceed 1: the visemes sum to 1
and each viseme's vowel shares below add to at most 1, and the emotion shares of one emotion add to
at most 1.

"Perfect sync" (PERFECT_SYNC_NAMES, `perfect_sync_expressions`): a VRM avatar with one expression
(BlendShapeClip) per ARKit blendshape, named as ARKit names them with the first letter capitalized —
`BrowInnerUp`, `EyeBlinkLeft`, `JawOpen`, `MouthClose`, `TongueOut`. The convention is VMagicMirror's,
which introduced perfect sync in v1.3.0 (its manual, "Tips: Use Perfect Sync for External Tracking",
lists the 52 clip names), shared by Vear and the VTuber apps that took it up (VSeeFace, Warudo,
VNyan); it is also the spelling of Epic's EARFaceBlendShape. Each clip takes its blendshape's
weight unchanged: our names are Apple's, and both sides mean the subject's own left and right.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from runtime.arkit import BLENDSHAPE_NAMES, Blendshape, viseme_index
from runtime.types import Controls, Emotion, MotionFrame

VRM_PRESETS: tuple[str, ...] = (
    "aa", "ih", "ou", "ee", "oh",
    "blink", "blinkLeft", "blinkRight",
    "happy", "angry", "sad", "relaxed", "surprised",
    "lookUp", "lookDown", "lookLeft", "lookRight",
)

# Vowel preset → {OVR viseme: share of that viseme's weight}. OVR's own vowels map one to one
# (its `E` is VRM's `ee`); the consonants keep part of the vowel their lips resemble: CH and RR
# are rounded (ou), SS spreads the lips (ih). The rest (sil, PP, FF, TH, DD, kk, nn) show none.
VOWEL_SOURCES: MappingProxyType[str, MappingProxyType[str, float]] = MappingProxyType({
    "aa": MappingProxyType({"aa": 1.0}),
    "ih": MappingProxyType({"ih": 1.0, "SS": 0.5}),
    "ou": MappingProxyType({"ou": 1.0, "CH": 0.5, "RR": 0.5}),
    "ee": MappingProxyType({"E": 1.0}),
    "oh": MappingProxyType({"oh": 1.0}),
})

# Emotion control → {VRM emotion preset: share of the intensity}. VRM has five emotion presets and
# we have seven emotions: fear reads as surprise with sadness, disgust and contempt as anger, in
# part. Nothing of ours means `relaxed`: it stays 0.
EMOTION_SOURCES: MappingProxyType[Emotion, MappingProxyType[str, float]] = MappingProxyType({
    Emotion.NEUTRAL: MappingProxyType({}),
    Emotion.HAPPY: MappingProxyType({"happy": 1.0}),
    Emotion.SAD: MappingProxyType({"sad": 1.0}),
    Emotion.ANGRY: MappingProxyType({"angry": 1.0}),
    Emotion.SURPRISED: MappingProxyType({"surprised": 1.0}),
    Emotion.FEARFUL: MappingProxyType({"surprised": 0.6, "sad": 0.4}),
    Emotion.DISGUSTED: MappingProxyType({"angry": 0.6}),
    Emotion.CONTEMPT: MappingProxyType({"angry": 0.3}),
})

FULL_LOOK_DEG = 30.0  # eye angle that drives a look preset fully: our gaze control's limit

# The 52 perfect-sync expression names, in Apple's order: ARKit's names, first letter capitalized.
PERFECT_SYNC_NAMES: tuple[str, ...] = tuple(name[0].upper() + name[1:] for name in BLENDSHAPE_NAMES)


def vrm_expressions(frame: MotionFrame, controls: Controls) -> dict[str, float]:
    """Every preset of VRM_PRESETS, in that order, with its weight in [0, 1] for this frame under
    `controls` (the emotion and its intensity the frame was made with)."""
    weights = dict.fromkeys(VRM_PRESETS, 0.0)
    weights.update(_vowels(frame.visemes))
    weights.update(_blinks(frame.blendshapes))
    weights.update(_emotion(controls))
    weights.update(_looks(frame))
    return {name: float(np.clip(weight, 0.0, 1.0)) for name, weight in weights.items()}


def perfect_sync_expressions(frame: MotionFrame) -> dict[str, float]:
    """Every name of PERFECT_SYNC_NAMES, in that order, with its ARKit blendshape's weight."""
    return dict(zip(PERFECT_SYNC_NAMES, (float(np.clip(value, 0.0, 1.0)) for value in frame.blendshapes), strict=True))


def _vowels(visemes: np.ndarray) -> dict[str, float]:
    return {vowel: sum(share * float(visemes[viseme_index(viseme)]) for viseme, share in sources.items())
            for vowel, sources in VOWEL_SOURCES.items()}


def _blinks(blendshapes: np.ndarray) -> dict[str, float]:
    left = float(blendshapes[Blendshape.EYE_BLINK_LEFT])
    right = float(blendshapes[Blendshape.EYE_BLINK_RIGHT])
    both = min(left, right)
    return {"blink": both, "blinkLeft": left - both, "blinkRight": right - both}


def _emotion(controls: Controls) -> dict[str, float]:
    return {preset: share * controls.emotion_intensity for preset, share in EMOTION_SOURCES[controls.emotion].items()}


def _looks(frame: MotionFrame) -> dict[str, float]:
    gaze = frame.gaze
    yaw = (gaze.left.yaw_deg + gaze.right.yaw_deg) / 2 / FULL_LOOK_DEG
    pitch = (gaze.left.pitch_deg + gaze.right.pitch_deg) / 2 / FULL_LOOK_DEG
    return {"lookLeft": max(yaw, 0.0), "lookRight": max(-yaw, 0.0),
            "lookDown": max(pitch, 0.0), "lookUp": max(-pitch, 0.0)}
