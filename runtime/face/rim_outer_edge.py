"""A dark rim's ring, above the eye, moved out until its band meets the rim's outer edge.

runtime/face/glasses.py finds a rim along rays from the eye, above the eye at the first line out from
the lid (the brow is further up). A drawing shades the eye's socket inside the lens in strokes as dark
as the rim, and there the first line is that shading: the ring ran along the rim's inner edge, the
band drawn round it (the rim's width) left the rim's outer third to the warp, and a raised brow
stretched it into a striped band above the frame (the tuning set's pencil drawing behind acetate:
4.9 px at most, 0.86 px RMS across its top rim).

What still tells a dark rim's outer edge is where its darkness ends: above the rim lies lighter skin or
paper. Along each ray above the eye, from the ring outwards, the rim stays darker than halfway between
its own lightness and the skin's up to its outer edge; where that run is longer than half the rim's
width, the ring sat inside the rim, and it is moved out by the difference. A run that does not end
within the rim's width (the rim meets dark hair, or a brow with no gap) says nothing, and the ray stays.
A rim hardly darker than the skin (gold, silver) is not told by its darkness at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from runtime.face.solid_frame import sample_at

# 0..255 lightness: a rim this much darker than the skin below the eye has an edge to find (the tuning set:
# 72 and 80 on the pencil drawing's acetate; 41 and less on the others, its grey-tinted stylised rims, its
# gold and silver ones)
MIN_DARKER_THAN_SKIN = 55.0


def band_lightness(lightness: np.ndarray, centre: np.ndarray, points: np.ndarray, thickness_px: float) -> float:
    """The median lightness ((H, W) 0..255) across the band round a ring's `points` (RAYS, 2) below the
    eye, where the ring lies on the rim's strongest line and no shading of the eye's socket is inside the
    lens (a stylised silver rim, thin and pale, read 91-117 all round and 165-169 below the eye, the skin 177)."""
    outwards = _outwards(centre, points)
    below = outwards[:, 1] > 0.5  # y down
    across = np.arange(-int(thickness_px // 2), int(thickness_px // 2) + 1, dtype=np.float64)
    return float(np.median(_along(lightness, points[below], outwards[below], across)))


@dataclass(frozen=True, eq=False)
class OuterEdge:
    """A ring moved out to its rim's outer edge, and where that edge was seen."""

    points: np.ndarray  # (RAYS, 2) the ring's points, those above the eye moved outwards
    reach: np.ndarray  # (RAYS,) pixels from each point out to the rim's outer edge; NaN where it was not seen


def out_to_outer_edge(lightness: np.ndarray, centre: np.ndarray, points: np.ndarray, thickness_px: float,
                      rim: float, skin: float) -> OuterEdge:
    """The ring's `points` (RAYS, 2), those above the eye moved outwards (at most half the rim's width)
    so the band round them ends at the rim's outer edge; `rim` and `skin` their lightness (0..255)."""
    outwards = _outwards(centre, points)
    steps = np.arange(int(np.ceil(thickness_px)) + 1, dtype=np.float64)
    dark = _along(lightness, points, outwards, steps) < 0.5 * (rim + skin)  # (RAYS, S)
    run = np.where(dark.all(axis=1), len(steps), np.argmin(dark, axis=1))  # dark samples from the ring out
    seen = (run > 0) & (run < len(steps)) & (outwards[:, 1] < 0.0)  # y down: above the eye
    shift = np.where(seen, np.clip(run - 0.5 * thickness_px, 0.0, 0.5 * thickness_px), 0.0)
    return OuterEdge(points + outwards * shift[:, None], np.where(seen, run - shift, np.nan))


def rim_to_its_edge(shape: tuple[int, int], centre: np.ndarray, edge: OuterEdge, thickness_px: float) -> np.ndarray:
    """(H, W) float32 1 over the rim where its outer edge was seen on neighbouring rays: from the edge
    inwards, the rim's width."""
    outwards = _outwards(centre, edge.points)
    outer = edge.points + outwards * edge.reach[:, None]
    inner = outer - outwards * thickness_px
    region = np.zeros(shape, np.uint8)
    for ray in range(len(outer)):
        after = (ray + 1) % len(outer)
        if np.isnan(edge.reach[ray]) or np.isnan(edge.reach[after]):
            continue
        quad = np.stack([inner[ray], outer[ray], outer[after], inner[after]])
        cv2.fillPoly(region, [np.round(quad).astype(np.int32)], 1)
    return region.astype(np.float32)


def _outwards(centre: np.ndarray, points: np.ndarray) -> np.ndarray:
    offsets = points - centre
    return offsets / np.maximum(np.linalg.norm(offsets, axis=1, keepdims=True), 1e-6)


def _along(values: np.ndarray, points: np.ndarray, outwards: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """(RAYS, S) `values` at each point moved `steps` pixels along its ray."""
    samples = points[:, None] + steps[None, :, None] * outwards[:, None]
    return sample_at(values, samples.reshape(-1, 2)).reshape(len(points), len(steps))
