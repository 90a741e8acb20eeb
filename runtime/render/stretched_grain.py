"""Stretched grain: a drawing's grain where the warp stretches the portrait, as the paper's, not drawn out.

On a portrait made of strokes the warp reads the finest detail (paper tooth, a pencil's grain) from the
nearest pixel (warp_renderer._grain_split), so it moves with the face and keeps its strength. Where the
warp stretches the picture — the cheeks beside a mouth opening wide, a closing lid's skin — the nearest
pixel repeats across the stretch, and the grain is drawn out into streaks along it: a wide-open pencil
drawing's cheeks looked brushed, not drawn. The paper a drawing is made on does not stretch with the face
drawn on it. So as far as the warp stretches (the least singular value of its backward map's Jacobian, on
the coarse field), the grain read there gives way to the drawing's own grain pattern (mouth_palette's,
unit σ) laid on the frame's pixels, as strong as the portrait's grain is around the place read; its drawn
lines keep their own (LINE_GRAIN). How far the warp stretches the test pencil drawings at most (1 / that
singular value, measured 2026-12-06): 1.0-1.1 at a full smile, 1.7 at a 15° turn (the face's edges), 1.8
at a pucker, 1.8-2.0 at a blink, 2.5-2.6 at jaw 0.3 and 3.6-4.1 at 0.5 (beside the mouth; more inside the
opening, which the mouth's layers draw over). Where nothing stretches past STRETCH_ONSET — every frame at
rest — no pixel changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch

from runtime.numerics import hermite_step

# How far the warp stretches the portrait (1 / the least singular value of the backward map's Jacobian)
# from which the grain gives way to the paper's, and where it is the paper's alone.
STRETCH_ONSET = 1.2
STRETCH_FULL = 1.5
GRAIN_STRENGTH_SIGMA_PX = 3.0  # the portrait's grain strength is its RMS over this σ around a pixel
# A drawn line (a brow, a lid's crease, the jaw's outline) keeps its own grain, stretched as it is: its
# detail is the line's edge, and the paper's grain in its place left it broken and faint (a brow over a
# closing lid). Lines are told from the paper by their grain's strength against the picture's quietest
# quarter's (its 25th percentile: the paper's and the skin's): the paper takes over wholly up to LINE_GRAIN[0]
# times that, not at all from LINE_GRAIN[1] times (on the pencil drawings the quiet quarter's is 5-6, the
# strokes' 20-30). From 2.5 and 5 times, the cheeks' lines beside a wide-open mouth kept their streaks
# (the test's streakiness 0.34 against 0.31); the brows over a closing lid looked the same either way.
LINE_GRAIN = (3.5, 7.0)
# The least the quiet quarter's strength is taken to be (levels): a drawing on flat digital white has none
# (0 made the line test divide by zero), and its lines are then all that has grain. Under every test
# portrait's (the wrinkled browline twin's 0.8 is the least), so none of theirs is changed by it.
QUIET_FLOOR = 0.5


def stretch_weights(jacobian: torch.Tensor, width: int, height: int) -> torch.Tensor:
    """(B, 4, h, w) the backward offset's derivatives in grid_sample's units (warp_renderer._jacobian:
    ∂ox/∂x, ∂ox/∂y, ∂oy/∂x, ∂oy/∂y) of a portrait `width` × `height` → (B, 1, h, w) 0..1, how far each
    cell's grain is the paper's."""
    a = 1.0 + jacobian[:, 0]
    b = jacobian[:, 1] * (width / height)  # normalised x and y are 2 / width and 2 / height pixels
    c = jacobian[:, 2] * (height / width)
    d = 1.0 + jacobian[:, 3]
    squares = a * a + b * b + c * c + d * d
    determinant = a * d - b * c
    # The 2×2 map's singular values squared are (S ± √(S² − 4 det²)) / 2, S the sum of its squares.
    least = ((squares - torch.sqrt((squares * squares - 4.0 * determinant * determinant).clamp(min=0.0))) / 2.0)
    stretch = torch.rsqrt(least.clamp(min=1e-6))
    return hermite_step(STRETCH_ONSET, STRETCH_FULL, stretch)[:, None]


class PaperGrain:
    """A drawing's grain pattern laid over the whole image, and how strong its grain is everywhere:
    what a stretched pixel's grain becomes (`blend`)."""

    def __init__(self, grain: torch.Tensor, pattern: np.ndarray) -> None:
        """grain (1, 3, H, W) the portrait's grain (warp_renderer._grain_split); pattern (h, w) the
        drawing's grain pattern, zero mean and unit σ (mouth_palette.MouthPalette.grain), tiled."""
        planes = np.ascontiguousarray(grain[0].permute(1, 2, 0).numpy(), dtype=np.float32)  # (H, W, 3)
        height, width = planes.shape[:2]
        power = cv2.GaussianBlur(planes * planes, (0, 0), GRAIN_STRENGTH_SIGMA_PX, borderType=cv2.BORDER_REPLICATE)
        strength = np.sqrt(power)  # (H, W, 3)
        overall = strength.mean(axis=2)
        quiet = max(float(np.percentile(overall, 25)), QUIET_FLOOR)
        on_paper = 1.0 - hermite_step(LINE_GRAIN[0] * quiet, LINE_GRAIN[1] * quiet, overall)  # 0 on a drawn line
        # One (H, W, 4) picture read once per frame: the grain's strength and how far the place is paper.
        self.reads = np.ascontiguousarray(np.dstack([strength, on_paper]), dtype=np.float32)
        repeats = (-(-height // pattern.shape[0]), -(-width // pattern.shape[1]))
        self.pattern = np.ascontiguousarray(np.tile(pattern.astype(np.float32), repeats)[:height, :width])

    def blend(self, read: torch.Tensor, weight: torch.Tensor, maps: torch.Tensor, origin: tuple[int, int]) -> None:
        """read (3, h, w) the grain read from the nearest pixel at `maps` ((2, h, w) the image's pixels),
        changed in place towards the paper's grain as far as `weight` (h, w) says; origin: the image's
        (x, y) of read's first pixel, where the pattern lies (it stays with the frame, as paper does).
        Only the box of pixels with some weight is touched."""
        rows = torch.nonzero(weight.amax(dim=1)).squeeze(1)
        if len(rows) == 0:
            return
        columns = torch.nonzero(weight.amax(dim=0)).squeeze(1)
        top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1
        box_maps = maps[:, top:bottom, left:right].cpu().numpy()
        reads = cv2.remap(self.reads, box_maps[0], box_maps[1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        reads = torch.from_numpy(reads).to(read.device).permute(2, 0, 1)  # (4, h', w')
        x, y = origin[0] + left, origin[1] + top
        pattern = torch.from_numpy(self.pattern[y:y + bottom - top, x:x + right - left]).to(read.device)
        share = weight[top:bottom, left:right] * reads[3]
        part = read[:, top:bottom, left:right]
        part += share * (reads[:3] * pattern - part)


@dataclass(frozen=True)
class StretchedReads:
    """One batch's stretch, for the warp's grain reads (Resampling.portrait_into)."""

    paper: PaperGrain
    weights: torch.Tensor  # (B, 1, h, w) over the view's moving pixels, 0..1 (stretch_weights upsampled)

    def blend(self, index: int, read: torch.Tensor, maps: torch.Tensor, origin: tuple[int, int]) -> None:
        """Frame `index`'s grain `read` ((3, h, w)) at `maps` ((2, h, w)) blended in place (PaperGrain.blend:
        a frame with no weight anywhere is left as it is)."""
        self.paper.blend(read, self.weights[index, 0], maps, origin)
