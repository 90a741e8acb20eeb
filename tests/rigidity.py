"""How far a rigid thing's pixels moved between two frames, read from the pictures alone: sub-pixel
shifts of small patches centred on its pixels, each a translation tracked by Lucas–Kanade over the
thing's own pixels (its mask, softened, as weights), so the skin moving behind it counts for little.
(Tried first: phase correlation with a mask-shaped window reads known shifts far too small, the
window's own edges pull it to zero; OpenCV's ECC with the thin rim as mask does not converge.)

Patches centred near an eye opening are left out: there the lids move by design, and a patch would
read their motion rather than the rim's. Only near: a rim just above the lid is exactly where a lid
dragging the frame shows, so patches may take in some lid, which the rim weighting plays down. A
patch can read a shift of up to a quarter of its side; larger readings (a failed correlation, or a rim
torn further than that) count as that much.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

PATCH_PX = 24  # side of a patch; a rim (1–8 px) and a few pixels either side of it
PATCH_SPACING_PX = 10  # one patch per cell of this size along the rim
MIN_RIM_ALPHA = 0.5  # a patch centre lies on the rim: mask alpha at least this
MASK_SOFTENING_PX = 1.5  # the rim mask is widened by this much: its edges against the skin are in it
EYE_CLEARANCE_PX = 5  # no patch centre within this distance of an eye opening
MAX_SHIFT_PX = PATCH_PX / 4  # the largest shift a patch can read
LK_ITERATIONS = 20
MIN_CORNERNESS = 0.1  # both directions are read where the texture varies both ways: weaker eigenvalue / stronger


def rim_patch_centres(mask: np.ndarray, exclude: np.ndarray) -> np.ndarray:
    """(N, 2) integer (x, y) patch centres: the strongest rim pixel in each grid cell, away from the
    frame's edge and EYE_CLEARANCE_PX clear of `exclude` ((H, W) bool)."""
    height, width = mask.shape
    half = PATCH_PX // 2
    clearance = np.ones((2 * EYE_CLEARANCE_PX + 1, 2 * EYE_CLEARANCE_PX + 1), np.uint8)
    near_excluded = cv2.dilate(exclude.astype(np.uint8), clearance) > 0
    candidates = (mask >= MIN_RIM_ALPHA) & ~near_excluded
    candidates[:half + 1], candidates[height - half - 1:] = False, False
    candidates[:, :half + 1], candidates[:, width - half - 1:] = False, False
    ys, xs = np.nonzero(candidates)
    best: dict[tuple[int, int], tuple[float, int, int]] = {}
    for x, y in zip(xs, ys, strict=True):
        cell = (x // PATCH_SPACING_PX, y // PATCH_SPACING_PX)
        if cell not in best or mask[y, x] > best[cell][0]:
            best[cell] = (float(mask[y, x]), x, y)
    return np.array([(x, y) for _, x, y in best.values()], dtype=int).reshape(-1, 2)


@dataclass(frozen=True, eq=False)
class PatchShifts:
    """What each patch read. Where the rim runs straight through a patch, motion along it cannot be
    seen (the aperture problem): such a patch reads only the motion across the rim — a bend — and is
    marked not `full`."""

    shifts: np.ndarray  # (N, 2) (dx, dy) pixels, each at most MAX_SHIFT_PX long
    full: np.ndarray  # (N,) bool: both directions read
    normals: np.ndarray  # (N, 2) unit vectors across the rim (the patch's strongest gradient direction)


def patch_shifts(before: np.ndarray, after: np.ndarray, mask: np.ndarray, centres: np.ndarray) -> PatchShifts:
    """How each patch around `centres` moved from `before` to `after` ((H, W, 3) uint8 frames)."""
    grey_before, grey_after = (cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32) for frame in (before, after))
    weight = np.clip(cv2.GaussianBlur(mask.astype(np.float32), (0, 0), MASK_SOFTENING_PX) * 3.0, 0.0, 1.0)
    half = PATCH_PX // 2
    readings = []
    for x, y in centres:
        rows, columns = slice(y - half, y + half), slice(x - half, x + half)
        readings.append(_tracked_shift(grey_before[rows, columns], grey_after, weight[rows, columns], (x, y)))
    if not readings:
        return PatchShifts(np.zeros((0, 2)), np.zeros(0, bool), np.zeros((0, 2)))
    shifts, full, normals = zip(*readings, strict=True)
    return PatchShifts(np.array(shifts), np.array(full), np.array(normals))


def _tracked_shift(template: np.ndarray, after: np.ndarray, weight: np.ndarray, centre: tuple[int, int]
                   ) -> tuple[np.ndarray, bool, np.ndarray]:
    """Lucas–Kanade on the weighted pixels: the translation t with after(x + t) ≈ template(x); only
    its component across the rim where the patch has no texture along it."""
    grad_y, grad_x = np.gradient(template)
    hessian = np.array([[np.sum(weight * grad_x**2), np.sum(weight * grad_x * grad_y)],
                        [np.sum(weight * grad_x * grad_y), np.sum(weight * grad_y**2)]])
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)  # ascending
    normal = eigenvectors[:, 1]
    full = bool(eigenvalues[0] >= MIN_CORNERNESS * eigenvalues[1])
    if eigenvalues[1] <= 1e-9:
        return np.zeros(2), False, normal  # nothing to track
    # getRectSubPix centres a patch on (x, y) - 0.5 + size / 2: the template's own pixels at zero shift.
    origin = np.array(centre, dtype=np.float64) - 0.5
    shift = np.zeros(2)
    for _ in range(LK_ITERATIONS):
        sampled = cv2.getRectSubPix(after, (PATCH_PX, PATCH_PX), tuple(origin + shift))
        error = sampled - template
        gradient_error = np.array([np.sum(weight * grad_x * error), np.sum(weight * grad_y * error)])
        if full:
            step = -np.linalg.solve(hessian, gradient_error)
        else:
            step = -(normal @ gradient_error) / eigenvalues[1] * normal
        shift += step
        if np.hypot(*shift) > MAX_SHIFT_PX:
            return shift / np.hypot(*shift) * MAX_SHIFT_PX, full, normal
        if np.hypot(*step) < 1e-3:
            break
    return shift, full, normal


def rms_shift_px(read: PatchShifts) -> float:
    """Root mean square of the patches' shift lengths; NaN without patches."""
    if len(read.shifts) == 0:
        return float("nan")
    return float(np.sqrt(np.mean(np.sum(read.shifts**2, axis=1))))


def shifted(frame: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """A frame moved by a known sub-pixel amount (for validating the measure)."""
    matrix = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])
    return cv2.warpAffine(frame, matrix, frame.shape[1::-1], flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)
