"""LipBands: each lip redrawn from the portrait as a band that moves with its own landmarks, so the
lips stay lips whatever the warp does beside them.

Opening a closed mouth tears the picture along the line where the lips meet: the lower lip drops
with the jaw while the upper lip, a pixel or two above it, stays. A smooth warp cannot tear — it
stretches across the tear, and its spline rings beside it, folding the lower lip into blots of the
meeting line. Closing an open mouth is the same in reverse: the warp squeezes the portrait's teeth
into a hairline between the lips. So inside each lip — between its inner and outer contour, from
corner to corner, and a little beyond its outer contour where it fades into the warp — a pixel is
read from the portrait at the same place in the lip's band at rest: along the lip by its landmarks,
across it by its share of the way from the inner contour to the outer one. At rest that is the
portrait itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from runtime.numerics import hermite_step
from runtime.render.landmark_groups import LIPS
from runtime.render.openings import Opening, Windows, left_to_right, sample_at

FADE_MOUTH_WIDTHS = 0.16  # beyond its outer contour a lip's band fades into the warp over this width


@dataclass(frozen=True)
class LipContours:
    """Landmark indices of one lip's inner and outer contours, left to right, sharing the outer corners."""

    inner: tuple[int, ...]
    outer: tuple[int, ...]


def lip_contours(landmarks: np.ndarray) -> tuple[LipContours, LipContours]:
    """(upper, lower): the inner contours run out to the mouth's outer corners so both contours of a
    lip share their ends and the band covers the lip from corner to corner."""
    right_corner, left_corner = LIPS.corners

    def lip(inner: tuple[int, ...], outer: tuple[int, ...]) -> LipContours:
        ordered_outer = left_to_right(outer, landmarks)
        ordered_inner = left_to_right(inner, landmarks)
        return LipContours((ordered_outer[0], *ordered_inner, ordered_outer[-1]), ordered_outer)

    return lip(LIPS.inner_upper, LIPS.outer_upper), lip(LIPS.inner_lower, LIPS.outer_lower)


class LipBand(nn.Module):
    """One lip's band in a batch of windows: where its pixels read the portrait, and how much they show."""

    def __init__(self, contours: LipContours, source_points: torch.Tensor, below_inner: bool) -> None:
        super().__init__()
        self.inner_index = list(contours.inner)
        self.outer_index = list(contours.outer)
        self.register_buffer("source_inner", source_points[:, self.inner_index])  # (1, K, 2)
        self.register_buffer("source_outer", source_points[:, self.outer_index])
        self.below_inner = below_inner  # the lower lip lies below its inner contour, the upper above it

    def reach(self, points: torch.Tensor, mouth_width_px: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 2) each, the least and the greatest pixel (x, y) the band can touch: its contours' box
        grown by the fade beyond the outer contour and the antialiased edge."""
        contours = points[:, self.inner_index + self.outer_index]  # (B, K, 2)
        grow = (FADE_MOUTH_WIDTHS * mouth_width_px + 2.0)[:, None]  # (B, 1)
        return contours.amin(dim=1) - grow, contours.amax(dim=1) + grow

    def reads(self, pixels: torch.Tensor, points: torch.Tensor, fade_px: torch.Tensor
              ) -> tuple[torch.Tensor, torch.Tensor]:
        """pixels (B, P, 2), points (B, 478, 2), fade_px (B, 1) → where each pixel reads the portrait
        (B, P, 2) and the band's alpha (B, P)."""
        inner, outer = points[:, self.inner_index], points[:, self.outer_index]
        # Opening's "upper" curve is the one higher in the image: the outer contour for the upper lip.
        top, bottom = (inner, outer) if self.below_inner else (outer, inner)
        band = Opening.of(pixels, top, bottom, smooth=True)
        inner_moved, outer_moved = inner - self.source_inner, outer - self.source_outer  # (B, K, 2)
        top_moved = band.upper_at.read(inner_moved if self.below_inner else outer_moved)  # (B, P, 2)
        bottom_moved = band.lower_at.read(outer_moved if self.below_inner else inner_moved)
        depth = band.depth()[..., None]  # (B, P, 1)
        moved = top_moved + (bottom_moved - top_moved) * depth
        covered = band.upper_at.covered * band.lower_at.covered
        # Full strength from the inner contour (antialiased) to the outer one, then fading beyond it.
        if self.below_inner:
            inside = (band.v - band.v_upper + 0.5).clamp(0.0, 1.0)
            beyond = band.v - band.v_lower
        else:
            inside = (band.v_lower - band.v + 0.5).clamp(0.0, 1.0)
            beyond = band.v_upper - band.v
        alpha = covered * inside * (1.0 - hermite_step(0.0, 1.0, beyond / fade_px))
        return pixels - moved, alpha


class LipBands(nn.Module):
    """Both lips, drawn from a crop of the portrait around the mouth."""

    def __init__(self, landmarks: np.ndarray, source_points: torch.Tensor) -> None:
        super().__init__()
        upper, lower = lip_contours(landmarks)
        self.upper = LipBand(upper, source_points, below_inner=False)
        self.lower = LipBand(lower, source_points, below_inner=True)

    def reach(self, points: torch.Tensor, mouth_width_px: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 2) each, the least and the greatest pixel (x, y) the bands can touch: their contours'
        box grown by the fade beyond the outer contour and the antialiased edge. The opening between
        the lips lies inside it too, so nothing a mouth layer draws falls outside."""
        lows, highs = zip(*(lip.reach(points, mouth_width_px) for lip in (self.upper, self.lower)), strict=True)
        return torch.minimum(*lows), torch.maximum(*highs)

    def draw(self, patch: torch.Tensor, windows: Windows, pixels: torch.Tensor, points: torch.Tensor,
             mouth_width_px: torch.Tensor, source: torch.Tensor, source_origin: torch.Tensor) -> None:
        """patch (B, 3, P) the warped windows' pixels (`pixels`, (B, P, 2)), both lips redrawn in place.
        source (1, C ≥ 3, h, w) the portrait around its mouth, its top-left at source_origin (2,)."""
        fade_px = FADE_MOUTH_WIDTHS * mouth_width_px[:, None]
        for lip in (self.upper, self.lower):
            # Each lip only on the window's rows it can reach (a third of a wide-open mouth's window):
            # its alpha is exactly 0 elsewhere, so those pixels would come out unchanged.
            low, high = lip.reach(points, mouth_width_px)
            rows = windows.rows_between(low[:, 1], high[:, 1])
            reads, alpha = lip.reads(pixels[:, rows], points, fade_px)
            colour = sample_at(source[:, :3], reads - source_origin)  # (B, 3, p)
            patch[:, :, rows] += alpha[:, None] * (colour - patch[:, :, rows])
