"""find_solid_frame: thick, dark, solid-coloured glasses frames (acetate) that runtime/face/glasses.py's
line test misses, as a soft mask of their frame, or None.

A painting widens a thick frame beyond any thin-line filter, and merges it with the dark eye and brows
it touches; a drawing's strokes and paper grain are lines everywhere, as strong as a frame's. What
still tells a frame is its colour: one colour, not the skin's, running all the way round each eye,
the same round both eyes and across the nose between them. Brows, lid creases, eye bags and a
drawing's shading ring an eye too, but each in its own colour and only part of the way round.

So, around each eye, the portrait (median-smoothed: strokes and brush texture gone) is unrolled into
rays; along each ray a dark band between lighter sides (at any of a few widths) is a candidate, and
the ring that collects most of them, moving smoothly from ray to ray, is found by dynamic programming.
The frame's colour is the median of the ring where the band stood out. A portrait wears glasses when
on both eyes nearly the whole ring has that colour, the two colours agree, differ from the skin's,
and the same colour crosses the nose. The mask is then the pixels of that colour near the rings and
the bridge: a solid frame is its colour.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from runtime.face.best_path import best_path
from runtime.face.bridge import BRIDGE_ROWS, bridge_grid, bridge_level
from runtime.face.brows import above_brows, covers_brows
from runtime.render.landmark_groups import LEFT_EYE, RIGHT_EYE, EyeGroup

RAYS = 96
# How far from an eye's centre a rim is sought (eye widths): sideways, above (the brow is further up)
# and below (lenses reach well below the eye).
REACH_SIDEWAYS = (0.4, 1.35)
REACH_UP = (0.25, 1.0)
REACH_DOWN = (0.25, 1.6)
BAND_WIDTHS = (0.06, 0.1, 0.16, 0.24, 0.34, 0.46)  # eye widths: from a thin metal rim to a painted acetate one
SMOOTHING = 0.06  # eye widths: the median filter's size, wider than a drawing's strokes, narrower than a frame
TANGENTIAL_RAYS = 3  # the rays on each side averaged with a ray: a frame runs on, texture does not
MIN_BAND_CONTRAST = 12.0  # 0..255 luminance: a band this much darker than both its sides stands out
MIN_STANDING_OUT = 0.4  # of the rays, how many must find such a band on the ring (the frame's colour comes from them)
# Of the rays, how many must have the frame's colour on the ring: a frame runs all the way round (measured
# on the tuning portraits and extra ones made like them: 0.91–1.0 with thick dark frames, at most 0.47
# without glasses — brows, creases and shading ring an eye only part of the way).
MIN_COLOURED_SHARE = 0.8
MIN_FRAME_FROM_SKIN = 40.0  # Lab distance: the frame's colour is not the skin's (a shading line's is)
# Lab distance between the two rings' colours: one frame. A coloured pencil drawing's strokes tint each
# lens's frame its own way: the check set's coloured pencil behind acetate's two rings lay under 12 apart
# on one machine and 13.6 on another (2026-12-05, the same code; the portrait as made, or its landmarks,
# differs a little between machines, why was not traced). The portraits without glasses that come as
# near fail the ring tests around it (a coloured share of 0.19–0.34, or too few rays standing out).
MAX_COLOUR_DIFFERENCE = 18.0
COLOUR_TOLERANCE = 0.4  # of the frame's distance from the skin: a pixel this near the frame's colour is frame
BRIDGE_SHARE = 0.5  # of the columns between the lenses, how many hold the frame's colour
MASK_REACH = 0.3  # eye widths around the rings where the frame's colour is taken as frame


@dataclass(frozen=True, eq=False)
class _Ring:
    centre: np.ndarray  # (2,) pixels
    points: np.ndarray  # (RAYS, 2) pixels
    colours: np.ndarray  # (RAYS, 3) Lab of the smoothed portrait at the points
    standing_out: np.ndarray  # (RAYS,) bool: a band darker than its sides there


@dataclass(frozen=True, eq=False)
class SolidFrame:
    mask: np.ndarray  # (H, W) float32 0..1 over the frame; the eyes and brows are not taken out
    # What lies within the brows' margin in the frame's colour is frame, not hair: a thick top rim hides
    # the brows (their landmarks lie on its colour), or the brows above it are already cut out of the mask.
    brow_margin_is_frame: bool
    # (H, W) float32 0..1, or None: the frame's pixels within the eyes' margin, which find_glasses' cut round the
    # eyes spares (a bar lying on the lashes: its lower edge left to the warp was covered by the closing lid).
    in_eye_margin: np.ndarray | None = None


def find_solid_frame(image: np.ndarray, landmarks: np.ndarray, eye_width: float, skin_landmarks: tuple[int, ...]
                     ) -> SolidFrame | None:
    """A dark solid-coloured frame, or None when the portrait wears none."""
    lab = smoothed_lab(image, eye_width)
    skin = np.median(sample_at(lab, landmarks[list(skin_landmarks), :2]), axis=0)
    rings = [_ring(lab, landmarks, eye, eye_width) for eye in (RIGHT_EYE, LEFT_EYE)]
    if any(ring.standing_out.mean() < MIN_STANDING_OUT for ring in rings):
        return None
    colours = [np.median(ring.colours[ring.standing_out], axis=0) for ring in rings]
    if np.linalg.norm(colours[0] - colours[1]) > MAX_COLOUR_DIFFERENCE:
        return None
    frame = np.mean(colours, axis=0)
    from_skin = float(np.linalg.norm(frame - skin))
    if from_skin < MIN_FRAME_FROM_SKIN:
        return None
    tolerance = COLOUR_TOLERANCE * from_skin
    for ring in rings:
        if (np.linalg.norm(ring.colours - frame, axis=1) < tolerance).mean() < MIN_COLOURED_SHARE:
            return None
    distance = np.linalg.norm(lab - frame, axis=2)
    coloured = (distance < tolerance).astype(np.float32)  # 1 on the frame's colour, read bilinearly below
    if not _has_bridge(coloured, rings, eye_width):
        return None
    mask = _mask(distance, tolerance, rings, eye_width)
    covered = covers_brows(coloured, landmarks)
    if not covered:
        mask *= 1.0 - above_brows(mask.shape, landmarks, eye_width)
    return SolidFrame(mask, covered)


def _ring(lab: np.ndarray, landmarks: np.ndarray, eye: EyeGroup, eye_width: float) -> _Ring:
    centre = landmarks[list(eye.lids), :2].mean(axis=0)
    samples = int(round(eye_width))  # about a pixel a step
    xs, ys = ray_points(centre, eye_width, samples)
    luminance = cv2.remap(lab[..., 0], xs, ys, cv2.INTER_LINEAR).astype(np.float64)
    luminance = sum(np.roll(luminance, shift, axis=0) for shift in range(-TANGENTIAL_RAYS, TANGENTIAL_RAYS + 1))
    luminance /= 2 * TANGENTIAL_RAYS + 1
    step_px = (REACH_SIDEWAYS[1] - REACH_SIDEWAYS[0]) * eye_width / (samples - 1)
    bands = _dark_bands(luminance, _band_widths_px(eye_width, step_px))
    path = _ring_path(np.maximum(bands, 0.0))
    rays = np.arange(RAYS)
    points = np.stack([xs[rays, path], ys[rays, path]], axis=1).astype(np.float64)
    return _Ring(centre, points, sample_at(lab, points), bands[rays, path] >= MIN_BAND_CONTRAST)


def _band_widths_px(eye_width: float, step_px: float) -> list[int]:
    return sorted({max(1, int(round(width * eye_width / step_px))) for width in BAND_WIDTHS})


def ray_points(centre: np.ndarray, eye_width: float, samples: int) -> tuple[np.ndarray, np.ndarray]:
    """(RAYS, samples) x and y of points along rays cast outwards from `centre`."""
    angles = np.linspace(0.0, 2.0 * np.pi, RAYS, endpoint=False)
    steps = np.linspace(0.0, 1.0, samples)
    cos, sin = np.cos(angles)[:, None], np.sin(angles)[:, None]
    sideways = REACH_SIDEWAYS[0] + (REACH_SIDEWAYS[1] - REACH_SIDEWAYS[0]) * steps
    vertical = np.where(sin > 0, REACH_DOWN[0] + (REACH_DOWN[1] - REACH_DOWN[0]) * steps,
                        REACH_UP[0] + (REACH_UP[1] - REACH_UP[0]) * steps)  # y down: sin > 0 points down
    xs = centre[0] + cos * sideways[None] * eye_width
    ys = centre[1] + sin * vertical * eye_width
    return xs.astype(np.float32), ys.astype(np.float32)


def _dark_bands(luminance: np.ndarray, widths: list[int]) -> np.ndarray:
    """(RAYS, S): along each ray, how much darker a band centred there is than both its sides, the
    best over `widths` (samples); very negative where a band and its sides do not fit on the ray."""
    rays, samples = luminance.shape
    cumulative = np.concatenate([np.zeros((rays, 1)), np.cumsum(luminance, axis=1)], axis=1)
    position = np.arange(samples)
    best = np.full(luminance.shape, -1e9)
    for width in widths:
        side = max(2, width // 2 + 1)
        start = position - width // 2
        end = start + width
        fits = (start - side >= 0) & (end + side <= samples)
        band = _mean(cumulative, start, end)
        inner = _mean(cumulative, start - side, start)
        outer = _mean(cumulative, end, end + side)
        best = np.maximum(best, np.where(fits[None], np.minimum(inner, outer) - band, -1e9))
    return best


def _mean(cumulative: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    samples = cumulative.shape[1] - 1
    start, end = np.clip(start, 0, samples), np.clip(end, 0, samples)
    return (cumulative[:, end] - cumulative[:, start]) / np.maximum(end - start, 1)


def _ring_path(values: np.ndarray, max_step: int = 2) -> np.ndarray:
    """(RAYS,) the sample on each ray of the ring collecting most of `values` (RAYS, samples), moving at
    most `max_step` samples from ray to ray (the rays are gone round three times and the middle round
    kept, so the ring closes on itself)."""
    rays = len(values)
    return best_path(np.concatenate([values, values, values]).T, max_step)[rays:2 * rays]


def _has_bridge(coloured: np.ndarray, rings: list[_Ring], eye_width: float) -> bool:
    """The frame's colour across the nose between the lenses, at about the eyes' height."""
    grid = bridge_grid(*rings, eye_width)
    if grid is None:
        return True  # the lenses touch
    found = sample_at(coloured, grid.reshape(-1, 2)).reshape(grid.shape[:2]) > 0.5
    return bool(found.any(axis=0).mean() >= BRIDGE_SHARE)


def _mask(distance: np.ndarray, tolerance: float, rings: list[_Ring], eye_width: float) -> np.ndarray:
    """Pixels of the frame's colour (fading out over the colour tolerance: antialiased edges) near the
    rings, the bridge between them and the temples beside them."""
    near = np.zeros(distance.shape, np.uint8)
    reach = max(1, int(round(MASK_REACH * eye_width)))
    for ring in rings:
        cv2.polylines(near, [np.round(ring.points).astype(np.int32)], True, 1, 2 * reach + 1)
    right, left = rings
    level = bridge_level(right, left)
    inner = (int(right.points[:, 0].max()), int(left.points[:, 0].min()))
    if inner[1] > inner[0]:  # the whole of the bridge's search area
        top = max(int(level + BRIDGE_ROWS[0] * eye_width), 0)
        near[top:max(int(level + BRIDGE_ROWS[-1] * eye_width), top), inner[0]:inner[1]] = 1
    for ring, outwards in ((right, -1.0), (left, 1.0)):
        edge = ring.points[np.argmax(outwards * ring.points[:, 0])]
        end = edge + np.array([outwards * 0.5 * eye_width, 0.0])
        cv2.line(near, tuple(np.round(edge).astype(int)), tuple(np.round(end).astype(int)), 1, 2 * reach + 1)
    alpha = np.clip((1.5 * tolerance - distance) / (0.75 * tolerance), 0.0, 1.0)
    return cv2.GaussianBlur((alpha * near).astype(np.float32), (3, 3), 0.5)


def smoothed_lab(image: np.ndarray, eye_width: float) -> np.ndarray:
    """(H, W, 3) float32 the portrait in OpenCV's 8-bit CIELAB, median-filtered over SMOOTHING eye widths:
    the colours frames are told by, without a photo's grain, a JPEG's blocks or a drawing's strokes."""
    size = max(3, int(round(SMOOTHING * eye_width)) | 1)
    return cv2.cvtColor(cv2.medianBlur(np.ascontiguousarray(image), size), cv2.COLOR_RGB2LAB).astype(np.float32)


def sample_at(values: np.ndarray, points: np.ndarray) -> np.ndarray:
    """values (H, W[, C]) at (N, 2) pixel points, bilinear."""
    points = np.asarray(points, np.float32)
    return cv2.remap(values, points[None, :, 0], points[None, :, 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)[0]
