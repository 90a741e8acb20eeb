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
portrait itself. The bands reach round the corners too, where the skin moves as the corner does: the
corner's shadow stays whole rather than cut where the band ended, the lips sealed or (on a portrait that
does not draw them in lines) parted.

A mouth that rounds (a pucker, a funnel) does not squeeze its lips sideways: their ends roll
forward with the corners, out of sight from the front, and the middle of each lip fills the narrower
mouth. So the bands then read the middle of the portrait's lips, not all of them: the dark wedges
where the lips meet at the corners (a photo's shadowed corners, a drawing's inked mouth ends) roll
away with the ends instead of staying as specks at a pinched mouth's points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from runtime.arkit import blendshape_index
from runtime.numerics import hermite_step
from runtime.render.landmark_groups import LIPS
from runtime.render.mouth_palette import grain_at
from runtime.render.openings import Opening, Windows, left_to_right, sample_at

FADE_MOUTH_WIDTHS = 0.16  # beyond its outer contour a lip's band fades into the warp over this width
# The shapes that round the lips, drawing the corners in by about a third of the mouth's width (the
# mouth narrows by 0.22-0.29 of its width at a full pucker or funnel on the test portraits). Only these
# roll the lips' ends away: a mouth narrower than at rest because it smiles less (a portrait that smiles
# at rest, asked for no smile) keeps its corners as they are.
ROUNDING_SHAPES = ("mouthPucker", "mouthFunnel")
ROUNDING_COLUMNS = [blendshape_index(name) for name in ROUNDING_SHAPES]  # looked up once, read every frame
ROUNDING_ONSET = 0.2  # the rounding shapes' weight (over the rest) from which the lips' ends begin to roll
LIP_END_ROLL = 0.16  # the share of each lip's length, from its ends, rolled out of sight at full rounding
# The bands reach round the corners (_past_the_corners) until the lips' ends have rolled this far (a share of
# each lip's length, half LIP_END_ROLL): speech seals lips a little rounded on the way to or from a w or an
# oo (docs/demo.mp4 at 4.24 s: sealed, pucker and funnel 0.37 over the rest, a roll of 0.019), where the
# corners have hardly moved in and a band cut there left the same hooks as unrounded lips.
CORNERS_ROLLED = 0.08
SEAM_TAPER = 0.7  # from this share of the way from the mouth's middle to a corner, a seam narrows to nothing
Reaches = tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]  # LipBands.reaches


@dataclass(frozen=True)
class Seam:
    """A line drawn where the lips meet (MouthInterior._lineless)."""

    closed: torch.Tensor  # (B,) 0..1 how fully the frame seals a mouth the portrait shows open
    strength: torch.Tensor  # (B,) 0..1 the line's
    colour: torch.Tensor  # (1, 3, 1)
    half_width_px: float  # either side of the lower lip's inner contour (0: no solid core), then
    softness_px: float  # fading over this many pixels more
    grain: torch.Tensor  # (h, w) the portrait's grain pattern (mouth_palette.grain_at), zero mean, unit σ
    texture: float  # its σ in the line (a pencil line is strokes, not a flat grey)


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
        # Each contour's knots along the mouth (pixels from its middle, along the corner line), made
        # increasing: where a lip's end rolls away, its contours are read at these shrunk towards the middle.
        ends = source_points[0, [contours.outer[0], contours.outer[-1]]]  # (2, 2) the corners
        axis = (ends[1] - ends[0]) / (ends[1] - ends[0]).norm()
        for name, contour in (("inner_along", self.source_inner), ("outer_along", self.source_outer)):
            self.register_buffer(name, torch.cummax((contour[0] - ends.mean(dim=0)) @ axis, dim=0).values[None])
        self.below_inner = below_inner  # the lower lip lies below its inner contour, the upper above it

    def reach(self, points: torch.Tensor, mouth_width_px: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 2) each, the least and the greatest pixel (x, y) the band can touch: its contours' box
        grown by the fade beyond the outer contour and the antialiased edge."""
        contours = points[:, self.inner_index + self.outer_index]  # (B, K, 2)
        grow = (FADE_MOUTH_WIDTHS * mouth_width_px + 2.0)[:, None]  # (B, 1)
        return contours.amin(dim=1) - grow, contours.amax(dim=1) + grow

    def reads(self, pixels: torch.Tensor, points: torch.Tensor, fade_px: torch.Tensor, rolled: torch.Tensor,
              round_the_corners: torch.Tensor, seam: bool = False
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """pixels (B, P, 2), points (B, 478, 2), fade_px (B, 1), rolled (B,) the share of the lip's length, from its
        ends, rolled out of sight, round_the_corners (B,) 0..1 how far the band reaches round the mouth's corners
        (_past_the_corners; LipBands.draw) → where each pixel reads the portrait (B, P, 2), the band's alpha (B, P) and,
        for a `seam`, each pixel's distance from the lip's inner contour (B, P) pixels, either side of it, growing
        towards the mouth's corners (SEAM_TAPER: a seam drawn by it narrows into them, as a drawn mouth's line does) and
        infinite beyond them (else None)."""
        inner, outer = points[:, self.inner_index], points[:, self.outer_index]
        # Opening's "upper" curve is the one higher in the image: the outer contour for the upper lip.
        top, bottom = (inner, outer) if self.below_inner else (outer, inner)
        band = Opening.of(pixels, top, bottom, smooth=True)
        source_inner = _shown_part(self.source_inner, self.inner_along, rolled)
        source_outer = _shown_part(self.source_outer, self.outer_along, rolled)
        inner_moved, outer_moved = inner - source_inner, outer - source_outer  # (B, K, 2)
        top_moved = band.upper_at.read(inner_moved if self.below_inner else outer_moved)  # (B, P, 2)
        bottom_moved = band.lower_at.read(outer_moved if self.below_inner else inner_moved)
        depth = band.depth()[..., None]  # (B, P, 1)
        moved = top_moved + (bottom_moved - top_moved) * depth
        covered = band.upper_at.covered * band.lower_at.covered
        # Full strength from the inner contour (antialiased) to the outer one, then fading beyond it.
        if self.below_inner:
            from_inner, beyond = band.v - band.v_upper, band.v - band.v_lower
        else:
            from_inner, beyond = band.v_lower - band.v, band.v_upper - band.v
        alpha = covered * (from_inner + 0.5).clamp(0.0, 1.0)
        if bool((rolled > 0.0).any()):
            # Where the lips' ends roll away, so does the skin beyond them: towards the corners the band
            # ends at its outer contour, and the lip itself fades over the share that rolled, into what
            # the warp (which gathers the corners further in) shows beside it: no cut across the lip.
            towards_end = band.lateral() - 1.0  # (B, P) from −1 at the middle to 0 at the corners
            rolled, kept = rolled[:, None], round_the_corners[:, None]
            fade_taper, taper = _taper(towards_end, 2.0 * rolled), _taper(towards_end, rolled)
            fade_px = torch.where(rolled > 0.0, fade_px * (fade_taper + (1.0 - fade_taper) * kept).clamp(min=1e-3),
                                  fade_px)
            alpha = torch.where(rolled > 0.0, alpha * (taper + (1.0 - taper) * kept), alpha)
        alpha = alpha * (1.0 - hermite_step(0.0, 1.0, beyond / fade_px))
        if bool((round_the_corners > 0.0).any()):
            moved, alpha = _past_the_corners(band, moved, alpha, inner_moved, fade_px, round_the_corners)
        if not seam:
            return pixels - moved, alpha, None
        narrowing = (1.0 - hermite_step(SEAM_TAPER, 1.0, band.lateral())).clamp(min=1e-3)
        return pixels - moved, alpha, torch.where(covered > 0.0, from_inner.abs() / narrowing, torch.inf)


class LipBands(nn.Module):
    """Both lips, drawn from a crop of the portrait around the mouth."""

    def __init__(self, landmarks: np.ndarray, source_points: torch.Tensor, parted_reach: float = 1.0) -> None:
        """parted_reach: 0..1 how far parted lips' bands reach round the corners (_past_the_corners)."""
        super().__init__()
        upper, lower = lip_contours(landmarks)
        self.upper = LipBand(upper, source_points, below_inner=False)
        self.lower = LipBand(lower, source_points, below_inner=True)
        self.parted_reach = parted_reach

    def reaches(self, points: torch.Tensor, mouth_width_px: torch.Tensor) -> Reaches:
        """Each lip's reach (LipBand.reach), the upper lip's first: measured once a frame, for the
        layer's window (`covering`) and for the rows each lip draws on (draw)."""
        return self.upper.reach(points, mouth_width_px), self.lower.reach(points, mouth_width_px)

    def draw(self, patch: torch.Tensor, windows: Windows, pixels: torch.Tensor, points: torch.Tensor,
             reaches: Reaches, mouth_width_px: torch.Tensor, source: torch.Tensor, source_origin: torch.Tensor,
             rounded: torch.Tensor, sealed: torch.Tensor, seam: Seam | None = None,
             grain: torch.Tensor | None = None) -> None:
        """patch (B, 3, P) the warped windows' pixels (`pixels`, (B, P, 2)), both lips redrawn in place;
        reaches: the lips' (`reaches`); mouth_width_px (B,); rounded (B,) how rounded the lips are (`rounding`),
        sealed (B,) how fully they meet (LipSeal.strength).
        source (1 or B, C ≥ 3, h, w) the portrait around its mouth, its top-left at source_origin (2,);
        seam: a line where the lips meet, or None; grain ((1 or B, 3, h, w) or None): what to add to the
        source's colour read from the nearest pixel, not blended (MouthInterior._lips_grain; the source is
        then the crop less it)."""
        fade_px = FADE_MOUTH_WIDTHS * mouth_width_px[:, None]
        rolled = LIP_END_ROLL * rounded  # (B,)
        # The bands reach round the corners as far as the lips' ends have not rolled away; parted, by parted_reach.
        reach = sealed + (1.0 - sealed) * self.parted_reach
        round_the_corners = reach * (1.0 - hermite_step(0.0, CORNERS_ROLLED, rolled))  # (B,)
        for lip, (low, high) in zip((self.upper, self.lower), reaches, strict=True):
            # Each lip only on the window's rows it can reach (a third of a wide-open mouth's window):
            # its alpha is exactly 0 elsewhere, so those pixels would come out unchanged.
            rows = windows.rows_between(low[:, 1], high[:, 1])
            drawn_last = seam is not None and lip is self.lower  # the seam's line lies over both lips' edges
            reads, alpha, from_inner = lip.reads(pixels[:, rows], points, fade_px, rolled, round_the_corners,
                                                drawn_last)
            at = reads - source_origin
            colour = sample_at(source[:, :3], at)  # (B, 3, p)
            if grain is not None:
                colour = colour + sample_at(grain, at, mode="nearest")
            patch[:, :, rows] += alpha[:, None] * (colour - patch[:, :, rows])
            if drawn_last:
                core = seam.half_width_px
                line = seam.strength[:, None] * (1.0 - hermite_step(core, core + seam.softness_px, from_inner))
                ink = seam.colour + seam.texture * grain_at(seam.grain, pixels[:, rows])[:, None]
                patch[:, :, rows] += line[:, None] * (ink - patch[:, :, rows])


def _past_the_corners(band: Opening, moved: torch.Tensor, alpha: torch.Tensor, inner_moved: torch.Tensor,
                      fade_px: torch.Tensor, reach: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, P, 2) how far each pixel's read moved and (B, P) the band's alpha, with the skin past the
    mouth's corners drawn as far as `reach` ((B,) 0..1): read as the nearer corner moved (`inner_moved`
    (B, K, 2), the inner contour's motion, whose ends are the corners), fading with the distance from that
    corner over `fade_px` ((B, 1)) as the band fades past its outer contour.

    A band ends at the corners. Cut there at its full fade width, it left a seam across the skin beside
    them wherever the lips and the warp moved apart: at a p, b or m (the lips sealed over a jaw a little
    open) the corner's shadow was cut in two, a dark hook up or down from each end of the shut line, a
    fork on a drawn one. Parted, the same cut stood as a step down each side of the skin over and under
    the corners (20-35 levels in one column on the tuning set's gold photo at jawOpen 0.35): the edge of a
    patch pasted over the mouth. Drawn round the corners the band keeps each corner whole, as the portrait
    has it, sealed or parted (an open mouth's tips are the opening's, drawn over it), as far as `reach`
    ((B,) 0..1) says (LipBands.draw)."""
    knots = band.upper_at.knots  # the corners are the curves' ends, at v = 0 in the band's frame
    before, after = (knots[:, :1] - band.u).clamp(min=0.0), (band.u - knots[:, -1:]).clamp(min=0.0)
    past = (before + after) > 0.0  # (B, P)
    distance = torch.sqrt((before + after) ** 2 + band.v**2)
    corner_moved = torch.where((before > 0.0)[..., None], inner_moved[:, :1], inner_moved[:, -1:])
    fading = reach[:, None] * (1.0 - hermite_step(0.0, 1.0, distance / fade_px))
    return torch.where(past[..., None], corner_moved, moved), torch.where(past, fading, alpha)


def covering(reaches: Reaches) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, 2) each, the least and the greatest pixel (x, y) the bands can touch: the box over both
    lips' reaches. The opening between the lips lies inside it too, so nothing a mouth layer draws
    falls outside."""
    lows, highs = zip(*reaches, strict=True)
    return torch.minimum(*lows), torch.maximum(*highs)


def _taper(towards_end: torch.Tensor, share: torch.Tensor) -> torch.Tensor:
    """(B, P) 1 until the last `share` ((B, 1) > 0 where used) of the way to a corner, then easing to 0 there."""
    return 1.0 - hermite_step(0.0, 1.0, towards_end / share.clamp(min=1e-3) + 1.0)


def rounding(weight_deltas: torch.Tensor) -> torch.Tensor:
    """(B, 52) ARKit weights over the avatar's rest → (B,) how rounded the lips are, 0..1: 0 at rest
    and for any mouth rounded no more than the portrait's own. Exactly 0 up to ROUNDING_ONSET: speech
    rounds its lips a little on many frames (its p, b and m among them, 0.14 at most on the test
    clips), where the corners hardly move in and are best left exactly as they are."""
    return hermite_step(ROUNDING_ONSET, 1.0, weight_deltas[:, ROUNDING_COLUMNS].sum(dim=1))


def _shown_part(contour: torch.Tensor, along: torch.Tensor, rolled: torch.Tensor) -> torch.Tensor:
    """(1, K, 2) a source contour, (1, K) its knots along the mouth, (B,) the share rolled away →
    (B, K, 2) the contour's points at its knots shrunk that share towards the middle: the part of
    the lip still seen, read over the whole band. Unrolled frames get the contour itself, bit for bit."""
    if not bool((rolled > 0.0).any()):
        return contour
    wanted = along * (1.0 - rolled[:, None])  # (B, K)
    knots = along.expand(len(rolled), -1).contiguous()
    index = (torch.searchsorted(knots, wanted, right=True) - 1).clamp(0, knots.shape[1] - 2)
    low, high = knots.gather(1, index), knots.gather(1, index + 1)
    fraction = ((wanted - low) / (high - low).clamp(min=1e-6)).clamp(0.0, 1.0)[..., None]  # (B, K, 1)
    points = contour.expand(len(rolled), -1, -1)
    first = points.gather(1, index[..., None].expand(-1, -1, 2))
    second = points.gather(1, (index + 1)[..., None].expand(-1, -1, 2))
    shrunk = first + (second - first) * fraction
    return torch.where((rolled > 0.0)[:, None, None], shrunk, points)
