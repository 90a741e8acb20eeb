"""Closing a portrait's mouth: the lower lip, chin and jaw are pulled up until the inner lips meet over
the teeth, as a jaw closing does, and a soft lip line is shaded where they meet.

A backward warp built directly (not fitted): above the upper inner lip nothing moves; at the seam the
output jumps to sample the lower inner lip (the teeth between the lips are skipped), and the lift
fades out below the chin. The jump is the point: a smooth fitted warp would squash the teeth into a
thin bright line instead of removing them.
"""

from __future__ import annotations

import cv2
import numpy as np

from runtime.render.landmark_groups import CHIN, LIPS

EXTRA_CLOSURE_PX = 1.0  # the seam sits this far inside the upper lip, and the lift is this much more: no enamel left
LIFT_FADE_BELOW_CHIN = 0.6  # the lift fades to nothing this far below the chin, in seam-to-chin distances
LIP_LINE_DARKNESS = 0.3  # how much the lip line darkens the pixels on it (0: none, 1: black)
LIP_LINE_WIDTH = 0.035  # its Gaussian width, in mouth widths
LIP_LINE_TINT = np.array([0.75, 1.0, 1.0])  # RGB: the shadow between lips is a deep red, not grey


def close_mouth(rgb: np.ndarray, landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H, W, 3) uint8 and its (478, 3) landmarks → the same face with closed lips, and its landmarks."""
    height, width = rgb.shape[:2]
    xs = np.arange(width, dtype=np.float64)
    seam, lift = _seam_and_lift(landmarks, xs)
    bottom = _lift_bottom(landmarks, seam)
    rows = np.arange(height, dtype=np.float64)[:, None]  # (H, 1)
    share = np.clip((bottom - rows) / np.maximum(bottom - seam, 1.0), 0.0, 1.0) * (rows >= seam)  # (H, W)
    lift_field = (lift * share).astype(np.float32)
    map_x = np.broadcast_to(xs.astype(np.float32), (height, width))
    map_y = (rows + lift_field).astype(np.float32)
    closed = cv2.remap(rgb, np.ascontiguousarray(map_x), map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)
    closed = _shade_lip_line(closed, landmarks, seam)
    return closed, _moved_landmarks(landmarks, lift_field)


def _seam_and_lift(landmarks: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per image column: where the lips meet (y) and how far the lower part is lifted (px)."""
    upper = landmarks[list(LIPS.inner_upper), :2]
    lower = landmarks[list(LIPS.inner_lower), :2]
    left, right = sorted((upper[0, 0], upper[-1, 0]))
    upper_y = _curve_at(upper, xs)
    gap = np.clip(_curve_at(lower, xs) - upper_y, 0.0, None)
    inside = np.clip((xs - left) / max(right - left, 1.0), 0.0, 1.0)
    taper = np.sin(np.pi * inside)  # 0 at the corners, 1 in the middle
    return upper_y - EXTRA_CLOSURE_PX * taper, gap + 2 * EXTRA_CLOSURE_PX * taper


def _curve_at(points: np.ndarray, xs: np.ndarray) -> np.ndarray:
    order = np.argsort(points[:, 0])
    return np.interp(xs, points[order, 0], points[order, 1])


def _lift_bottom(landmarks: np.ndarray, seam: np.ndarray) -> np.ndarray:
    chin_y = landmarks[CHIN, 1]
    mouth_y = float(np.median(landmarks[list(LIPS.inner_upper), 1]))
    return np.full_like(seam, chin_y + LIFT_FADE_BELOW_CHIN * (chin_y - mouth_y))


def _shade_lip_line(rgb: np.ndarray, landmarks: np.ndarray, seam: np.ndarray) -> np.ndarray:
    """A soft dark line along the seam, fading towards the corners' ends."""
    right_corner, left_corner = (landmarks[index, :2] for index in LIPS.corners)
    mouth_width = float(np.linalg.norm(left_corner - right_corner))
    xs = np.arange(rgb.shape[1], dtype=np.float64)
    left, right = sorted((right_corner[0], left_corner[0]))
    along = np.clip((xs - left) / max(right - left, 1.0), 0.0, 1.0)
    strength = LIP_LINE_DARKNESS * (0.6 + 0.4 * np.sin(np.pi * along)) * ((xs > left) & (xs < right))
    rows = np.arange(rgb.shape[0], dtype=np.float64)[:, None]
    sigma = max(LIP_LINE_WIDTH * mouth_width, 0.6)
    line = strength * np.exp(-0.5 * ((rows - seam) / sigma) ** 2)  # (H, W)
    shaded = rgb.astype(np.float64) * (1.0 - line[..., None] * LIP_LINE_TINT)
    return shaded.round().clip(0, 255).astype(np.uint8)


def _moved_landmarks(landmarks: np.ndarray, lift_field: np.ndarray) -> np.ndarray:
    """Where each landmark lands: invert y_out + lift(y_out) = y_in along its column (monotone, since
    the lift fades slower than one pixel per pixel); points on the skipped teeth land on the seam."""
    moved = landmarks.astype(np.float64).copy()
    height, width = lift_field.shape
    rows = np.arange(height, dtype=np.float64)
    for point in moved:
        column = int(np.clip(round(point[0]), 0, width - 1))
        sampled_from = rows + lift_field[:, column]
        point[1] = np.interp(point[1], np.maximum.accumulate(sampled_from), rows)
    return moved.astype(np.float32)
