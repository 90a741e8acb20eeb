"""Lipstick for test portraits: the lips painted a deep colour from corner to corner, lit from above.

Many portraits users upload show dark lips: lipstick, or an older face's lips (the check set's Hopper photo,
whose shut mouth is one dark red band from corner to corner). Under light from above, the upper lip faces
away from it and is the darker (UPPER_LIP_SHADE). Within each lip's contours (antialiased) every pixel takes
the lipstick's colour at its own brightness over the lips' median, so the lips keep their light and shade,
their highlights and the line where they meet, in the new colour.
"""

from __future__ import annotations

import cv2
import numpy as np

from runtime.render.landmark_groups import LIPS
from runtime.render.openings import left_to_right
from tests.portrait_canvas import SHIFT, canvas, fixed, reduced

UPPER_LIP_SHADE = 0.6  # the upper lip's brightness, of the lower lip's, under light from above


def with_lipstick(rgb: np.ndarray, landmarks: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """(H, W, 3) uint8: the portrait with its lips (FaceLandmarker's 478 `landmarks`, shut or parted) painted
    `colour` (RGB, the lower lip's lit colour)."""
    upper = _coverage(rgb.shape[:2], landmarks, LIPS.outer_upper, LIPS.inner_upper)
    lower = _coverage(rgb.shape[:2], landmarks, LIPS.outer_lower, LIPS.inner_lower)
    luminance = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lips = np.maximum(upper, lower)
    relative = luminance / max(float(np.median(luminance[lips > 0.5])), 1.0)
    shade = relative * (upper * UPPER_LIP_SHADE + lower) / np.maximum(upper + lower, 1e-6)
    painted = np.asarray(colour, np.float32) * shade[..., None]
    out = rgb.astype(np.float32) + lips[..., None] * (painted - rgb)
    return out.round().clip(0, 255).astype(np.uint8)


def _coverage(shape: tuple[int, int], landmarks: np.ndarray, outer: tuple[int, ...], inner: tuple[int, ...]
              ) -> np.ndarray:
    """(H, W) float32 0..1: how much of each pixel lies between a lip's outer and inner contour."""
    points = np.concatenate([landmarks[list(left_to_right(outer, landmarks)), :2],
                             landmarks[list(left_to_right(inner, landmarks)), :2][::-1]])
    lip = canvas(shape)
    cv2.fillPoly(lip, [fixed(points)], 255, cv2.LINE_AA, shift=SHIFT)
    return reduced(lip, shape)
