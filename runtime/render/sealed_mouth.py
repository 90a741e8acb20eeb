"""A portrait's lips without what lies between them: what a closure or a pucker reads them from.

LipSeal brings the lips together and the lip bands redraw each lip from the portrait (lip_bands.py).
On a portrait whose mouth is open, the bands and the skin just beyond them also carry parts of the
opening: its shadowed corners (a painting's black wedges, a pencil drawing's dark mass of strokes)
and its drawn outline, wherever the landmarker's contours lie inside the lips as painted. Brought
together they read as lips still parted at the corners, with a pale band between two dark lines
(FaceLandmarker read the tuning set's open-mouthed painting and drawing apart by 0.04-0.09 mouth
widths at every p, b and m). So, once per avatar, the opening and the dark parts joined to it are
filled from the lips and skin around them; a closing frame's lips read from that copy as fully as
the frame is sealed (MouthInterior), and their seam is drawn as one line.

A shut mouth drawn as a line is the same case the other way round. There the 'cavity' is the line
itself: pressed lips (a p, b or m) meet in a thin seam, where the drawn line's width read as lips
apart (FaceLandmarker parts a pencil drawing's shut lips by 0.06-0.08 of the mouth's width), and
rounded lips (a pucker) thicken and narrow, where the line stretched with them broke into dark
streaks down the lower lip. A pressed or rounded frame reads the lips from the copy without the line,
with one seam drawn between them over the portrait's own line squeezed thin (`pressed_line`): a seam
alone ended short of where the drawn line did, which stayed as dark spurs at the corners.
"""

from __future__ import annotations

import cv2
import numpy as np

from runtime.render.landmark_groups import LIPS

CAVITY_DARKNESS = 0.6  # darker than this share of the lips' median luminance, and joined to the opening: cavity
# A shut mouth's line grows by this share of the mouth's width before it is filled: its paler edges are
# line too (left, they showed as a faint second line beside the seam). An open mouth's cavity grows by a
# pixel only: more ate into its lips.
LINE_GROWTH = 0.03
FILL_RADIUS_PX = 5  # cv2.inpaint's neighbourhood
PRESS_THINNING = 3.0  # a pressed mouth's drawn line is this many times thinner than the portrait's
LINE_SMOOTHING_PX = 2.0  # a line's edges step by whole pixels; smoothed along the mouth, the thin line runs smooth


def cavity_mask(crop: np.ndarray, points: np.ndarray, shut: bool) -> np.ndarray:
    """(h, w) uint8 0/1: the opening between the inner lips and the dark pixels joined to it within
    the lips' outer contour (a crop (h, w, 3) uint8 around the mouth, `points` (478, 2) its landmarks
    in the crop's pixels), grown so no dark rim is left around the fill: by LINE_GROWTH where the
    mouth is `shut` (the 'cavity' is its drawn line), else by a pixel."""
    lips, opening = np.zeros(crop.shape[:2], np.uint8), np.zeros(crop.shape[:2], np.uint8)
    outer = np.concatenate([points[list(LIPS.outer_upper)], points[list(LIPS.outer_lower)][::-1]])
    inner = np.concatenate([points[list(LIPS.inner_upper)], points[list(LIPS.inner_lower)][::-1]])
    cv2.fillPoly(lips, [cv2.convexHull(outer.round().astype(np.int32))], 1)
    cv2.fillPoly(opening, [inner.round().astype(np.int32)], 1)
    luminance = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    lip_pixels = luminance[(lips > 0) & (opening == 0)]
    if len(lip_pixels) == 0:
        return opening
    dark = (luminance < CAVITY_DARKNESS * float(np.median(lip_pixels))) & (lips > 0)
    _, labels = cv2.connectedComponents((dark | (opening > 0)).astype(np.uint8))
    joined = np.unique(labels[opening > 0])
    mask = np.isin(labels, joined[joined > 0]).astype(np.uint8)
    if not shut:
        return cv2.dilate(mask, np.ones((3, 3), np.uint8))
    right, left = LIPS.corners
    reach = max(1, round(LINE_GROWTH * float(np.linalg.norm(points[left] - points[right]))))
    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)))


def sealed_lips(crop: np.ndarray, points: np.ndarray, shut: bool) -> tuple[np.ndarray, np.ndarray]:
    """((h, w, 3) float32 the crop with its cavity (`cavity_mask`) filled from around it, (h, w) float32
    the mask): the caller adds the portrait's grain where the fill smoothed it away."""
    mask = cavity_mask(crop, points, shut)
    return cv2.inpaint(crop, mask, FILL_RADIUS_PX, cv2.INPAINT_TELEA).astype(np.float32), mask.astype(np.float32)


def pressed_line(crop: np.ndarray, line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """((h, w, 3) float32 the crop with its shut mouth's drawn `line` ((h, w), `cavity_mask`) squeezed about
    each column's middle to PRESS_THINNING times thinner, (h, w) float32 where that thin line lies,
    soft over a pixel): laid over the crop without the line (`sealed_lips`), the line keeps the
    portrait's own strokes, darkness and ends (a seam drawn in ink instead ended in dark spurs where
    the fill stopped short of the corners)."""
    mask = line > 0
    height, width = mask.shape
    drawn = mask.any(axis=0)  # the columns the line crosses
    if not drawn.any():
        return crop.astype(np.float32), np.zeros(mask.shape, np.float32)
    rows = np.arange(height, dtype=np.float32)[:, None]
    top = np.where(mask, rows, np.inf).min(axis=0)[drawn]
    bottom = np.where(mask, rows, -np.inf).max(axis=0)[drawn]
    middle = np.interp(np.arange(width), np.flatnonzero(drawn), (top + bottom) / 2).astype(np.float32)
    half = np.zeros(width, np.float32)
    half[drawn] = (bottom - top) / 2 + 0.5
    middle, half = (cv2.GaussianBlur(v[None], (0, 0), LINE_SMOOTHING_PX, borderType=cv2.BORDER_REPLICATE)[0]
                    for v in (middle, half))
    offset = rows - middle[None]
    map_y = (middle[None] + offset * PRESS_THINNING).astype(np.float32)
    map_x = np.broadcast_to(np.arange(width, dtype=np.float32)[None], (height, width)).copy()
    squeezed = cv2.remap(crop, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    thin = half[None] / PRESS_THINNING
    # soft over a pixel across the line, and fading out past its ends as its smoothed width does
    core = np.clip(thin + 0.5 - np.abs(offset), 0.0, 1.0) * np.clip(2.0 * thin, 0.0, 1.0)
    return squeezed.astype(np.float32), core.astype(np.float32)
