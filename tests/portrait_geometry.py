"""Re-posing and re-framing a portrait, its landmarks carried along: a small head turn (yaw, pitch)
as a smooth warp driven by the face mesh turned in 3D, then scale, in-plane tilt and crop.

Independent of the renderer on purpose: the test portraits must not change when the renderer they
judge does.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.interpolate import RBFInterpolator

from runtime.face.analysis import face_width_px
from runtime.render.landmark_groups import FACE_OVAL

PIVOT_DEPTH = 0.6  # the head turns about a point this many face widths behind the face's surface
HAIR_RING, STILL_RING = 1.45, 2.6  # rings around the face, in oval radii: moving with the head, and still
HAIR_FOLLOWS = 0.6  # how much of the face's mean shift the hair ring takes
GRID_STEP_PX = 4  # the warp is interpolated on this grid, then resized to every pixel
GRAIN_SIGMA = 1.6  # sensor-like grain added to upscaled photos (8-bit levels)


@dataclass(frozen=True)
class Pose:
    """A head turn rendered into the portrait, in degrees: yaw > 0 turns towards the image's right,
    pitch > 0 nods down."""

    yaw_deg: float = 0.0
    pitch_deg: float = 0.0


@dataclass(frozen=True)
class Layout:
    """How the face sits in the picture: its width (runtime's face_width_px), an in-plane tilt
    (degrees, anticlockwise), the picture's size, and where the face's centre is in it (fractions)."""

    face_width_px: float
    size: tuple[int, int]  # (width, height)
    tilt_deg: float = 0.0
    face_at: tuple[float, float] = (0.5, 0.45)


def turn_head(rgb: np.ndarray, landmarks: np.ndarray, pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """The face mesh turned in 3D about a pivot behind the face; the picture warped to follow it."""
    if pose == Pose():
        return rgb, landmarks
    turned = _turned_landmarks(landmarks, pose)
    targets, shifts = _controls(landmarks, turned, rgb.shape[:2])
    height, width = rgb.shape[:2]
    grid_y, grid_x = np.mgrid[0:height + GRID_STEP_PX:GRID_STEP_PX, 0:width + GRID_STEP_PX:GRID_STEP_PX]
    grid = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype(np.float64)
    field = RBFInterpolator(targets, shifts, kernel="thin_plate_spline")(grid)  # (G, 2) source - output
    coarse = field.reshape(*grid_x.shape, 2).astype(np.float32)
    fine = cv2.resize(coarse, (grid_x.shape[1] * GRID_STEP_PX, grid_x.shape[0] * GRID_STEP_PX),
                      interpolation=cv2.INTER_LINEAR)[:height, :width]
    map_x = np.arange(width, dtype=np.float32)[None] + fine[..., 0]
    map_y = np.arange(height, dtype=np.float32)[:, None] + fine[..., 1]
    warped = cv2.remap(rgb, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)
    return warped, turned


def _turned_landmarks(landmarks: np.ndarray, pose: Pose) -> np.ndarray:
    points = landmarks.astype(np.float64)
    pivot = points[list(FACE_OVAL)].mean(axis=0)
    pivot[2] = points[:, 2].mean() + PIVOT_DEPTH * face_width_px(landmarks)
    yaw, pitch = np.radians(pose.yaw_deg), np.radians(pose.pitch_deg)
    # x right, y down, z into the image: yaw > 0 brings the nose (z < 0) towards +x.
    yaw_turn = np.array([[np.cos(yaw), 0, -np.sin(yaw)], [0, 1, 0], [np.sin(yaw), 0, np.cos(yaw)]])
    pitch_turn = np.array([[1, 0, 0], [0, np.cos(pitch), -np.sin(pitch)], [0, np.sin(pitch), np.cos(pitch)]])
    turned = (points - pivot) @ (pitch_turn @ yaw_turn).T + pivot
    return turned.astype(np.float32)


def _controls(before: np.ndarray, after: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Output positions and their (source - output) shifts: the mesh, a hair ring that follows the
    head part-way, and a still outer ring and border."""
    mesh_targets, mesh_shifts = after[:, :2], before[:, :2] - after[:, :2]
    oval = before[list(FACE_OVAL), :2].astype(np.float64)
    centre = oval.mean(axis=0)
    mean_shift = mesh_shifts.mean(axis=0)
    hair = centre + HAIR_RING * (oval - centre) - HAIR_FOLLOWS * mean_shift
    still = centre + STILL_RING * (oval - centre)
    border = _border_points(shape)
    targets = np.concatenate([mesh_targets, hair, still, border])
    shifts = np.concatenate([mesh_shifts, np.repeat(HAIR_FOLLOWS * mean_shift[None], len(hair), 0),
                             np.zeros((len(still) + len(border), 2))])
    return targets.astype(np.float64), shifts.astype(np.float64)


def _border_points(shape: tuple[int, int], count: int = 8) -> np.ndarray:
    height, width = shape
    xs, ys = np.linspace(0, width - 1, count), np.linspace(0, height - 1, count)
    top, bottom = np.stack([xs, np.zeros(count)], 1), np.stack([xs, np.full(count, height - 1)], 1)
    left, right = np.stack([np.zeros(count), ys], 1)[1:-1], np.stack([np.full(count, width - 1), ys], 1)[1:-1]
    return np.concatenate([top, bottom, left, right])


def reframe(rgb: np.ndarray, landmarks: np.ndarray, layout: Layout, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Scaled, tilted and cropped as `layout` says; kept inside the source where it can be."""
    scale = layout.face_width_px / face_width_px(landmarks)
    matrix = _placement(landmarks, layout, scale, rgb.shape[:2])
    source = cv2.GaussianBlur(rgb, (0, 0), 0.5 / scale) if scale < 0.8 else rgb  # no aliasing when shrinking
    framed = cv2.warpAffine(source, matrix, layout.size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)
    if scale > 1.5:
        framed = _sharpened_with_grain(framed, scale, seed)
    moved = landmarks.astype(np.float64).copy()
    moved[:, :2] = moved[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    moved[:, 2] *= scale
    return framed, moved.astype(np.float32)


def _placement(landmarks: np.ndarray, layout: Layout, scale: float, shape: tuple[int, int]) -> np.ndarray:
    """(2, 3) affine from the source to the picture, nudged so the picture stays within the source."""
    oval = landmarks[list(FACE_OVAL), :2].astype(np.float64)
    centre = (oval.min(axis=0) + oval.max(axis=0)) / 2
    width, height = layout.size
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), layout.tilt_deg, scale)
    matrix[:, 2] += np.array([layout.face_at[0] * width, layout.face_at[1] * height]) - centre
    corners = np.array([[0, 0], [width, 0], [0, height], [width, height]], dtype=np.float64)
    inverse = cv2.invertAffineTransform(matrix)
    for _ in range(3):
        in_source = corners @ inverse[:, :2].T + inverse[:, 2]
        overflow = np.maximum(0.0, -in_source.min(axis=0)) - np.maximum(0.0, in_source.max(axis=0) - shape[::-1])
        inverse[:, 2] += overflow
    return cv2.invertAffineTransform(inverse)


def _sharpened_with_grain(rgb: np.ndarray, scale: float, seed: int) -> np.ndarray:
    """An upscaled photo looks smeared; a little unsharp masking and sensor grain make it a soft photo."""
    image = rgb.astype(np.float32)
    blurred = cv2.GaussianBlur(image, (0, 0), 0.6 * scale)
    sharpened = image + 0.6 * (image - blurred)
    grain = np.random.default_rng(seed).normal(0.0, GRAIN_SIGMA, rgb.shape[:2])[..., None]
    return (sharpened + grain).round().clip(0, 255).astype(np.uint8)
