"""HeadTransform: a frame's head pose relative to the avatar's own → the landmark cloud turned in 3D
about the head's centre and projected back onto the portrait (weak perspective).

Poses follow runtime/types.py: camera frame right-handed with +x image right, +y up, +z towards the
viewer, R = Rz(roll)·Ry(yaw)·Rx(pitch). Landmarks live in image pixels with y down and z into the
image, which is the camera frame with y and z flipped: the flip F = diag(1, −1, −1) carries a camera
rotation R into pixel space as F·R·F.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from runtime.numerics import hermite_step
from runtime.render.landmark_groups import FACE_OVAL
from runtime.types import HeadPose

# Depth of the head's turning centre behind the mean landmark depth, in face widths: the neck's
# pivot sits well behind the face's surface, so a turn swings the nose more than the cheeks.
HEAD_CENTRE_DEPTH_FACE_WIDTHS = 0.35
# Weak perspective: the camera sits this many face widths from the rest head, so moving z towards
# the viewer by z face widths scales the face by 5 / (5 − z).
CAMERA_DISTANCE_FACE_WIDTHS = 5.0
PIXEL_FROM_CAMERA = (1.0, -1.0, -1.0)  # the diagonal of F
# Turning depth (see turning_depth): MediaPipe's depth falls steeply at the face's silhouette, and a
# turn then swings the front of the cheek past the deep silhouette points beside it — the 2D map
# folds (the cheek should occlude the silhouette), which a warp cannot draw, and the face's edge
# comes out notched. Near the silhouette the depth is therefore replaced by a smooth fitted cap:
# on the test portraits its steepest step between neighbouring landmarks is a quarter of the
# mesh's own, and ±15° turns come out clean (docs/contact_sheet.png).
SILHOUETTE_BLEND = (0.55, 0.9)  # elliptic radius over which the landmarks' own depth gives way to the cap


def rotation_matrices(angles_deg: torch.Tensor) -> torch.Tensor:
    """(B, 3) pitch, yaw, roll in degrees → (B, 3, 3) R = Rz(roll)·Ry(yaw)·Rx(pitch), camera frame."""
    pitch, yaw, roll = torch.deg2rad(angles_deg).unbind(dim=1)
    one, zero = torch.ones_like(pitch), torch.zeros_like(pitch)
    rx = _matrix(one, zero, zero, zero, pitch.cos(), -pitch.sin(), zero, pitch.sin(), pitch.cos())
    ry = _matrix(yaw.cos(), zero, yaw.sin(), zero, one, zero, -yaw.sin(), zero, yaw.cos())
    rz = _matrix(roll.cos(), -roll.sin(), zero, roll.sin(), roll.cos(), zero, zero, zero, one)
    return rz @ ry @ rx


def _matrix(*entries: torch.Tensor) -> torch.Tensor:
    return torch.stack(entries, dim=1).reshape(-1, 3, 3)  # (B, 3, 3), row-major


class HeadTransform(nn.Module):
    """(B, 478, 3) landmarks at the rest pose + (B, 6) frame poses → (B, 478, 2) projected pixels."""

    def __init__(self, landmarks: np.ndarray, face_width_px: float, rest_pose: HeadPose) -> None:
        super().__init__()
        points = np.asarray(landmarks, dtype=np.float64).copy()
        points[:, 2] = turning_depth(points)
        centre = points.mean(axis=0)
        centre[2] += HEAD_CENTRE_DEPTH_FACE_WIDTHS * face_width_px
        self.face_width_px = float(face_width_px)
        self.register_buffer("centre", torch.tensor(centre, dtype=torch.float32))
        rest = torch.tensor(rest_pose.as_array(), dtype=torch.float32)[None]  # (1, 6)
        self.register_buffer("rest_pose", rest)
        self.register_buffer("rest_rotation_inverse", rotation_matrices(rest[:, :3]).transpose(1, 2))
        self.register_buffer("flip", torch.tensor(PIXEL_FROM_CAMERA, dtype=torch.float32))

        self.register_buffer("depth_change", torch.from_numpy(points[:, 2] - np.asarray(landmarks)[:, 2]).float())

    def forward(self, points: torch.Tensor, poses: torch.Tensor) -> torch.Tensor:
        """One point cloud turned by its poses (`motion` then `place`; the renderer turns three with one motion)."""
        return self.place(points, self.motion(poses))

    def motion(self, poses: torch.Tensor) -> HeadMotion:
        """The frames' head motion from (B, 6) poses, for `place`: worked out once for every point cloud
        a frame turns (the renderer turns three)."""
        relative = rotation_matrices(poses[:, :3]) @ self.rest_rotation_inverse  # (B, 3, 3) camera frame
        in_pixels = self.flip[:, None] * relative * self.flip[None, :]  # F·R·F
        shift = (poses[:, 3:] - self.rest_pose[:, 3:]) * self.face_width_px  # (B, 3) camera axes, pixels
        # Clamped so a head pushed through the camera stays finite (at most 10× larger).
        distance = (CAMERA_DISTANCE_FACE_WIDTHS - shift[:, 2:] / self.face_width_px).clamp(min=0.5)
        scale = CAMERA_DISTANCE_FACE_WIDTHS / distance  # (B, 1)
        planar_shift = shift[:, :2] * self.flip[:2]  # camera +y is the image's −y
        return HeadMotion(in_pixels.transpose(1, 2), scale[:, None, :], planar_shift[:, None, :])

    def place(self, points: torch.Tensor, motion: HeadMotion) -> torch.Tensor:
        """(B or 1, 478, 3) landmarks at the rest pose → (B, 478, 2) pixels, turned and moved by `motion`."""
        points = points + torch.nn.functional.pad(self.depth_change[:, None], (2, 0))  # turning depth
        relative_points = points - self.centre  # (B, 478, 3)
        turned = relative_points @ motion.turn  # (B, 478, 3)
        return self.centre[:2] + motion.scale * turned[..., :2] + motion.shift


@dataclass(frozen=True)
class HeadMotion:
    """A batch of frames' head motion as HeadTransform.place applies it."""

    turn: torch.Tensor  # (B, 3, 3): points (rows) times this is F·R·F applied to each
    scale: torch.Tensor  # (B, 1, 1) the perspective's scale for the head's distance
    shift: torch.Tensor  # (B, 1, 2) pixels


def turning_depth(landmarks: np.ndarray) -> np.ndarray:
    """(478,) depth to turn the landmarks with: their own inside the face, a fitted smooth cap
    (a + b·u + c·v + d·u² + e·v² over the face oval's normalised coordinates) at the silhouette."""
    oval = landmarks[list(FACE_OVAL), :2]
    low, high = oval.min(axis=0), oval.max(axis=0)
    u, v = ((landmarks[:, :2] - (low + high) / 2) / ((high - low) / 2)).T
    design = np.stack([np.ones_like(u), u, v, u * u, v * v], axis=1)
    coefficients, *_ = np.linalg.lstsq(design, landmarks[:, 2], rcond=None)
    cap = design @ coefficients
    radius = np.sqrt(u * u + v * v)
    inside = 1.0 - hermite_step(*SILHOUETTE_BLEND, radius)
    return cap + inside * (landmarks[:, 2] - cap)
