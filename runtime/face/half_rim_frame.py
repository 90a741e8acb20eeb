"""find_half_rim_frame: half-rim glasses — a thin metal (or acetate) rim along each lens's upper half, the
lenses rimless below — that runtime/face/glasses.py's other tests miss, as a soft mask of the rims.

The ring test needs a rim all the way round each eye, the solid-colour test one colour all the way round,
the two-tone test pale rims below the bars: a half-rim frame has nothing below the eyes but a clear lens's
edge, a faint glint. What a blink or a raised brow visibly bends is its rims over the eyes, and what tells
them from a face without glasses is that they are one thin line running unbroken from beyond one eye's
outer corner, over the eye, across the nose and over the other eye, below the brows all the way: a lid's
crease and a brow are lines over each eye, but neither crosses the nose between the eyes, and a brow
lies above the brows' lower edge. So the strip along the eyes is unrolled (eye_strip.py), the part of
it below the brows searched for the path that runs most along thin dark lines (dynamic programming,
best_path.py), and a frame is said to be worn when that path is on a line nearly everywhere and all
across the nose. The mask is the line's pixels along that path.
"""

from __future__ import annotations

import cv2
import numpy as np

from runtime.face.best_path import best_path
from runtime.face.eye_strip import BEYOND_OUTER_CORNER, EyeStrip, eye_openings
from runtime.face.line_strength import line_strength
from runtime.face.solid_frame import SolidFrame, sample_at
from runtime.render.landmark_groups import LEFT_EYE, RIGHT_EYE

LINE_WIDTH = 0.12  # eye widths: a rim is a line thinner than this (a brow, a shadow is wider)
# A line pixel stands out this many times more than the cheeks' and chin's own lines, and by at least
# MIN_LINE_CONTRAST levels.
LINE_OVER_SKIN = 3.0
MIN_LINE_CONTRAST = 9.0
BELOW_BROWS = 0.05  # eye widths above the brows' lower edge (their landmarks) where the path may still run
# ... and at most this far above the upper lids: a lens's top lies 0.2-0.35 eye widths above the lid, a brow's
# tail further (where a rim is lit, the path could leave it for the brow's edge).
ABOVE_LIDS = 0.45
BROWS = (*RIGHT_EYE.brow_lower_row, *LEFT_EYE.brow_lower_row)
LIDS = (*RIGHT_EYE.upper_lid, *LEFT_EYE.upper_lid)
# The path runs on a line over this share of the strip's columns at least, and over this share of those
# between the eyes' inner corners (the bridge). Tuning set, at the head and face framings: the half-rim
# twin 0.99-1.00 and 1.00; without glasses at most 0.86 and 0.80 (a stylised portrait: its outlined lids,
# and the nose's shading where it meets the brows). Measured after, on the check set: Henner's half-rims
# 1.00 and 1.00, the faces without glasses at most 0.90 and 0.78 (the pencil `drawing`'s strokes).
MIN_ON_LINE = 0.94
MIN_BRIDGE = 0.9
MASK_REACH = 0.08  # eye widths either side of the path: the rim's own line (a rim 0.05-0.1 eye widths wide)


def find_half_rim_frame(image: np.ndarray, landmarks: np.ndarray, eye_width: float,
                        skin_landmarks: tuple[int, ...]) -> SolidFrame | None:
    """A half-rim frame, or None when the portrait wears none."""
    openings = eye_openings(image.shape[:2], landmarks, eye_width)
    lines = line_strength(image, LINE_WIDTH * eye_width) * (1.0 - openings)
    skin = float(np.median(sample_at(lines, landmarks[list(skin_landmarks), :2])))
    least = max(LINE_OVER_SKIN * skin, MIN_LINE_CONTRAST)
    strip = EyeStrip(landmarks, eye_width)
    row = np.arange(strip.rows)[:, None]
    between = (row > _lower_edge(strip, landmarks, BROWS)[None] - BELOW_BROWS * eye_width) & \
        (row > _lower_edge(strip, landmarks, LIDS)[None] - ABOVE_LIDS * eye_width)
    on_line = (strip.sample(lines) >= least) & between
    rows = best_path(on_line.astype(np.float64))
    on_path = on_line[rows, np.arange(strip.columns)]
    bridge = np.arange(int(np.ceil(min(strip.inner))), int(np.floor(max(strip.inner))) + 1)
    if len(bridge) == 0 or on_path.mean() < MIN_ON_LINE or on_path[bridge].mean() < MIN_BRIDGE:
        return None
    # The rims over the eyes, corner to corner: past the outer corners a brow's tail comes down to the lens's
    # top, and where the metal there catches the light the path can take the brow's edge instead.
    over_eyes = np.arange(int(round(BEYOND_OUTER_CORNER * eye_width)),
                          strip.columns - int(round(BEYOND_OUTER_CORNER * eye_width)))
    on_rim = np.clip((lines - 0.3 * least) / (0.7 * least), 0.0, 1.0)
    return SolidFrame(_near(on_rim, strip.points(rows[over_eyes], over_eyes), MASK_REACH * eye_width),
                      brow_margin_is_frame=True)


def _lower_edge(strip: EyeStrip, landmarks: np.ndarray, indices: tuple[int, ...]) -> np.ndarray:
    """(columns,) the strip's row of a line of landmarks (the brows', the upper lids') in each column,
    straight across between its points."""
    columns, rows = strip.at(landmarks[list(indices), :2])
    order = np.argsort(columns)
    return np.interp(np.arange(strip.columns), columns[order], rows[order])


def _near(on_rim: np.ndarray, path: np.ndarray, reach_px: float) -> np.ndarray:
    """(H, W) float32 0..1: the line's pixels within `reach_px` of the path, grown a pixel (the rim's
    antialiased edge) and softened."""
    near = np.zeros(on_rim.shape, np.uint8)
    reach = max(1, int(round(reach_px)))
    cv2.polylines(near, [np.round(path).astype(np.int32)], False, 1, 2 * reach + 1)
    grown = cv2.dilate((near * on_rim).astype(np.float32), np.ones((3, 3), np.uint8))
    return cv2.GaussianBlur(grown, (3, 3), 0.5)
