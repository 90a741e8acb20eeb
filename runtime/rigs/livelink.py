"""MotionFrame → the 61 curve values of a Live Link Face packet (Unreal's Apple ARKit face support).

Order (Epic's EARFaceBlendShape enum): the 52 ARKit shapes in Apple's order, then HeadYaw,
HeadPitch, HeadRoll, LeftEyeYaw, LeftEyePitch, LeftEyeRoll, RightEyeYaw, RightEyePitch, RightEyeRoll.

Units and signs of the nine angles. Epic's converter (AppleARKitFaceSupport, `ToBlendShapeMap` in
AppleARKitConversion.h) turns ARKit's head and eye transforms into FRotators and divides each angle
in degrees by 180 ("Map the -180..180 range to -1..1"): the packet carries degrees / 180, not
radians. FRotator's own conventions give the signs, from the subject's point of view: yaw > 0
turns to the subject's right, pitch > 0 raises the chin, roll > 0 tilts clockwise as the subject
sees it (the top of the head towards the subject's right). Our angles (runtime.types) are degrees
in the camera frame: yaw > 0 turns towards the image's right (the subject's left), pitch > 0 nods
down, roll > 0 tilts counter-clockwise in the image (the top of the head towards the subject's
right). Hence:

    | Live Link value | from                        |
    |-----------------|-----------------------------|
    | HeadYaw         | -head_pose.yaw_deg / 180    |
    | HeadPitch       | -head_pose.pitch_deg / 180  |
    | HeadRoll        | +head_pose.roll_deg / 180   |
    | LeftEyeYaw      | -gaze.left.yaw_deg / 180    |
    | LeftEyePitch    | -gaze.left.pitch_deg / 180  |
    | LeftEyeRoll     | 0 (eyes do not roll here)   |
    | RightEye…       | the same from gaze.right    |

Caveat, not verified on a device: Epic's converter negates yaw and roll when ARKit's face is not
mirrored, so the sign a given iPhone app build sends depends on its mirroring. We follow FRotator's
convention above; a rig that turns the wrong way needs yaw and roll negated in its Animation
Blueprint. The 52 shapes go through unchanged: our names are Apple's, and both sides mean the
subject's own left and right.
"""

from __future__ import annotations

import numpy as np

from runtime.arkit import BLENDSHAPE_NAMES, NUM_BLENDSHAPES
from runtime.types import EyeGaze, MotionFrame

ANGLE_NAMES: tuple[str, ...] = (
    "HeadYaw", "HeadPitch", "HeadRoll",
    "LeftEyeYaw", "LeftEyePitch", "LeftEyeRoll",
    "RightEyeYaw", "RightEyePitch", "RightEyeRoll",
)
# The curve names Unreal gives the values (PascalCase, as in EARFaceBlendShape), in packet order.
LIVE_LINK_NAMES: tuple[str, ...] = tuple(name[0].upper() + name[1:] for name in BLENDSHAPE_NAMES) + ANGLE_NAMES
NUM_LIVE_LINK_VALUES = len(LIVE_LINK_NAMES)  # 61
HALF_TURN_DEG = 180.0  # Epic's scale: an angle in degrees / 180 lies in [-1, 1]


def live_link_values(frame: MotionFrame) -> np.ndarray:
    """(61,) float32: the frame's 52 blendshapes, then head and eye yaw/pitch/roll (see the table)."""
    pose = frame.head_pose
    head = (-pose.yaw_deg, -pose.pitch_deg, pose.roll_deg)
    angles_deg = np.array([*head, *_eye_angles(frame.gaze.left), *_eye_angles(frame.gaze.right)], np.float64)
    values = np.empty(NUM_LIVE_LINK_VALUES, np.float32)
    values[:NUM_BLENDSHAPES] = frame.blendshapes
    values[NUM_BLENDSHAPES:] = angles_deg / HALF_TURN_DEG
    return values


def _eye_angles(eye: EyeGaze) -> tuple[float, float, float]:
    """An eye's FRotator-style (yaw, pitch, roll) in degrees: ours turned to the subject's frame."""
    return -eye.yaw_deg, -eye.pitch_deg, 0.0
