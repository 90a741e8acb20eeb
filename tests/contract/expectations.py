"""What a game-engine rig should get from a stream, computed here independently of any client code:
frames interpolated at an audio time, head poses in Unity's frames, header names in rig spellings.

Unity is left-handed (+x right, +y up, +z forward) and its Euler angles compose as Ry·Rx·Rz (z
applied first). The contract's camera frame is right-handed with R = Rz(roll)·Ry(yaw)·Rx(pitch).
A frame change by a reflection S turns R into S·R·S: `camera` is the mirror z → −z (the head faces
−z, towards a camera looking down +z), `character` the mirror x → −x (the head faces +z, a Unity
character's forward, while the subject faces the camera).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
from scipy.spatial.transform import Rotation

from runtime.arkit import normalize_name

MIRRORS = {
    "camera": np.diag([1.0, 1.0, -1.0]),
    "character": np.diag([-1.0, 1.0, 1.0]),
}
POSE_KEYS = ("pitch", "yaw", "roll", "x", "y", "z")


def interpolate(times: np.ndarray, values: np.ndarray, time_s: float) -> np.ndarray:
    """Linear interpolation of each column of `values` (frames × channels) at `time_s`, holding the
    first and last frames outside the stream (np.interp's own behaviour at the ends)."""
    return np.array([np.interp(time_s, times, values[:, column]) for column in range(values.shape[1])])


def contract_matrix(pitch: float, yaw: float, roll: float) -> np.ndarray:
    # Intrinsic 'ZYX' in scipy is the product Rz·Ry·Rx, the contract's order.
    return Rotation.from_euler("ZYX", [roll, yaw, pitch], degrees=True).as_matrix()


def unity_matrix(pitch: float, yaw: float, roll: float, space: str) -> np.ndarray:
    mirror = MIRRORS[space]
    return mirror @ contract_matrix(pitch, yaw, roll) @ mirror


def unity_euler(pitch: float, yaw: float, roll: float, space: str) -> list[float]:
    """Transform.localEulerAngles (x, y, z) for the pose: Ry(y)·Rx(x)·Rz(z) = S·R·S."""
    # Intrinsic 'YXZ' is the product Ry·Rx·Rz; scipy returns the angles in that order.
    y, x, z = Rotation.from_matrix(unity_matrix(pitch, yaw, roll, space)).as_euler("YXZ", degrees=True)
    return [float(x), float(y), float(z)]


def unity_position(x: float, y: float, z: float, space: str, face_width_m: float) -> list[float]:
    return [float(value) for value in MIRRORS[space] @ np.array([x, y, z]) * face_width_m]


def pascal_case(name: str) -> str:
    return name[0].upper() + name[1:]


# ARKit's raw keys spell sides as _L/_R, but jawLeft, jawRight, mouthLeft and mouthRight are
# directions of motion and keep their words.
_DIRECTIONS = {"jawLeft", "jawRight", "mouthLeft", "mouthRight"}


def side_suffix(name: str) -> str:
    if name in _DIRECTIONS:
        return name
    for word, suffix in (("Left", "_L"), ("Right", "_R")):
        if name.endswith(word):
            return name[: -len(word)] + suffix
    return name


def exporter_prefix(name: str) -> str:
    """How FBX exporters often name shapes: the blendshape node, a dot, the raw ARKit key."""
    return "blendShape1." + side_suffix(name)


SPELLINGS = {
    "camelCase": lambda name: name,
    "PascalCase": pascal_case,
    "side_suffix": side_suffix,
    "exporter_prefix": exporter_prefix,
}
# Shapes a rig has that the stream does not drive: they must be reported, not matched.
EXTRA_MESH_NAMES = ("headScale", "eyeBlink_C")


def mesh_key(mesh_name: str) -> str:
    return normalize_name(mesh_name.rsplit(".", 1)[-1])


def name_mapping(stream_names: Sequence[str], seed: int) -> dict:
    """For each spelling: a rig's shape names (shuffled, plus extras) and, for each, the index of the
    stream name that must drive it (−1 for none)."""
    index_by_key = {normalize_name(name): index for index, name in enumerate(stream_names)}
    shuffle = random.Random(seed)
    spellings = {}
    for spelling, spell in SPELLINGS.items():
        mesh_names = [spell(name) for name in stream_names] + list(EXTRA_MESH_NAMES)
        shuffle.shuffle(mesh_names)
        spellings[spelling] = {
            "mesh_names": mesh_names,
            "stream_index": [index_by_key.get(mesh_key(name), -1) for name in mesh_names],
        }
    return spellings
