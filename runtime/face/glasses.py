"""find_glasses: where a portrait's glasses are, as a soft mask of their frame, or None.

Glasses are rigid: they move with the head, never with a blink, a raised brow or a smile. The warp
moves skin, so a frame it drags bends (DESIGN.md, "Lifelike, not merely measurable"); the renderer
therefore takes the frame out of the warp and draws it rigidly (runtime/render/rigid_layer.py),
and for that it needs to know which pixels are frame.

A frame is a thin line — darker than the skin (acetate, dark metal) or lighter (polished metal) —
that rings each eye well outside its lids and crosses the nose between them. So, around each eye,
rays are cast outwards through an ellipse where a lens rim can lie; on each ray the strongest thin
line (a morphological top-hat of the portrait's luminance) is found; the eye wears a rim when most
rays below and beside it — the brows lie above, and are lines too — find one at a consistent
distance. Both eyes need a rim, and the bridge between them a line, before a portrait is said to
wear glasses: a false frame would stiffen a face that has none. The mask is then drawn along the
rims found, across the bridge, and out along the temples.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from runtime.face.bridge import bridge_grid
from runtime.face.browline_frame import find_browline_frame
from runtime.face.brows import brow_outlines, brows_in_colour
from runtime.face.half_rim_frame import find_half_rim_frame
from runtime.face.line_runs import runs_from
from runtime.face.line_strength import line_strength
from runtime.face.rim_outer_edge import MIN_DARKER_THAN_SKIN, band_lightness, out_to_outer_edge, rim_to_its_edge
from runtime.face.solid_frame import find_solid_frame, sample_at, smoothed_lab
from runtime.render.landmark_groups import LEFT_EYE, NOSE_BRIDGE, RIGHT_EYE, EyeGroup, mean_eye_width

RAYS = 48
RIM_REACH = ((0.62, 1.35), (0.3, 1.05))  # (x, y) ellipse radii searched, in eye widths: inner and outer
LINE_WIDTH_EYE_WIDTHS = 0.3  # a frame (thick acetate included) is thinner than this; wider shadows are not lines
MIN_LINE_CONTRAST = 9.0  # 0..255 luminance: weaker lines are skin texture
# A rim stands out this many times more than the lines of the cheeks and chin do: a drawing's strokes
# and a painting's outlines are lines everywhere, a frame stands out from them (measured on the test
# portraits: 5.3–77 with glasses, 1.5–3.5 without).
RIM_OVER_SKIN = 4.5
SKIN_LANDMARKS = (50, 280, 205, 425, 187, 411, 199, 200, 18, 101, 330)  # cheeks and chin
MIN_RING_SHARE = 0.7  # of the rays below and beside an eye, how many must find a rim
SECOND_RIM_THRESHOLD = 0.8  # of the line threshold: the second lens's rim, once the first is found
GUIDE_REACH = 0.12  # eye widths: how far the second rim may run from the first one mirrored
MAX_RADIUS_SPREAD = 0.3  # the rim's distance from ray to ray varies less than this (eye widths, robust σ)
RIM_WINDOW = (0.55, 1.2)  # above the eye, the rim is sought within these shares of its expected distance
BROW_MARGIN = 0.12  # around the brows' landmarks (eye widths): their hairs
EYE_MARGIN = 0.03  # around the lids (eye widths): the lid's own edge (a rim may run close above it)
FRAME_COLOUR_TOLERANCE = 40.0  # 0..255 RGB distance: a pixel this near the frame's colour may be frame
RING_REACH = 0.2  # how far from the rings found (eye widths) the rest of a rim is sought
BRIDGE_SHARE = 0.5  # of the columns between the lenses, how many must find a line across the nose
BRIDGE_FLOOR = 0.75  # of the line threshold: how strong the bridge's line stays in all its columns but one
HINGE_SIDE_SHARE = 0.8  # of the rim's reach outwards from its centre: where along it a temple may leave it
ARM_LINE_SHARE = 0.15  # of the line threshold: a temple arm where it has the frame's colour
ARM_REACH = 2.0  # eye widths: how far a temple arm is followed from its hinge (to the ear, at most)
ARM_GAP_PX = 3  # columns where the arm is not seen (a strand of hair) that it is followed across
MIN_RIM_PIXELS = 10  # of a lens's part of a mask, to follow its temple arm from


@dataclass(frozen=True, eq=False)
class _Rim:
    centre: np.ndarray  # (2,) pixels
    points: np.ndarray  # (RAYS, 2) pixels of the rim along each ray
    thickness_px: float


def find_glasses(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray | None:
    """(H, W) float32 0..1 over the glasses' frame, or None when the portrait wears none."""
    landmarks = np.asarray(landmarks, dtype=np.float64)
    eye_width = mean_eye_width(landmarks)
    lines = line_strength(image, LINE_WIDTH_EYE_WIDTHS * eye_width)
    skin = float(np.median(_sample(lines, landmarks[list(SKIN_LANDMARKS), :2][None])[0]))
    threshold = max(MIN_LINE_CONTRAST, RIM_OVER_SKIN * skin)
    rims = [_rim(lines, landmarks, eye, eye_width, threshold) for eye in (RIGHT_EYE, LEFT_EYE)]
    if sum(rim is None for rim in rims) == 1:
        rims = _second_rim(rims, lines, landmarks, eye_width, threshold)
    if any(rim is None for rim in rims) or not _has_bridge(lines, rims, eye_width, threshold):
        # Thick dark acetate that a painting widens, or a drawing's strokes drown, is no thin line
        # standing out: it is found by its colour instead (runtime/face/solid_frame.py).
        solid = find_solid_frame(image, landmarks, eye_width, SKIN_LANDMARKS)
        if solid is None:
            # Two-tone frames (a dark bar over pale rims) are neither: their bar is found as a dark
            # path across both eyes and the nose (runtime/face/browline_frame.py).
            solid = find_browline_frame(image, landmarks, eye_width, SKIN_LANDMARKS)
        half_rim = solid is None
        if half_rim:
            # Half-rim frames have no rims below the eyes at all: a thin line over both eyes and the
            # nose, below the brows (runtime/face/half_rim_frame.py).
            solid = find_half_rim_frame(image, landmarks, eye_width, SKIN_LANDMARKS)
        if solid is None:
            return None
        eyes = _eye_regions(image.shape[:2], landmarks, eye_width, brows=not solid.brow_margin_is_frame)
        if solid.in_eye_margin is not None:
            eyes = eyes * (1.0 - solid.in_eye_margin)
        mask = solid.mask * (1.0 - eyes)
        if half_rim:
            # A half-rim's mask ends a little past the eyes' outer corners, and its thin arms run on from
            # there: left to the warp, an arm bent where it left the mask as the head turned. They are
            # followed as a full rim's are, from the mask's outer ends (solid and two-tone frames' masks
            # take their arms in by colour already).
            mask = np.maximum(mask, _half_rim_arms(image, mask, landmarks, eye_width, threshold) * (1.0 - eyes))
        return mask
    # A dark rim's ring may run along its inner edge above the eye (a drawing's shaded socket inside the
    # lens): it is placed by the rim's outer edge there (runtime/face/rim_outer_edge.py).
    dark = _dark_rims(image, rims, landmarks, eye_width)
    if dark is not None:
        rims = dark.rims
    # The frame's own pixels are cut with a line filter as wide as the rims found, not as the widest
    # frame sought: that one also lights up the shading around a thin rim, which would then be held
    # still while the skin around it moves.
    rim_width = max(rim.thickness_px for rim in rims)
    fitted = line_strength(image, min(LINE_WIDTH_EYE_WIDTHS * eye_width, 2.5 * rim_width + 2.0))
    ring = _frame_mask(image.shape[:2], rims, fitted, eye_width, threshold)
    coloured = _frame_coloured(image, ring, rims, fitted, threshold, landmarks, eye_width)
    arms = _temple_arms(image, ring, rims, fitted, threshold, landmarks, eye_width)
    mask = np.maximum(np.maximum(ring, coloured), arms)
    # Where the brows' margin crosses a rim, the rim stays frame: left to the warp, a raised brow
    # stretched a thick frame's top edge into a dark, striped band above it. A dark rim's band where its
    # outer edge was seen, out to that edge; a solid frame's own colour, but not where the brows share
    # that colour (a gold rim under fair brows, whose rays above the eye settle on the brows' lower edge):
    # their hairs held still would be drawn twice, as dashes, once the head turns.
    kept = ring * dark.to_their_edges if dark is not None else np.zeros_like(ring)
    if _solid_coloured(image, mask) and not _brows_share_colour(image, mask, landmarks):
        kept = np.maximum(kept, coloured)
    eyes = _eye_regions(image.shape[:2], landmarks, eye_width, brows=False)
    excluded = np.maximum(eyes, _eye_regions(image.shape[:2], landmarks, eye_width) * (1.0 - kept))
    return mask * (1.0 - excluded)


@dataclass(frozen=True, eq=False)
class _DarkRims:
    rims: list[_Rim]  # moved out to their outer edges above the eyes
    to_their_edges: np.ndarray  # (H, W) float32 1 over the rims out to those edges, where they were seen


def _dark_rims(image: np.ndarray, rims: list[_Rim], landmarks: np.ndarray, eye_width: float) -> _DarkRims | None:
    """Dark rims placed by their outer edges (runtime/face/rim_outer_edge.py), or None when either rim
    is less than MIN_DARKER_THAN_SKIN darker than the skin."""
    lightness = smoothed_lab(image, eye_width)[..., 0]
    skin = float(np.median(sample_at(lightness, landmarks[list(SKIN_LANDMARKS), :2])))
    tones = [band_lightness(lightness, rim.centre, rim.points, rim.thickness_px) for rim in rims]
    if any(skin - tone < MIN_DARKER_THAN_SKIN for tone in tones):
        return None
    moved, to_edges = [], np.zeros(image.shape[:2], np.float32)
    for rim, tone in zip(rims, tones, strict=True):
        edge = out_to_outer_edge(lightness, rim.centre, rim.points, rim.thickness_px, tone, skin)
        moved.append(_Rim(rim.centre, edge.points, rim.thickness_px))
        to_edges = np.maximum(to_edges, rim_to_its_edge(to_edges.shape, rim.centre, edge, rim.thickness_px))
    return _DarkRims(moved, to_edges)


def _solid_coloured(image: np.ndarray, mask: np.ndarray) -> bool:
    """Whether the frame found is one solid colour (acetate, painted metal): half its pixels within
    half the frame-colour tolerance of their median. A drawing's frame is strokes on paper, like its
    brows, and a thin metal rim is mostly its antialiased edge (median distance 50 on the tuning set's
    pencil drawing and gold photo)."""
    confident = mask >= 0.8
    if confident.sum() < 20:
        return False
    rgb = image[confident].astype(np.float32)
    spread = np.linalg.norm(rgb - np.median(rgb, axis=0), axis=1)
    return float(np.median(spread)) < 0.5 * FRAME_COLOUR_TOLERANCE


def _frame_coloured(image: np.ndarray, mask: np.ndarray, rims: list[_Rim], lines: np.ndarray, threshold: float,
                    landmarks: np.ndarray, eye_width: float) -> np.ndarray:
    """(H, W) the rest of the rims: line pixels near the rings found that have the frame's own colour.

    Above the eye the rays often settle on the lashes or the crease, and the rim's top arc — close
    under the brow — is left out of the mask; left to the warp, a closing lid drags it down into the
    lid (a fleck of gold on a closed eye) and raised brows bend it. What is found elsewhere tells the
    frame's colour, and a line of that colour near the rings is frame, unless the brows share it
    (a dark frame under dark brows): then only what the rings found is kept, as before."""
    colour = _frame_colour_distance(image, mask, landmarks)
    if colour is None:
        return np.zeros_like(mask)
    distance, tolerance = colour
    height, width = mask.shape
    near_ring = np.zeros((height, width), np.uint8)
    reach = max(1, int(round(RING_REACH * eye_width)))
    for rim in rims:
        cv2.polylines(near_ring, [np.round(rim.points).astype(np.int32)], True, 1, 2 * reach + 1)
    coloured = (distance < tolerance) & (lines >= 0.5 * threshold) & (near_ring > 0)
    return cv2.GaussianBlur(coloured.astype(np.float32), (3, 3), 0.5)


def _frame_colour_distance(image: np.ndarray, mask: np.ndarray, landmarks: np.ndarray
                           ) -> tuple[np.ndarray, float] | None:
    """((H, W) each pixel's RGB distance from the frame's colour (the median of the mask's confident
    pixels), how near a pixel must be to count as frame: FRAME_COLOUR_TOLERANCE, or half the brows'
    distance where that is less), or None when too little frame was found to tell its colour."""
    confident = mask >= 0.8
    if confident.sum() < 20:
        return None
    rgb = image.astype(np.float32)
    distance = np.linalg.norm(rgb - np.median(rgb[confident], axis=0), axis=2)
    brows = np.concatenate([landmarks[list(eye.brow), :2] for eye in (RIGHT_EYE, LEFT_EYE)]).round().astype(int)
    height, width = mask.shape
    brows = brows[(brows[:, 0] >= 0) & (brows[:, 0] < width) & (brows[:, 1] >= 0) & (brows[:, 1] < height)]
    brow_distance = float(np.median(distance[brows[:, 1], brows[:, 0]])) if len(brows) else np.inf
    return distance, min(FRAME_COLOUR_TOLERANCE, 0.5 * brow_distance)


def _brows_share_colour(image: np.ndarray, mask: np.ndarray, landmarks: np.ndarray) -> bool:
    """Whether the brows share the colour of the frame found (runtime/face/brows.py)."""
    colour = _frame_colour_distance(image, mask, landmarks)
    return True if colour is None else brows_in_colour(*colour, landmarks)


def _eye_regions(shape: tuple[int, int], landmarks: np.ndarray, eye_width: float, brows: bool = True) -> np.ndarray:
    """(H, W) 1 over both eyes with their lids, and over the brows with a wider margin (their hairs
    reach beyond the landmarks): never frame, whatever line runs there (but for a rim of the frame's
    own colour across the brows' margin, which find_glasses keeps). A rim held still over a lid stops
    it closing; brow hairs held still tear from a raised brow. `brows=False`: the brows are hidden
    under the frame, and what lies there is frame."""
    regions = np.zeros(shape, np.float32)
    parts = [(EYE_MARGIN, _eye_outlines(landmarks))] + ([(BROW_MARGIN, brow_outlines(landmarks))] if brows else [])
    for margin, outlines in parts:
        drawn = np.zeros(shape, np.uint8)
        for outline in outlines:
            cv2.fillPoly(drawn, [np.round(outline).astype(np.int32)], 1)
        radius = max(1, int(round(margin * eye_width)))
        drawn = cv2.dilate(drawn, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)))
        regions = np.maximum(regions, drawn.astype(np.float32))
    return cv2.GaussianBlur(regions, (3, 3), 0.7)


def _eye_outlines(landmarks: np.ndarray) -> list[np.ndarray]:
    return [landmarks[list(eye.upper_lid) + list(eye.lower_lid[::-1]), :2] for eye in (RIGHT_EYE, LEFT_EYE)]


def _ray_directions() -> np.ndarray:
    angles = np.linspace(0.0, 2.0 * np.pi, RAYS, endpoint=False)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (RAYS, 2), y down: sin > 0 points down


def _rim(lines: np.ndarray, landmarks: np.ndarray, eye: EyeGroup, eye_width: float, threshold: float,
         guide: np.ndarray | None = None) -> _Rim | None:
    """The rim around one eye, or None when most rays find no line at a steady distance. `guide`
    (RAYS,) eye widths: where the other lens's rim, mirrored, says this one runs; lines further from
    it are not this rim."""
    centre = landmarks[list(eye.lids), :2].mean(axis=0)
    directions = _ray_directions()
    steps = np.linspace(0.0, 1.0, 48)
    (inner_x, outer_x), (inner_y, outer_y) = RIM_REACH
    inner = np.array([inner_x, inner_y]) * eye_width
    outer = np.array([outer_x, outer_y]) * eye_width
    reach = inner[None, None] + (outer - inner)[None, None] * steps[None, :, None]  # (1, S, 2)
    samples = centre + directions[:, None] * reach  # (RAYS, S, 2)
    values = _sample(lines, samples)  # (RAYS, S)
    radii = np.linalg.norm(samples - centre, axis=2) / eye_width  # (RAYS, S) eye widths
    best = values.argmax(axis=1)
    found = values.max(axis=1) >= threshold
    radius = radii[np.arange(RAYS), best]
    counted = directions[:, 1] > -0.5  # below and beside the eye: the brow is above it
    if found[counted].mean() < MIN_RING_SHARE:
        return None
    steady = radius[counted & found]
    spread = 1.4826 * np.median(np.abs(steady - np.median(steady)))
    if spread > MAX_RADIUS_SPREAD:
        return None
    # Above the eye the strongest line is often the brow: there, look only near the distance the
    # rim keeps beside and below the eye (a lens is at most about as far above its eye as below it).
    expected = _expected_radius(directions, radius, counted & found)
    ratio = radii / expected[:, None]
    near = (ratio >= RIM_WINDOW[0]) & (ratio <= RIM_WINDOW[1])
    if guide is not None:
        near &= np.abs(radii - guide[:, None]) <= GUIDE_REACH
    windowed = np.where(near, values, -1.0)
    found = windowed.max(axis=1) >= threshold
    # Above the eye, the first line out from the lid (a rim sits below the brow), elsewhere the strongest.
    peaks = (windowed >= threshold) & (windowed >= np.roll(windowed, 1, axis=1)) \
        & (windowed >= np.roll(windowed, -1, axis=1))
    first = np.where(peaks.any(axis=1), peaks.argmax(axis=1), windowed.argmax(axis=1))
    best = _band_middles(values, np.where(directions[:, 1] < -0.5, first, windowed.argmax(axis=1)), found, eye_width)
    points = _smoothed_ring(samples[np.arange(RAYS), best], found, centre)
    return _Rim(centre, points, _thickness(values, best, found, eye_width))


def _second_rim(rims: list[_Rim | None], lines: np.ndarray, landmarks: np.ndarray, eye_width: float,
                threshold: float) -> list[_Rim | None]:
    """Both rims, when one was found and the other is found on a second look.

    A head turned away thins and pales the far rim (a stylised face turned 8° found its near rim on
    every ray and its far one on 0.66 of them, below MIN_RING_SHARE): it is sought again at a lower
    threshold, near the rim found mirrored across the face (the far rays otherwise settled on the
    nose's drawn outline), and is as thick as that rim — one frame, one rim width (the far rim's own
    measure took in the shading beside it: 14.7 px against 7.3). The bridge is still asked for in full."""
    known = next(rim for rim in rims if rim is not None)
    guide = _mirrored_radius(known, landmarks, eye_width)
    second = []
    for rim, eye in zip(rims, (RIGHT_EYE, LEFT_EYE), strict=True):
        if rim is None:
            found = _rim(lines, landmarks, eye, eye_width, SECOND_RIM_THRESHOLD * threshold, guide)
            rim = None if found is None else _Rim(found.centre, found.points, known.thickness_px)
        second.append(rim)
    return second


def _mirrored_radius(rim: _Rim, landmarks: np.ndarray, eye_width: float) -> np.ndarray:
    """(RAYS,) eye widths: along each ray, how far the other lens's rim would run — this rim mirrored
    across the face's vertical axis (square to the line through the eyes' centres)."""
    centres = [landmarks[list(eye.lids), :2].mean(axis=0) for eye in (RIGHT_EYE, LEFT_EYE)]
    across = (centres[1] - centres[0]) / np.linalg.norm(centres[1] - centres[0])
    offsets = rim.points - rim.centre
    mirrored = offsets - 2.0 * (offsets @ across)[:, None] * across[None]  # reflected across the vertical axis
    angles = np.arctan2(mirrored[:, 1], mirrored[:, 0])
    order = np.argsort(angles)
    directions = _ray_directions()
    ray_angles = np.arctan2(directions[:, 1], directions[:, 0])
    radius = np.linalg.norm(mirrored, axis=1) / eye_width
    return np.interp(ray_angles, angles[order], radius[order], period=2.0 * np.pi)


def _expected_radius(directions: np.ndarray, radius: np.ndarray, trusted: np.ndarray) -> np.ndarray:
    """(RAYS,) the rim's distance along each ray from an ellipse through the trusted rays: its
    half-width from the rays beside the eye, its half-height from those below it."""
    sideways = trusted & (np.abs(directions[:, 0]) > 0.85)
    downwards = trusted & (directions[:, 1] > 0.7)
    half_width = float(np.median(radius[sideways])) if sideways.any() else float(np.median(radius[trusted]))
    half_height = float(np.median(radius[downwards])) if downwards.any() else float(np.median(radius[trusted]))
    cos, sin = directions[:, 0], directions[:, 1]
    return 1.0 / np.sqrt(cos**2 / half_width**2 + sin**2 / half_height**2)


def _smoothed_ring(points: np.ndarray, found: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Rays that found no line take their neighbours' distance; a median over neighbours removes
    rays that caught a brow or a lash instead of the rim."""
    offsets = points - centre
    radius = np.linalg.norm(offsets, axis=1)
    directions = offsets / np.maximum(radius[:, None], 1e-6)
    known = np.flatnonzero(found)
    angles = np.arange(RAYS)
    filled = np.interp(angles, known, radius[known], period=RAYS)
    window = np.stack([np.roll(filled, shift) for shift in range(-2, 3)])
    return centre + directions * np.median(window, axis=0)[:, None]


def _bands(values: np.ndarray, peaks: np.ndarray, rays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """((R,), (R,)) the first and last samples along each of `rays` where its line stays above half its
    value at its peak (`peaks`, (RAYS,))."""
    at = peaks[rays]
    before, after = runs_from(values[rays] >= 0.5 * values[rays, at][:, None], at)
    return at - before, at + after


def _band_middles(values: np.ndarray, peaks: np.ndarray, found: np.ndarray, eye_width: float) -> np.ndarray:
    """(RAYS,) each ray's sample at the middle of the band round its line's peak. The line filter
    peaks at a thick rim's edge (a pencil behind acetate's: every ray on its inner edge), and a ring
    there took in lashes and lid inside the lens and left the rim's outer half to the warp. A band
    wider than any frame has run into other lines (above the eye, a weak first line merged with lid,
    crease and brow; on that pencil drawing, its grain on most rays): that ray keeps its peak."""
    widest = LINE_WIDTH_EYE_WIDTHS * eye_width / _sample_step(values, eye_width)
    rays = np.flatnonzero(found)
    start, end = _bands(values, peaks, rays)
    middles = peaks.copy()
    narrow = end - start + 1 <= widest
    middles[rays[narrow]] = (start[narrow] + end[narrow]) // 2
    return middles


def _thickness(values: np.ndarray, best: np.ndarray, found: np.ndarray, eye_width: float) -> float:
    """The rim's width in pixels: along each ray that found it, how far the line stays above half its
    value at `best` (rays are sampled at a known spacing), the median over rays."""
    start, end = _bands(values, best, np.flatnonzero(found))
    width = np.median(end - start + 1) * _sample_step(values, eye_width) if len(start) else 2.0
    return float(np.clip(width, 1.5, LINE_WIDTH_EYE_WIDTHS * eye_width))


def _sample_step(values: np.ndarray, eye_width: float) -> float:
    """Pixels between a ray's samples, at least (rays reach further sideways than up and down)."""
    (inner_x, outer_x), (inner_y, outer_y) = RIM_REACH
    return min(outer_x - inner_x, outer_y - inner_y) * eye_width / (values.shape[1] - 1)


def _has_bridge(lines: np.ndarray, rims: list[_Rim], eye_width: float, threshold: float) -> bool:
    """A line across the nose between the lenses, at about the eyes' height, that runs on unbroken:
    in half the columns at least as strong as a rim, and in all but one at least BRIDGE_FLOOR of that.
    A stylised face's drawn nose and lids can light up half the columns near the rims with a gap
    between them (open-stylization-turned: 0.58–0.74 of the threshold over five of its ten columns),
    where a real bridge, even a thin metal one on a turned head, stays at 0.78 or more throughout."""
    grid = bridge_grid(*rims, eye_width)
    if grid is None:
        return True  # the lenses touch
    strongest = _sample(lines, grid).max(axis=0)
    unbroken = np.sort(strongest)[min(1, len(strongest) - 1)] >= BRIDGE_FLOOR * threshold
    return bool((strongest >= threshold).mean() >= BRIDGE_SHARE and unbroken)


def _frame_mask(shape: tuple[int, int], rims: list[_Rim], lines: np.ndarray, eye_width: float, threshold: float
                ) -> np.ndarray:
    """Drawn at 4× and reduced: rims and the bridge (the temples are _temple_arms'), widened to cover
    the lines' soft edges, then kept only where there is a line."""
    scale = 4
    canvas = np.zeros((shape[0] * scale, shape[1] * scale), np.uint8)
    thickness = max(rim.thickness_px for rim in rims) + 3.0  # the line and its soft edges
    for rim in rims:
        cv2.polylines(canvas, [np.round(rim.points * scale).astype(np.int32)], True, 255,
                      max(1, int(round(thickness * scale))), cv2.LINE_AA)
    _draw_bridge(canvas, rims, lines, scale, eye_width, threshold)
    mask = cv2.resize(canvas, (shape[1], shape[0]), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    # Only the line itself: skin beside a rim that moved rigidly would slide against the skin the warp moves.
    on_line = np.clip((lines - 0.3 * threshold) / (0.7 * threshold), 0.0, 1.0)
    return cv2.GaussianBlur(mask * on_line, (3, 3), 0.5)


def _draw_bridge(canvas: np.ndarray, rims: list[_Rim], lines: np.ndarray, scale: int, eye_width: float,
                 threshold: float) -> None:
    right, left = rims
    inner_right = right.points[np.argmax(right.points[:, 0] - 0.5 * np.abs(right.points[:, 1] - right.centre[1]))]
    inner_left = left.points[np.argmin(left.points[:, 0] + 0.5 * np.abs(left.points[:, 1] - left.centre[1]))]
    top = min(inner_right[1], inner_left[1]) - 0.5 * eye_width
    bottom = max(inner_right[1], inner_left[1]) + 0.2 * eye_width
    # The bridge: every line between the lenses at the eyes' height (its shape varies: keep what is there).
    left_x, right_x = int(inner_right[0]), int(inner_left[0])
    top_y, bottom_y = max(int(top), 0), min(int(bottom), lines.shape[0] - 1)
    if right_x > left_x and bottom_y > top_y:
        region = lines[top_y:bottom_y, left_x:right_x] >= threshold
        bridge = cv2.resize(region.astype(np.uint8) * 255, (scale * (right_x - left_x), scale * (bottom_y - top_y)),
                            interpolation=cv2.INTER_NEAREST)
        view = canvas[scale * top_y:scale * bottom_y, scale * left_x:scale * right_x]
        np.maximum(view, bridge, out=view)


def _temple_paths(rims: list[_Rim], lines: np.ndarray, on_line, steps: int) -> list[tuple[np.ndarray, float]]:
    """((N, 2) the points of each temple from its hinge, outwards) for the image's left temple and its
    right one. A temple leaves the rim anywhere along its outer side (often a third down, above the
    lens's widest point) and anywhere across the rim's width: of the points there, it is the line that
    runs furthest from one (a tinted photo's arm, followed from the ring along the rim's middle, met a
    gap after 11 columns; from the rim's outer edge it runs on 18)."""
    paths = []
    for rim, outwards in zip(rims, (-1.0, 1.0), strict=True):
        reach = outwards * (rim.points[:, 0] - rim.centre[0])
        side = rim.points[reach >= HINGE_SIDE_SHARE * reach.max()]
        radial = (side - rim.centre) / np.linalg.norm(side - rim.centre, axis=1, keepdims=True)
        across = np.linspace(-0.5, 0.5, 5) * rim.thickness_px
        starts = (side[:, None] + across[None, :, None] * radial[:, None]).reshape(-1, 2)
        candidates = _follow_lines(on_line, lines, starts, outwards, steps, ARM_GAP_PX)
        paths.append((max(candidates, key=lambda path: outwards * (path[-1, 0] - path[0, 0])), outwards))
    return paths


def _half_rim_arms(image: np.ndarray, mask: np.ndarray, landmarks: np.ndarray, eye_width: float, threshold: float
                   ) -> np.ndarray:
    """(H, W) a half-rim frame's temple arms, followed out from its mask (_temple_arms); zeros where a
    side of the mask holds too little to start from."""
    rims = _rims_in(mask, landmarks, eye_width)
    if rims is None:
        return np.zeros(mask.shape, np.float32)
    rim_width = max(rim.thickness_px for rim in rims)
    fitted = line_strength(image, min(LINE_WIDTH_EYE_WIDTHS * eye_width, 2.5 * rim_width + 2.0))
    return _temple_arms(image, mask, rims, fitted, threshold, landmarks, eye_width)


def _rims_in(mask: np.ndarray, landmarks: np.ndarray, eye_width: float) -> list[_Rim] | None:
    """Each lens's part of a frame's mask (its pixels over one half of 0.5, on its side of the nose,
    within an eye width above or below the eye) as the rim _temple_paths starts from, as thick as
    the mask's median height across the eye's middle; None where a side holds under MIN_RIM_PIXELS."""
    rows, columns = np.nonzero(mask > 0.5)
    bridge = landmarks[NOSE_BRIDGE, 0]
    rims = []
    for eye, side in zip((RIGHT_EYE, LEFT_EYE), (-1.0, 1.0), strict=True):
        centre = landmarks[list(eye.lids), :2].mean(axis=0)
        own = ((side * (columns - bridge) > 0) & (np.abs(rows - centre[1]) < eye_width)
               & (np.abs(columns - centre[0]) < 1.5 * eye_width))
        if own.sum() < MIN_RIM_PIXELS:
            return None
        middle = slice(int(centre[0] - 0.4 * eye_width), int(centre[0] + 0.4 * eye_width))
        heights = (mask[:, middle] > 0.5).sum(axis=0)
        thickness = float(np.median(heights[heights > 0])) if (heights > 0).any() else 1.0
        rims.append(_Rim(centre, np.stack([columns[own], rows[own]], axis=1).astype(np.float64), thickness))
    return rims


def _temple_arms(image: np.ndarray, mask: np.ndarray, rims: list[_Rim], lines: np.ndarray, threshold: float,
                 landmarks: np.ndarray, eye_width: float) -> np.ndarray:
    """(H, W) the temple arms. Past its first few pixels a thin metal or tinted-frame arm stands out
    half as much as the rims or less, and a stub alone left the rest to the warp, which parted it
    from its rim as the head turned: an arm is followed on lines that stand out as the rims do or,
    weaker, have the frame's colour (not where the brows share it), across gaps of a few pixels (a
    strand of hair), up to ARM_REACH eye widths — but never on past the frame's colour into the hair,
    whose dark edge is a line too and, held rigid, was carried over the skin as a tick at the arm's end."""
    colour = _frame_colour_distance(image, mask, landmarks)
    if colour is None:
        distance, tolerance, follow_colour = np.zeros(mask.shape, np.float32), np.inf, False
    else:
        (distance, tolerance), follow_colour = colour, not brows_in_colour(*colour, landmarks)
    near_colour = np.clip(2.0 - distance / tolerance, 0.0, 1.0).astype(np.float32)  # 1 within, 0 at twice

    def on_arm(points: np.ndarray) -> np.ndarray:
        strength, likeness = _sample(lines, points), _sample(near_colour, points)
        weak = (strength >= ARM_LINE_SHARE * threshold) & (likeness >= 1.0) & follow_colour
        return ((strength >= threshold) & (likeness > 0.0)) | weak

    scale = 4
    canvas = np.zeros((mask.shape[0] * scale, mask.shape[1] * scale), np.uint8)
    thickness = max(rim.thickness_px for rim in rims) + 3.0  # the line and its soft edges
    steps = int((ARM_REACH if follow_colour else 1.0) * eye_width)
    for path, _ in _temple_paths(rims, lines, on_arm, steps):
        cv2.polylines(canvas, [np.round(path * scale).astype(np.int32)], False, 255,
                      max(1, int(round(thickness * scale))), cv2.LINE_AA)
    drawn = cv2.resize(canvas, mask.shape[::-1], interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    share = ARM_LINE_SHARE if follow_colour else 0.3  # 0.3: as _frame_mask keeps the rims' lines
    on_line = np.clip((lines - share * threshold) / ((1.0 - share) * threshold), 0.0, 1.0)
    return cv2.GaussianBlur(drawn * on_line * near_colour, (3, 3), 0.5)


def _follow_lines(on_line, lines: np.ndarray, starts: np.ndarray, outwards: float, steps: int, gap: int = 0
                  ) -> list[np.ndarray]:
    """((N, 2) points) for each of `starts` (S, 2), the line running sideways from it, one column at a
    time, towards the strongest of the three pixels ahead, while `on_line` (points (S, 3, 2) → (S, 3)
    bool) holds for one of them; across at most `gap` columns where it holds for none, straight on.
    All starts step together: a temple is sought from every point across a rim's outer side, and one
    path at a time cost 0.4–1.1 s an avatar."""
    ahead = np.array([[outwards, dy] for dy in (-1.0, 0.0, 1.0)])  # (3, 2)
    points, missed = starts.astype(np.float64), np.zeros(len(starts), int)
    alive = np.ones(len(starts), bool)
    steps_taken = []  # (points after the step, whether the step was on the line), one per column
    for _ in range(steps):
        candidates = points[:, None] + ahead[None]  # (S, 3, 2)
        good = on_line(candidates)
        found = good.any(axis=1)
        strongest = np.argmax(np.where(good, _sample(lines, candidates), -1.0), axis=1)
        missed = np.where(found, 0, missed + 1)
        alive &= found | (missed <= gap)
        taken = alive & found
        straight_on = alive & ~found
        points = np.where(taken[:, None], candidates[np.arange(len(starts)), strongest],
                          np.where(straight_on[:, None], candidates[:, 1], points))
        steps_taken.append((points, taken))
        if not alive.any():
            break
    return [np.array([start] + [step[index] for step, taken in steps_taken if taken[index]])
            for index, start in enumerate(starts.astype(np.float64))]


def _sample(values: np.ndarray, points: np.ndarray) -> np.ndarray:
    """values (H, W) at (..., 2) pixel points, bilinear, 0 outside."""
    height, width = values.shape
    xs, ys = points[..., 0], points[..., 1]
    x0, y0 = np.floor(xs).astype(int), np.floor(ys).astype(int)
    fx, fy = xs - x0, ys - y0
    result = np.zeros(points.shape[:-1])
    for dx, dy, weight in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
        x, y = x0 + dx, y0 + dy
        valid = (x >= 0) & (x < width) & (y >= 0) & (y < height)
        result += np.where(valid, values[y.clip(0, height - 1), x.clip(0, width - 1)], 0.0) * weight
    return result
