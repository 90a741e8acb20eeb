"""Each viseme's ARKit mouth and jaw pose: the shape a rig makes when that viseme is fully on.

Weights follow ARKit semantics (absolute, 0 = rest). mouthClose is ARKit's "lips together while
the jaw is open", so closures (PP) pair it with a little jawOpen. Both the baseline and the
learned mouth models blend these by viseme probability.
"""

from __future__ import annotations

import numpy as np

from runtime.arkit import NUM_BLENDSHAPES, VISEME_NAMES, blendshape_index

_BOTH = ("Left", "Right")


def _sym(stem: str, weight: float) -> dict[str, float]:
    return {f"{stem}{side}": weight for side in _BOTH}


VISEME_POSES: dict[str, dict[str, float]] = {
    "sil": {},
    "PP": {"jawOpen": 0.06, "mouthClose": 0.06, **_sym("mouthPress", 0.35), "mouthRollLower": 0.15},
    "FF": {"jawOpen": 0.08, "mouthRollLower": 0.5, **_sym("mouthUpperUp", 0.15)},
    "TH": {"jawOpen": 0.15, "tongueOut": 0.25, **_sym("mouthStretch", 0.1)},
    "DD": {"jawOpen": 0.2, **_sym("mouthStretch", 0.15), **_sym("mouthLowerDown", 0.1)},
    "kk": {"jawOpen": 0.25, **_sym("mouthStretch", 0.1)},
    "CH": {"jawOpen": 0.12, "mouthFunnel": 0.45, "mouthPucker": 0.2, **_sym("mouthUpperUp", 0.15)},
    "SS": {"jawOpen": 0.06, **_sym("mouthStretch", 0.3), **_sym("mouthSmile", 0.1)},
    "nn": {"jawOpen": 0.15, **_sym("mouthStretch", 0.05)},
    "RR": {"jawOpen": 0.18, "mouthFunnel": 0.3, "mouthPucker": 0.25},
    "aa": {"jawOpen": 0.6, **_sym("mouthLowerDown", 0.3), **_sym("mouthUpperUp", 0.1)},
    "E": {"jawOpen": 0.35, **_sym("mouthStretch", 0.3), **_sym("mouthLowerDown", 0.2)},
    "ih": {"jawOpen": 0.2, **_sym("mouthStretch", 0.35), **_sym("mouthSmile", 0.1)},
    "oh": {"jawOpen": 0.4, "mouthFunnel": 0.5, "mouthPucker": 0.2},
    "ou": {"jawOpen": 0.15, "mouthPucker": 0.7, "mouthFunnel": 0.3},
}


def viseme_pose_matrix() -> np.ndarray:
    """(15, 52) float32: row v is viseme v's blendshape pose, in OVR and Apple order."""
    matrix = np.zeros((len(VISEME_NAMES), NUM_BLENDSHAPES), np.float32)
    for row, viseme in enumerate(VISEME_NAMES):
        for name, weight in VISEME_POSES[viseme].items():
            matrix[row, blendshape_index(name)] = weight
    return matrix
