"""The 52 ARKit blendshape names (Apple's order), the 15 OVR visemes, and name normalisation.

Engines spell the ARKit names three ways: Apple's camelCase (`eyeBlinkLeft`, also MediaPipe's),
the raw ARKit keys with `_L`/`_R` (`eyeBlink_L`), and PascalCase (`EyeBlinkLeft`: Unreal Live Link,
Unity Live Capture, Audio2Face-3D). `blendshape_index` accepts all of them.
"""

from __future__ import annotations

import re

BLENDSHAPE_NAMES: tuple[str, ...] = (
    "eyeBlinkLeft", "eyeLookDownLeft", "eyeLookInLeft", "eyeLookOutLeft", "eyeLookUpLeft",
    "eyeSquintLeft", "eyeWideLeft", "eyeBlinkRight", "eyeLookDownRight", "eyeLookInRight",
    "eyeLookOutRight", "eyeLookUpRight", "eyeSquintRight", "eyeWideRight", "jawForward", "jawLeft",
    "jawRight", "jawOpen", "mouthClose", "mouthFunnel", "mouthPucker", "mouthLeft", "mouthRight",
    "mouthSmileLeft", "mouthSmileRight", "mouthFrownLeft", "mouthFrownRight", "mouthDimpleLeft",
    "mouthDimpleRight", "mouthStretchLeft", "mouthStretchRight", "mouthRollLower", "mouthRollUpper",
    "mouthShrugLower", "mouthShrugUpper", "mouthPressLeft", "mouthPressRight", "mouthLowerDownLeft",
    "mouthLowerDownRight", "mouthUpperUpLeft", "mouthUpperUpRight", "browDownLeft", "browDownRight",
    "browInnerUp", "browOuterUpLeft", "browOuterUpRight", "cheekPuff", "cheekSquintLeft",
    "cheekSquintRight", "noseSneerLeft", "noseSneerRight", "tongueOut",
)
NUM_BLENDSHAPES = len(BLENDSHAPE_NAMES)  # 52

# OVR order, also OpenXR's face-tracking visemes and Ready Player Me's.
VISEME_NAMES: tuple[str, ...] = (
    "sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "ih", "oh", "ou",
)
NUM_VISEMES = len(VISEME_NAMES)  # 15

_SIDE_SUFFIX = re.compile(r"_(L|R)$")


def normalize_name(name: str) -> str:
    """A spelling-independent key: `eyeBlink_L`, `EyeBlinkLeft`, `eyeblinkleft` → `eyeblinkleft`."""
    expanded = _SIDE_SUFFIX.sub(lambda side: "Left" if side.group(1) == "L" else "Right", name.strip())
    return expanded.lower()


_INDEX_BY_KEY = {normalize_name(name): index for index, name in enumerate(BLENDSHAPE_NAMES)}


def blendshape_index(name: str) -> int:
    """Index of an ARKit blendshape in Apple's order, from any common spelling; KeyError if unknown."""
    try:
        return _INDEX_BY_KEY[normalize_name(name)]
    except KeyError:
        raise KeyError(f"not an ARKit blendshape name: {name!r}") from None


def viseme_index(name: str) -> int:
    """Index of an OVR viseme (case-sensitive as in the OVR set: `aa`, `E`, `PP`)."""
    try:
        return VISEME_NAMES.index(name)
    except ValueError:
        raise KeyError(f"not an OVR viseme name: {name!r}") from None


class Blendshape:
    """Indices of the blendshapes the motion code writes by name, resolved once."""

    EYE_BLINK_LEFT = blendshape_index("eyeBlinkLeft")
    EYE_BLINK_RIGHT = blendshape_index("eyeBlinkRight")
    EYE_LOOK_DOWN_LEFT = blendshape_index("eyeLookDownLeft")
    EYE_LOOK_IN_LEFT = blendshape_index("eyeLookInLeft")
    EYE_LOOK_OUT_LEFT = blendshape_index("eyeLookOutLeft")
    EYE_LOOK_UP_LEFT = blendshape_index("eyeLookUpLeft")
    EYE_LOOK_DOWN_RIGHT = blendshape_index("eyeLookDownRight")
    EYE_LOOK_IN_RIGHT = blendshape_index("eyeLookInRight")
    EYE_LOOK_OUT_RIGHT = blendshape_index("eyeLookOutRight")
    EYE_LOOK_UP_RIGHT = blendshape_index("eyeLookUpRight")
    JAW_OPEN = blendshape_index("jawOpen")
    MOUTH_CLOSE = blendshape_index("mouthClose")
    MOUTH_FUNNEL = blendshape_index("mouthFunnel")
    MOUTH_PUCKER = blendshape_index("mouthPucker")
    MOUTH_SMILE_LEFT = blendshape_index("mouthSmileLeft")
    MOUTH_SMILE_RIGHT = blendshape_index("mouthSmileRight")
    EYE_SQUINT_LEFT = blendshape_index("eyeSquintLeft")
    EYE_SQUINT_RIGHT = blendshape_index("eyeSquintRight")
    CHEEK_SQUINT_LEFT = blendshape_index("cheekSquintLeft")
    CHEEK_SQUINT_RIGHT = blendshape_index("cheekSquintRight")
    BROW_INNER_UP = blendshape_index("browInnerUp")
    BROW_OUTER_UP_LEFT = blendshape_index("browOuterUpLeft")
    BROW_OUTER_UP_RIGHT = blendshape_index("browOuterUpRight")
