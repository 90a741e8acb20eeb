"""MediaPipe's facial transformation matrix → our HeadPose.

Measured (tests/test_avatars.py pins it): the matrix is already in our camera frame — +x image
right, +y up, +z towards the viewer (the face sits at z ≈ -70 cm), rotations by the right-hand rule
— so pitch, yaw and roll come straight out of R = Rz(roll)·Ry(yaw)·Rx(pitch) with no sign flips.
"""

from __future__ import annotations

import math

import numpy as np

from runtime.types import HeadPose


def head_pose_from_matrix(matrix: np.ndarray) -> HeadPose:
    """The rotation of a 4×4 face-to-camera transform as degrees; translation stays 0.

    Translation in HeadPose is measured from the rest position (motion.proto), and a portrait's
    measured pose *is* the rest position, so only the rotation carries information here.
    """
    rotation = np.asarray(matrix, dtype=np.float64)[:3, :3]
    sin_yaw = float(np.clip(-rotation[2, 0], -1.0, 1.0))
    pitch = math.atan2(rotation[2, 1], rotation[2, 2])
    yaw = math.asin(sin_yaw)
    roll = math.atan2(rotation[1, 0], rotation[0, 0])
    return HeadPose(pitch_deg=math.degrees(pitch), yaw_deg=math.degrees(yaw), roll_deg=math.degrees(roll))
