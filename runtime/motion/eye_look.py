"""Gaze angles ↔ the eight eyeLook* blendshapes, one consistent mapping for both directions.

A weight of 1 means the eye turned this far (ARKit leaves the scale to the rig; these match
MediaPipe's blendshape model on frontal faces closely enough for rigs and the renderer).
"""

from __future__ import annotations

import numpy as np

from runtime.arkit import Blendshape

FULL_YAW_DEG = 30.0  # eyeLookIn/Out = 1 at this horizontal angle
FULL_PITCH_DEG = 25.0  # eyeLookUp/Down = 1 at this vertical angle


# The eight eyeLook shapes, and which gaze column (left yaw, left pitch, right yaw, right pitch)
# drives each with which sign. Yaw > 0 looks towards the image's right, the subject's left: outwards
# for the left eye, inwards (towards the nose) for the right eye. Pitch > 0 looks down.
_SHAPES = np.array([Blendshape.EYE_LOOK_OUT_LEFT, Blendshape.EYE_LOOK_IN_LEFT, Blendshape.EYE_LOOK_IN_RIGHT,
                    Blendshape.EYE_LOOK_OUT_RIGHT, Blendshape.EYE_LOOK_DOWN_LEFT, Blendshape.EYE_LOOK_UP_LEFT,
                    Blendshape.EYE_LOOK_DOWN_RIGHT, Blendshape.EYE_LOOK_UP_RIGHT])
_COLUMNS = np.array([0, 0, 2, 2, 1, 1, 3, 3])
_SCALES = np.array([FULL_YAW_DEG, -FULL_YAW_DEG, FULL_YAW_DEG, -FULL_YAW_DEG,
                    FULL_PITCH_DEG, -FULL_PITCH_DEG, FULL_PITCH_DEG, -FULL_PITCH_DEG], np.float32)


def add_eye_look(blendshapes: np.ndarray, gaze: np.ndarray) -> None:
    """Adds the eyeLook* weights of gaze (n, 4) (left yaw, left pitch, right yaw, right pitch; degrees)
    to blendshapes (n, 52) in place."""
    blendshapes[:, _SHAPES] += np.maximum(gaze[:, _COLUMNS] / _SCALES, 0.0)
