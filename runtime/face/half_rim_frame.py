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

A rim may also be a bar, as high as a fifth of the eye's width: a filter for thin lines answers at a
bar's two edges only, too little of it for a frame. So a bar is sought too, the same way with a filter as
wide as a bar (BAR); where both are found, both masks count. Once found below the brows, a bar is followed
out from the bridge wherever it runs, over the brows too, along its middle, and on past the eyes' outer
corners as straight as it ran (a bar may lie over a brow's tail, and run on under it to the hinge). Its
mask runs on past the path's ends, down the rims' ends, in the bar's colour (END_REACH).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import median_filter

from runtime.face.best_path import best_path
from runtime.face.eye_strip import BEYOND_OUTER_CORNER, EYE_MARGIN, EyeStrip, eye_openings
from runtime.face.line_runs import run_bounds, runs_from
from runtime.face.line_strength import LAB_CHROMA_SCALE, line_strength
from runtime.face.solid_frame import COLOUR_TOLERANCE, SolidFrame, sample_at, smoothed_lab
from runtime.render.landmark_groups import LEFT_EYE, RIGHT_EYE


@dataclass(frozen=True)
class RimSearch:
    line_width: float  # eye widths: a rim is a line thinner than this (a brow, a shadow is wider)
    lashes: float  # eye widths round the eyes' openings where no rim is sought
    min_on_line: float  # the share of the strip's columns where the path must run on a line
    bar: bool  # a bar: no skin colour is one, its path runs through its middle, its mask is as high as it


# The path runs on a line over `min_on_line` of the strip's columns at least, and over MIN_BRIDGE of those
# between the eyes' inner corners (the bridge). Thin rims — tuning set, at the head and face framings: the
# half-rim twin 0.99-1.00 and 1.00; without glasses at most 0.86 and 0.80 (a stylised portrait: its
# outlined lids, and the nose's shading where it meets the brows). Measured after, on the check set:
# Henner's half-rims 1.00 and 1.00, the faces without glasses at most 0.90 and 0.78 (the pencil `drawing`'s
# strokes).
THIN = RimSearch(line_width=0.12, lashes=EYE_MARGIN, min_on_line=0.94, bar=False)
# Bars: Henner's (check set) 0.11-0.19 eye widths high, the tuning set's bar twin's 0.15. The bar twin 1.00
# and 1.00 at both framings; the faces without glasses at most 0.90 and 0.69 in the tuning set, 0.86 and
# 0.73 in the check set (measured after; colours of the skin's are no line here, below). A bar may lie just
# above the lashes, over the lid's crease (the bar twin's; Henner's): eye_strip's margin round the eyes hid
# its lower half, and the path climbed to the brow's edge.
BAR = RimSearch(line_width=0.2, lashes=0.06, min_on_line=0.97, bar=True)
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
MIN_BRIDGE = 0.9
MASK_REACH = 0.08  # eye widths either side of the path: a thin rim's own line (0.05-0.1 eye widths wide)
# A bar's mask: the pixels at least ON_BAR of the line's median strength along the path, as far from it as
# that strength runs unbroken across it both ways (the lesser way: a brow's tail or a shadow may join it on
# one side), within BAR_REACH eye widths (a wide filter lights up the skin's shading beside a bar, more
# faintly), and BAR_EDGE_PX beyond: a bar's lit or antialiased edge is hardly darker than the skin, and a
# sliver of it left to the warp, where a bar lies over a brow, was stretched into a grey streak by a raised
# brow (the wide half-rim twin's; 1 px left one, 2 px none).
ON_BAR = 0.6
BAR_REACH = (0.08, 0.15)
BAR_EDGE_PX = 2.0
PREFER_STRONGEST = 0.1  # how much a bar's path prefers the line's strongest row (it runs along a line whatever)
NOT_SKIN = 25.0  # Lab distance (OpenCV's 8-bit scale) from the cheeks' median colour: nearer is skin, no bar
# A half-rim's rims turn down round the lenses past the eyes' corners, where the path (over the eyes, corner to
# corner) stops: the bar's mask runs on from the path's ends through pixels in the bar's colour joined to it,
# this far (eye widths) from each end. Left out, a rim's ends bent with the lids (the first half-rim twin,
# whose rims are found both ways: a raised brow or a squint moved its rims 0.34 px RMS, 0.26 with them).
END_REACH = 0.4
# Beside the eyes (by the nose, past the outer corners) the rims turn down, and are followed down from the bar
# this far (eye widths), as thin runs of its colour (_with_turned_down_ends): the wide twin's bar lies over its
# brows, high above its deep lenses' ends, and a first version of the rule left 343 of its frame's pixels out
# reaching END_REACH down, 202 reaching this far.
TURNED_DOWN_REACH = 0.8
# Where a rim turns down at a rounded corner it crosses the rows there obliquely, wider than the bar is high: the
# wide twin's outer corners 15-16 px across against a bar 10.5 px high, where a run as wide as the bar alone broke
# the end off at the corner (its lower part left to the warp).
CORNER_WIDTH = 1.5
# A bar is followed out from the bridge wherever it runs, the brows included (_along_the_bar): the wide
# half-rim twin's bars lie over its brows' tails, where the search below the brows took the lids' creases
# (a raised brow then moved 17.7 % of its frame's pixels). Each row the path moves costs STEP_COST (a bar runs
# straight: a path free to wander took a brow's tail), and each row it lies off the path below the brows
# TIE_BREAK (of two lines as good, it keeps to that one).
STEP_COST = 0.05
TIE_BREAK = 1e-3
# Past the eyes' outer corners a bar runs on as straight as over the last STRAIGHT_ON eye widths before them,
# as far as BAR_BEYOND eye widths, while it stays on the bar (_on_past_the_corners). Henner's (check set) and
# the wide twin's rims run 0.6-0.8 eye widths past the corners, under the brows' tails, and bent with them.
STRAIGHT_ON = 0.3
BAR_BEYOND = 1.0


def find_half_rim_frame(image: np.ndarray, landmarks: np.ndarray, eye_width: float,
                        skin_landmarks: tuple[int, ...]) -> SolidFrame | None:
    """A half-rim frame, or None when the portrait wears none."""
    near_eyes = eye_openings(image.shape[:2], landmarks, eye_width)  # eye_strip's margin round the eyes
    thin = _search(image, landmarks, eye_width, skin_landmarks, THIN, near_eyes)
    bar = _search(image, landmarks, eye_width, skin_landmarks, BAR, near_eyes)
    if thin is None or bar is None:
        return bar if thin is None else thin
    # A rim found both ways is held still where either mask holds it, but the bar's only off the eyes'
    # margin: the thin line's mask keeps to one edge of a lit rim (the half-rim twin's top edge lifted with
    # a raised brow, 1.15 px), and within the margin a bar's colour is also the lashes' a rim lies on
    # (Henner's, check set: held still, they stayed over his shut eye as a second lid line). The thin mask
    # counts only where the bar's does: its path may run along the lid's crease under the rim (the half-rim
    # twin's, over one eye), and that band of crease and lashes, held still over a closing lid, stayed as a
    # band of the open eye's lashes dotted with its pale skin over the shut one (with the bar's colour below
    # its top, _search: 0.114 -> 0.001 of the twin's mask more than 2 px off the frame, and FaceLandmarker
    # read its right blink at r 0.97, not 0.82).
    on_bar = (bar.mask > 0.5).astype(np.float32)
    return SolidFrame(np.maximum(thin.mask * on_bar, bar.mask * (1.0 - near_eyes)), brow_margin_is_frame=True)


def _search(image: np.ndarray, landmarks: np.ndarray, eye_width: float, skin_landmarks: tuple[int, ...],
            search: RimSearch, near_eyes: np.ndarray) -> SolidFrame | None:
    openings = eye_openings(image.shape[:2], landmarks, eye_width, search.lashes)
    lines = line_strength(image, search.line_width * eye_width) * (1.0 - openings)
    skin = float(np.median(sample_at(lines, landmarks[list(skin_landmarks), :2])))  # the skin's own lines
    least = max(LINE_OVER_SKIN * skin, MIN_LINE_CONTRAST)
    if search.bar:
        lab = smoothed_lab(image, eye_width)
        skin_colour = np.median(sample_at(lab, landmarks[list(skin_landmarks), :2]), axis=0)
        # No bar is the skin's colour: between a grey bar and a brow above it the filter's colour planes take
        # the band of bare skin for a light line (as a gold rim is one), and the path left the bar for it.
        lines *= np.linalg.norm(lab - skin_colour, axis=2) > NOT_SKIN
    # A bar is followed on past the lenses' outer corners (_on_past_the_corners), as far as BAR_BEYOND.
    extra = int(round((BAR_BEYOND - BEYOND_OUTER_CORNER) * eye_width)) if search.bar else 0
    strip = EyeStrip(landmarks, eye_width, extra_px=extra)
    strengths = strip.sample(lines)
    # A bar's path runs through the line's strongest row: the bar's middle, not one of its edges.
    preferred = np.clip(strengths / (2.0 * least), 0.0, 1.0) * PREFER_STRONGEST if search.bar else 0.0
    bridge = np.arange(int(np.ceil(min(strip.inner))), int(np.floor(max(strip.inner))) + 1)
    on_line = strengths >= least
    rows = _below_the_brows(strip, on_line, preferred, landmarks, eye_width, search, bridge, extra)
    if rows is None:
        return None
    # The rims over the eyes, corner to corner: past the outer corners a brow's tail comes down to the lens's
    # top, and where the metal there catches the light the path can take the brow's edge instead. A thin rim's
    # mask ends there; a bar's runs on straight past them (_on_past_the_corners).
    corner = int(round(BEYOND_OUTER_CORNER * eye_width)) + extra
    over_eyes = np.arange(corner, strip.columns - corner)
    if not search.bar:
        on_rim = np.clip((lines - 0.3 * least) / (0.7 * least), 0.0, 1.0)
        return SolidFrame(_near(on_rim, strip.points(rows[over_eyes], over_eyes), MASK_REACH * eye_width),
                          brow_margin_is_frame=True)
    rows = _centred(strengths, _along_the_bar(on_line, preferred, rows, bridge),
                    int(round(BAR_REACH[0] * eye_width)))
    strength = float(np.median(strengths[rows[over_eyes], over_eyes]))
    on_bar_rows = strengths >= ON_BAR * strength
    over_eyes, rows = _on_past_the_corners(on_bar_rows, rows, over_eyes, max(2, int(round(STRAIGHT_ON * eye_width))))
    path = strip.points(rows[over_eyes], over_eyes)
    coloured = _in_bar_colour(lab, path, skin_colour)
    # Below the bar's top, towards the eyes, only pixels in its colour: the wide filter lights up the
    # lashes and the lid's crease under a bar as well, and the path may run along them rather than the bar
    # (the half-rim twins'; held still, they stayed over the shut eye as a band of the open eye's lashes,
    # its pale skin dotted along the band's edge). Above it a bar's lit edge, hardly darker than the skin,
    # is left in (BAR_EDGE_PX says why).
    under = _under_the_bar(strip, coloured, rows, over_eyes, int(round(BAR_REACH[1] * eye_width)))
    on_bar = np.clip((lines - (ON_BAR - 0.1) * strength) / (0.2 * strength), 0.0, 1.0) * \
        np.maximum((1.0 - near_eyes) * (1.0 - under), coloured.astype(np.float32))
    reaches = np.clip(_half_heights(on_bar_rows[:, over_eyes], rows[over_eyes]),
                      *(share * eye_width for share in BAR_REACH))
    mask = _near(on_bar, path, float(np.median(reaches)) + BAR_EDGE_PX, joined=True)
    mask = _with_ends(mask, coloured, path, reaches[[0, -1]], strip.down, END_REACH * eye_width)
    beside = _beside_the_eyes(strip, over_eyes, corner)
    return SolidFrame(_with_turned_down_ends(mask, coloured, strip, _held_on(rows, over_eyes), beside,
                                             TURNED_DOWN_REACH * eye_width,
                                             2.0 * float(np.median(reaches)) + 2.0),
                      brow_margin_is_frame=True)


def _below_the_brows(strip: EyeStrip, on_line: np.ndarray, preferred: np.ndarray | float, landmarks: np.ndarray,
                     eye_width: float, search: RimSearch, bridge: np.ndarray, extra: int) -> np.ndarray | None:
    """(columns,) the path along the strip below the brows (and not far above the lids) that runs most on
    lines (`on_line`, (rows, columns) bool), or None where it does not run on them nearly everywhere and all
    across the nose (no frame). Sought and judged over the strip less `extra` columns at each end (a bar's
    strip runs on past the lenses); there the path's end rows stand."""
    row = np.arange(strip.rows)[:, None]
    between = (row > _lower_edge(strip, landmarks, BROWS)[None] - BELOW_BROWS * eye_width) & \
        (row > _lower_edge(strip, landmarks, LIDS)[None] - ABOVE_LIDS * eye_width)
    core = slice(extra, strip.columns - extra)
    values = (on_line & between) + preferred
    rows = best_path(values[:, core])
    on_path = (on_line & between)[:, core][rows, np.arange(len(rows))]
    if len(bridge) == 0 or on_path.mean() < search.min_on_line or on_path[bridge - extra].mean() < MIN_BRIDGE:
        return None
    return np.concatenate([np.full(extra, rows[0]), rows, np.full(extra, rows[-1])])


def _along_the_bar(on_line: np.ndarray, preferred: np.ndarray, rows: np.ndarray, bridge: np.ndarray) -> np.ndarray:
    """(columns,) the bar followed out from the middle of the bridge both ways, wherever it runs, the brows
    included: a bar may lie over a brow's tail, where the search below the brows took the lid's crease."""
    middle = int(bridge[len(bridge) // 2])
    values = on_line + preferred - TIE_BREAK * np.abs(np.arange(on_line.shape[0])[:, None] - rows[None])
    followed = rows.copy()
    for columns in (np.arange(middle, on_line.shape[1]), np.arange(middle, -1, -1)):
        anchored = values[:, columns].copy()
        anchored[:, 0] = -np.inf
        anchored[rows[middle], 0] = 0.0
        followed[columns] = best_path(anchored, step_cost=STEP_COST)
    return followed


def _centred(strengths: np.ndarray, rows: np.ndarray, within: int) -> np.ndarray:
    """(columns,) the path moved, column by column, to the line's strongest row `within` rows of it, then
    smoothed along the bar (a running median): the path collects every row on a line alike, and may run
    along a bar's edge or its shadow, where a mask reaching as far either side of it misses the bar's far
    edge (left to the warp, a raised brow stretched that sliver into a grey smear)."""
    columns = np.arange(strengths.shape[1])
    offsets = np.arange(-within, within + 1)
    candidates = np.clip(rows[None] + offsets[:, None], 0, strengths.shape[0] - 1)
    peaks = candidates[np.argmax(strengths[candidates, columns[None]], axis=0), columns]
    return np.round(median_filter(peaks.astype(np.float64), size=2 * within + 1, mode="nearest")).astype(int)


def _on_past_the_corners(on_bar: np.ndarray, rows: np.ndarray, over_eyes: np.ndarray,
                         fitted: int) -> tuple[np.ndarray, np.ndarray]:
    """(columns, rows): the path's columns `over_eyes` (corner to corner) and on past each end, straight on
    as the path ran over its last `fitted` columns, as far as it stays on the bar (`on_bar`, (rows, columns)
    bool) unbroken; `rows` with those rows put in. Straight on, not along the lines there: past a lens's outer
    corner a brow's tail may come down onto the bar, and the lines there would take the path up into it."""
    rows = rows.copy()
    for end, step in ((int(over_eyes[0]), -1), (int(over_eyes[-1]), 1)):
        inside = np.arange(end, end - step * fitted, -step)
        slope, intercept = np.polyfit(inside, rows[inside], 1)
        column = end + step
        while 0 <= column < on_bar.shape[1]:
            row = int(round(slope * column + intercept))
            if not 0 <= row < on_bar.shape[0] or not on_bar[row, column]:
                break
            rows[column] = row
            column += step
        if step < 0:
            first = column + 1
        else:
            last = column - 1
    return np.arange(first, last + 1), rows


def _lower_edge(strip: EyeStrip, landmarks: np.ndarray, indices: tuple[int, ...]) -> np.ndarray:
    """(columns,) the strip's row of a line of landmarks (the brows', the upper lids') in each column,
    straight across between its points."""
    columns, rows = strip.at(landmarks[list(indices), :2])
    order = np.argsort(columns)
    return np.interp(np.arange(strip.columns), columns[order], rows[order])


def _under_the_bar(strip: EyeStrip, coloured: np.ndarray, rows: np.ndarray, columns: np.ndarray,
                   within: int) -> np.ndarray:
    """(H, W) float32 1 below the bar's top down to the strip's bottom, over `columns`: in each, the highest
    row in the bar's colour (`coloured`, (H, W) bool) `within` rows of the path (`rows`), or the path's own
    row where none is."""
    in_colour = strip.sample(coloured.astype(np.float32)) > 0.5  # (strip rows, strip columns)
    offsets = np.arange(-within, within + 1)
    candidates = np.clip(rows[columns][None] + offsets[:, None], 0, in_colour.shape[0] - 1)  # (offsets, columns)
    found = in_colour[candidates, columns[None]]
    top = np.where(found.any(axis=0), candidates[np.argmax(found, axis=0), np.arange(len(columns))], rows[columns])
    return strip.below(top.astype(np.float64) + 1.0, columns, coloured.shape)


def _in_bar_colour(lab: np.ndarray, path: np.ndarray, skin_colour: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels in the bar's colour (the median along the path), within solid_frame's tolerance of
    the bar's distance from the skin. A bar's mask keeps to it below the bar's top and within eye_strip's
    margin round the eyes, where the filter does not tell a bar's lower edge from the lid's crease and lashes
    under it: those held still drew a second lid line over a shut eye (the bar twin's right blink read 0.99 ->
    0.95), and the bar's edge left out bent with the lid (a blink moved 4.4 % of the bar twin's frame pixels).
    Past the path's ends the rims' ends are followed in it (_with_ends)."""
    # Colour counts as much as lightness (CIE76; OpenCV's 8-bit L is L* x 2.55): a lid's dark lashes and a
    # grey bar are alike in lightness, not in colour.
    balanced = np.array([1.0, LAB_CHROMA_SCALE, LAB_CHROMA_SCALE], np.float32)
    lab, skin_colour = lab * balanced, skin_colour * balanced
    bar_colour = np.median(sample_at(lab, path), axis=0)
    tolerance = COLOUR_TOLERANCE * float(np.linalg.norm(bar_colour - skin_colour))
    return np.linalg.norm(lab - bar_colour, axis=2) < tolerance


def _with_ends(mask: np.ndarray, coloured: np.ndarray, path: np.ndarray, end_reaches: np.ndarray, down: np.ndarray,
               reach_px: float) -> np.ndarray:
    """`mask` ((H, W) float32 0..1) and the pixels in the bar's colour (`coloured`) joined to it within
    `reach_px` of the path's two ends and no higher than the bar's top there (`end_reaches`, (2,) its half
    heights, `down` the strip's way down), softened as _near's are: the rims' ends, which turn down. Above
    the bar's end lies a brow's tail, which may share its colour (Henner's, check set)."""
    near_ends = np.zeros(mask.shape, np.uint8)
    for end in (path[0], path[-1]):
        cv2.circle(near_ends, tuple(int(value) for value in np.round(end)), max(1, int(round(reach_px))), 1, -1)
    for end, reach in zip((path[0], path[-1]), end_reaches, strict=True):
        # no higher than the bar's top: the pixels of the disc round the end above that line are left out
        left, top = np.maximum(np.floor(end - reach_px).astype(int) - 1, 0)
        right, bottom = np.minimum(np.ceil(end + reach_px).astype(int) + 2, mask.shape[::-1])
        rows, columns = np.mgrid[top:bottom, left:right]
        pixels = np.stack([columns, rows], axis=-1).astype(np.float64)
        disc = np.linalg.norm(pixels - end, axis=-1) <= max(1.0, reach_px)
        near_ends[top:bottom, left:right][disc & ((pixels - end) @ down < -reach)] = 0
    held = mask > 0.5
    ends = coloured & (near_ends > 0)
    ends &= _joined(held | ends, held) & ~held
    return np.maximum(mask, _softened(ends.astype(np.float32)))


def _beside_the_eyes(strip: EyeStrip, path_columns: np.ndarray, corner: int) -> list[np.ndarray]:
    """The runs of strip columns that lie beside the eyes, not over them: past each outer corner (strip
    column `corner` from each end) out to the strip's end, and the path's (`path_columns`) between the inner
    corners. Out to the strip's ends, not the path's: the path stops where the bar turns down, and the wide
    twin's outer rim ends lie past it (its path 176-371 px across the image, the ends at 148-171 and
    381-388): left to the warp, they parted from the bar at a turn, as stubs."""
    outer, inner = (corner, strip.columns - 1 - corner), sorted(strip.inner)
    runs = [np.arange(0, outer[0]), path_columns[(path_columns > inner[0]) & (path_columns < inner[1])],
            np.arange(outer[1] + 1, strip.columns)]
    return [run for run in runs if len(run) >= 2]


def _held_on(rows: np.ndarray, path_columns: np.ndarray) -> np.ndarray:
    """(columns,) `rows` with the path's end rows held on past its ends (`path_columns`, a run of columns)."""
    held = rows.copy()
    held[:path_columns[0]], held[path_columns[-1] + 1:] = rows[path_columns[0]], rows[path_columns[-1]]
    return held


def _with_turned_down_ends(mask: np.ndarray, coloured: np.ndarray, strip: EyeStrip, rows: np.ndarray,
                           beside: list[np.ndarray], reach_px: float, max_width_px: float) -> np.ndarray:
    """`mask` and the rims' turned-down ends: below the path (`rows`, a strip row per column), within `reach_px`
    of it and beside the eyes (`beside`, runs of strip columns), the pixels in the bar's colour straight down
    from the mask, row by row, in runs no wider than CORNER_WIDTH times `max_width_px` (the bar's height). A
    lens's rim turns down at its ends, by the nose and past the eye's outer corner, and those ends, left to the
    warp, parted from the bar as the head turned (the half-rim twins: 4-8 px of each). Only straight down and
    thin: every pixel of the bar's colour joined to the mask there took in more beside Henner's bridge (check
    set) than his frame. Not under the bar over the eyes, where the lashes and the lid's crease may share its
    colour."""
    band = np.zeros(mask.shape, np.float32)
    for columns in beside:
        band = np.maximum(band, strip.below(rows[columns], columns, mask.shape, depth=reach_px))
    held = mask > 0.5
    candidates = coloured & (band > 0) & ~held
    reached = np.flatnonzero(candidates.any(axis=1))
    if len(reached) == 0:
        return mask
    ends = np.zeros_like(candidates)
    for row in range(max(1, reached[0]), reached[-1] + 1):
        ends[row] = candidates[row] & (ends[row - 1] | held[row - 1])
        ends[row] &= _narrow_runs(ends[row], CORNER_WIDTH * max_width_px)
    return np.maximum(mask, _softened(ends.astype(np.float32)))


def _narrow_runs(line: np.ndarray, max_width_px: float) -> np.ndarray:
    """(W,) bool: `line`'s runs of True no wider than `max_width_px`."""
    kept = np.zeros_like(line)
    for start, end in zip(*run_bounds(line), strict=True):
        if end - start <= max_width_px:
            kept[start:end] = True
    return kept


def _half_heights(on_line: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """(columns,) pixels: in each column, how far the line's unbroken run reaches from the path (`rows`) both
    ways, the lesser of the two, plus half the path's own pixel: half a bar's height where the path runs
    along its middle. The lesser: where a brow's tail or a crease's shadow joins the bar on one side, the
    run reaches on into it."""
    above, below = runs_from(on_line.T, rows)
    return np.minimum(above, below) + 0.5


def _near(on_rim: np.ndarray, path: np.ndarray, reach_px: float, joined: bool = False) -> np.ndarray:
    """(H, W) float32 0..1: the line's pixels within `reach_px` of the path (`joined`: and joined to it, not
    the lashes beside a bar in its colour), grown a pixel (the rim's antialiased edge) and softened."""
    near = np.zeros(on_rim.shape, np.uint8)
    reach = max(1, int(round(reach_px)))
    points = [np.round(path).astype(np.int32)]
    cv2.polylines(near, points, False, 1, 2 * reach + 1)
    line = near * on_rim
    if joined:
        on_path = np.zeros(on_rim.shape, np.uint8)
        cv2.polylines(on_path, points, False, 1, 1)
        line = line * _joined(line > 0, on_path > 0)
    return _softened(line.astype(np.float32))


def _joined(pixels: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """(H, W) bool: the `pixels` ((H, W) bool) in the 8-connected parts of them that hold a seed."""
    _, parts = cv2.connectedComponents(pixels.astype(np.uint8), connectivity=8)
    touched = np.unique(parts[seeds & pixels])
    return np.isin(parts, touched[touched > 0])


def _softened(line: np.ndarray) -> np.ndarray:
    """(H, W) float32 a rim's pixels grown a pixel (its antialiased edge) and softened."""
    return cv2.GaussianBlur(cv2.dilate(line, np.ones((3, 3), np.uint8)), (3, 3), 0.5)
