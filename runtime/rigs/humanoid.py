"""MotionFrame → the humanoid `Head` bone's local rotation in Unity's axes: what VMC's
`/VMC/Ext/Bone/Pos` carries (and what a receiver writes into the bone's `Transform.localRotation`).

Where the convention comes from. The VMC protocol's specification (protocol.vmc.info,
"specification": `/VMC/Ext/Bone/Pos (string){name} (float){p.x} (float){p.y} (float){p.z}
(float){q.x} (float){q.y} (float){q.z} (float){q.w}`) gives the bone's *local* pose — position,
then a quaternion x y z w — named as Unity's `HumanBodyBones` (`Head`); its reference samples
(sh-akira/VirtualMotionCaptureProtocol, sample/VRM1/SampleBonesSend.cs and SampleBonesReceive.cs)
send `Transform.localPosition` / `localRotation` and write them back the same way. So the axes are
Unity's: left-handed, +x the avatar's right, +y up, +z the avatar's forward (a VRM humanoid faces
+z in Unity, normalized so that every bone's rest rotation is the identity: the local rotation is
the head's turn relative to the body).

Ours (the contract, proto/facecast/v1/motion.proto): right-handed camera axes, +x the image's
right (the subject's own left), +y up, +z out of the image (the subject's forward), R = Rz(roll) ·
Ry(yaw) · Rx(pitch). The subject faces the camera, so Unity's axes are ours with x mirrored:
M = diag(-1, 1, 1), and the rotation in Unity's axes is M · R · M. For a quaternion that mirror
keeps x and w and negates y and z:

    | Unity quaternion | from ours (q = qz(roll) · qy(yaw) · qx(pitch), right-handed)  |
    |------------------|----------------------------------------------------------------|
    | (x, y, z, w)     | (q.x, -q.y, -q.z, q.w)                                          |

which reads, in Unity's terms: our pitch (nose down) is +pitch about Unity's x (Unity's
`Quaternion.Euler(+p, 0, 0)` looks down); our yaw (towards the subject's own left) is -yaw about
Unity's y; our roll (the top of the head towards the subject's right) is -roll about Unity's z.
Unity composes Euler angles z, then x, then y; ours applies x, then y, then z, so one angle at a
time is the same turn and combined ones go through the quaternion, never Euler angles. It is the
Unity package's "character-forward" frame (clients/unity HeadPoseConverter, HeadSpace.CharacterForward)
and, like it, the quaternion with w ≥ 0.

The position: a bone's local position is its offset from its parent (the Neck), a property of the
avatar we cannot know; receivers that apply bone positions (EVMC4U's "Bone Position Synchronize")
need the avatar's own offset (`facecast vmc --head-offset`). The head's translation in our pose is
not sent: on a humanoid it is the neck and spine bending, not the head bone moving off its neck.
"""

from __future__ import annotations

import math

from runtime.types import HeadPose, MotionFrame

HEAD_BONE = "Head"  # Unity's HumanBodyBones.Head, the name VMC uses

Quaternion = tuple[float, float, float, float]  # x, y, z, w


def head_local_rotation(frame: MotionFrame) -> Quaternion:
    """The frame's head pose as the Head bone's local rotation in Unity's axes (x, y, z, w)."""
    x, y, z, w = camera_rotation(frame.head_pose)
    sign = -1.0 if w < 0 else 1.0  # q and -q are the same turn: the one with w >= 0, as the Unity package's
    return sign * x, -sign * y, -sign * z, sign * w


def camera_rotation(pose: HeadPose) -> Quaternion:
    """Our head pose as a quaternion (x, y, z, w) in our right-handed camera axes: R = Rz · Ry · Rx."""
    return _product(_product(_about(2, pose.roll_deg), _about(1, pose.yaw_deg)), _about(0, pose.pitch_deg))


def _about(axis: int, degrees: float) -> Quaternion:
    half = math.radians(degrees) / 2
    vector = [0.0, 0.0, 0.0]
    vector[axis] = math.sin(half)
    return vector[0], vector[1], vector[2], math.cos(half)


def _product(a: Quaternion, b: Quaternion) -> Quaternion:
    """a · b: b's turn first, then a's."""
    ax, ay, az, aw = a
    bx, by, bz, bw = b
    return (aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz)
