"""Gaze angles ↔ the eight eyeLook* blendshapes, one consistent mapping for both directions.

A weight of 1 means the eye turned this far (ARKit leaves the scale to the rig; these match
MediaPipe's blendshape model on frontal faces closely enough for rigs and the renderer).
"""

from __future__ import annotations

import numpy as np

from runtime.arkit import Blendshape

FULL_YAW_DEG = 30.0  # eyeLookIn/Out = 1 at this horizontal angle
FULL_PITCH_DEG = 25.0  # eyeLookUp/Down = 1 at this vertical angle


def positive(values: np.ndarray) -> np.ndarray:
    return np.clip(values, 0.0, 1.0)


def eye_look_weights(gaze: np.ndarray) -> dict[int, np.ndarray]:
    """Blendshape index → (n,) weights, from gaze (n, 4): left yaw, left pitch, right yaw, right pitch.

    Axes of motion.proto: yaw > 0 looks towards the image's right, which is the subject's left:
    outwards for the left eye, inwards (towards the nose) for the right eye. Pitch > 0 looks down.
    """
    left_yaw, left_pitch, right_yaw, right_pitch = (gaze[:, i] / scale for i, scale in
                                                    enumerate((FULL_YAW_DEG, FULL_PITCH_DEG) * 2))
    return {
        Blendshape.EYE_LOOK_OUT_LEFT: positive(left_yaw),
        Blendshape.EYE_LOOK_IN_LEFT: positive(-left_yaw),
        Blendshape.EYE_LOOK_IN_RIGHT: positive(right_yaw),
        Blendshape.EYE_LOOK_OUT_RIGHT: positive(-right_yaw),
        Blendshape.EYE_LOOK_DOWN_LEFT: positive(left_pitch),
        Blendshape.EYE_LOOK_UP_LEFT: positive(-left_pitch),
        Blendshape.EYE_LOOK_DOWN_RIGHT: positive(right_pitch),
        Blendshape.EYE_LOOK_UP_RIGHT: positive(-right_pitch),
    }
