"""The supersampled canvas test portraits' makers draw on: shapes are rasterised SUPERSAMPLE times larger
with antialiasing and reduced by area, so their edges are soft as a photo's and their alpha is a ground truth
to measure against.
"""

from __future__ import annotations

import cv2
import numpy as np

SUPERSAMPLE = 4
SHIFT = 4  # cv2 drawing calls take shift=SHIFT: points in fixed point with this many fractional bits


def canvas(shape: tuple[int, int]) -> np.ndarray:
    """(H·SUPERSAMPLE, W·SUPERSAMPLE) uint8 zeros for a picture of `shape` (H, W); draw on it with 255."""
    return np.zeros((shape[0] * SUPERSAMPLE, shape[1] * SUPERSAMPLE), np.uint8)


def fixed(points: np.ndarray) -> np.ndarray:
    """Picture pixels (N, 2) → the canvas in cv2's fixed point, pixel centres kept: picture pixel p's centre
    is the centre of the SUPERSAMPLE canvas pixels it reduces from ((p + 0.5)·SUPERSAMPLE − 0.5). Without it,
    shapes land 3/8 px up and left of their landmarks."""
    scaled = ((points + 0.5) * SUPERSAMPLE - 0.5) * (1 << SHIFT)
    return scaled.round().astype(np.int32).reshape(-1, 1, 2)


def reduced(layer: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The canvas averaged back to picture pixels (H, W): antialiased alpha in 0..1, float32."""
    return cv2.resize(layer, shape[::-1], interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
