"""find_browline_frame: two-tone glasses — a bar along each lens's top, dark at least over its outer part,
with pale rims and bridge (browline and cat-eye frames) — that runtime/face/glasses.py's ring tests miss,
as a soft mask of the frame.

The line test needs a rim standing out as strongly all the way round each eye, the solid-colour test one
colour all the way round; a two-tone frame has neither: its rims below the bars are amber, clear or thin
metal, nearly the skin's colour, and on an older face the creases of the skin stand out as much as they
do. What a blink or a raised brow visibly bends is the dark bars. Three things together tell such a frame,
none of which a face without glasses shows:
- over each eye's outer half, an unbroken dark path (one dark colour, far from the skin's, the same over
  both eyes) from beyond the outer corner — a strip along the line through the eyes is unrolled and the
  path that runs most over dark pixels found in it by dynamic programming (brows are dark there too);
- under each eye, a thin line running round it from one side to the other, standing out from the skin's
  own lines along nearly its whole length: the pale rim (a young face's lid and crease lines are fainter
  or broken) — found as the best path through rays cast below and beside the eye, and the outermost of
  such paths (an older face's eye bags are lines like it, inside the lens);
- the two rims shaped as lenses: as deep below each eye (one frame, mirrored), and deeper than a lid or
  an eye bag lies.
The mask is the bars' dark near their path, the fade from it to the rims' colour (the bars' pale part, the
bridge) near the path that runs most over such colours, and the rims' lines along theirs; not the brows
above the bars. Within the eyes' margin, which is never frame, the bars reach down to their lower edge in their
own colour (_foot), where they lie on the lashes. Rims as dark as the bars are one solid frame, not two tones:
left to solid_frame.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from runtime.face.best_path import best_path
from runtime.face.brows import above_brows, brow_region, brows_in_colour
from runtime.face.eye_strip import EyeStrip, eye_openings
from runtime.face.line_runs import runs_from
from runtime.face.line_strength import line_strength
from runtime.face.solid_frame import RAYS, SolidFrame, ray_points, sample_at, smoothed_lab
from runtime.render.landmark_groups import FACE_OVAL, LEFT_EYE, RIGHT_EYE, EyeGroup

DARKER_THAN_SKIN = 0.55  # a bar pixel's lightness is below this share of the skin's
MIN_FRAME_FROM_SKIN = 40.0  # Lab distance of a bar pixel from the skin's colour (as the solid frame's)
MIN_TOP_SHARE = 0.85  # of each eye's outer half (from beyond its corner to its centre), how much of the path is dark
MAX_COLOUR_DIFFERENCE = 15.0  # Lab distance between the bars' colours over each eye: one frame
COLOUR_TOLERANCE = 0.4  # of the bars' distance from the skin: a pixel this near their colour is bar
MASK_REACH = 0.4  # eye widths either side of the path where the bars' colour is taken as bar
FACE_MARGIN = 0.1  # eye widths beyond the face's outline where a bar's hinge may still lie
GLINT = 0.15  # eye widths: the largest highlight on a bar filled in as bar
HINGE_REACH = 0.5  # eye widths past the strip's ends where the bars' dark is frame (as solid_frame's temples)
HINGE_HALF_HEIGHT = 0.15  # eye widths either side of a hinge's line: a frame's corner, not the cap or hair above it
MAX_BAR_HEIGHT = 0.5  # eye widths: a dark run taller than this above the bars' path is a brow on them
PALE_REACH = 0.15  # eye widths either side of the pale path: about a bar's height
MIN_PALE_FROM_SKIN = 15.0  # Lab distance: a pale part nearer the skin's colour than this is not told from it
MIN_TONE_DIFFERENCE = 40.0  # Lab distance between the rims' and the bars' colours: two tones, not one frame
# Lab distance (OpenCV's 8-bit scale) from a bar's colour at its path, down its column, within which a pixel
# is still the bar (_foot). Over the creased twin's fade (tuning set; Hopper's cat-eyes, check set, are the
# other frame this finder finds, and their bars lie clear of her eyes' margin) the bar's own pixels lie within
# 6-13 of it, the lashes under it 20-75 off; under its black part, the skin 20 off. At 10 its bars'
# antialiased foot was left to the lid again (a blink moved them 0.59 px RMS); at 14-15, 0.08-0.09 px, but a
# sliver more of the lashes held still over the shut eye, and FaceLandmarker read its right blink at r 0.85
# instead of 0.95; at 13, 0.31 px and 0.95.
FOOT_TOLERANCE = 13.0
# ... and it may reach this far (eye widths) into an eye's opening: where a bar lies on the lashes, FaceLandmarker
# puts the upper lid's edge on the bar's (the creased twin's reaches 2 px, 0.04 eye widths, into its openings).
FOOT_IN_OPENINGS = 0.04
# A rim is a thin line (creases and shading wider than this filter are not one) standing out all along
# its part below the eye (beside it, it meets the bar, and its path strays): three quarters of that part
# at least this many times the skin's own lines. Tuning set, at the head and face framings: 2.4-3.5 on
# the creased twin's amber rims, 3.1-13.9 on other frames; without glasses 0.8-1.2 on the photo, up to
# 2.3 on one eye of a pencil drawing (never both), up to 5.1 on stylised paintings' outlined lids and
# eye bags, whose paths are not lens-shaped (below).
RIM_LINE_WIDTH = 0.12  # eye widths
LOWER_RIM_RAYS_FROM = -0.35  # rays whose direction's y (down) exceeds this: below and beside the eye
RIM_OVER_SKIN = 2.0
RIM_QUANTILE = 25
RIM_GAP = 0.12  # of a ray's length: how far beyond a line found the next one out is sought
BELOW = 0.3  # rays whose direction's y (down) exceeds this: where a rim is told (and bags looked beyond)
# Lens-shaped: both rims reach as far below their eyes' centres, within this many eye widths, and at least
# as far as a lens does (tuning set: differences 0.00–0.11 and depths 0.77–1.10 eye widths with glasses, a
# turned head's included; without them the best paths run along a lid on one side (0.50) and an eye bag
# or the cheek's shading on the other (1.3-1.4)).
MAX_RIM_DEPTH_DIFFERENCE = 0.2
MIN_RIM_DEPTH = 0.6


def find_browline_frame(image: np.ndarray, landmarks: np.ndarray, eye_width: float, skin_landmarks: tuple[int, ...]
                        ) -> SolidFrame | None:
    """A two-tone frame (dark bars over pale rims), or None when the portrait wears none."""
    lab = smoothed_lab(image, eye_width)
    skin = np.median(sample_at(lab, landmarks[list(skin_landmarks), :2]), axis=0)
    openings = eye_openings(image.shape[:2], landmarks, eye_width)
    strip = EyeStrip(landmarks, eye_width)
    bars = _dark_bars(strip, lab, skin, openings)
    if bars is None:
        return None
    lines = line_strength(image, RIM_LINE_WIDTH * eye_width) * (1.0 - openings)
    least = RIM_OVER_SKIN * float(np.median(sample_at(lines, landmarks[list(skin_landmarks), :2])))
    rims = [_lower_rim(lines, landmarks, eye, eye_width, least) for eye in (RIGHT_EYE, LEFT_EYE)]
    if any(rim is None for rim in rims) or not _lens_shaped(rims, landmarks, eye_width):
        return None
    pale = _pale_colour(image, skin, rims, lines, least)
    if pale is not None and np.linalg.norm(pale - bars.colour) < MIN_TONE_DIFFERENCE:
        # Rims as dark as the bars: one solid frame, which runtime/face/solid_frame.py finds, or, where a
        # drawing's strokes hide it at this scale, the default framing's finding carried over finds better.
        return None
    dark = _Tone(np.linalg.norm(lab - bars.colour, axis=2),
                 COLOUR_TOLERANCE * float(np.linalg.norm(bars.colour - skin)))
    bar = _coloured_near(dark, strip.points(bars.rows), MASK_REACH * eye_width)
    hinges = np.maximum(*(_coloured_near(dark, hinge, HINGE_HALF_HEIGHT * eye_width)
                          for hinge in _hinges(strip, bars.rows, eye_width)))
    hinges *= _on_face(image.shape[:2], landmarks, eye_width)
    mask = np.maximum(_glints_filled(np.maximum(bar, hinges), eye_width), _lines_along(lines, rims, least))
    tone, in_bars, rows = dark, bars.dark, bars.rows
    if pale is not None:
        tone = _Tone(_segment_distance(lab, bars.colour, pale), COLOUR_TOLERANCE * float(np.linalg.norm(pale - skin)))
        pale_part, in_bars, rows = _pale_part(tone, strip, openings, bars, eye_width)
        mask = np.maximum(mask, pale_part)
    size = max(3, int(round(GLINT * eye_width)) | 1)
    in_bars = cv2.morphologyEx(in_bars.astype(np.uint8), cv2.MORPH_CLOSE,
                               cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))) > 0  # glints are bar
    top = _top_edge(in_bars, bars.rows, int(round(MAX_BAR_HEIGHT * eye_width)))
    above = 1.0 - _below(strip, top, image.shape[:2], eye_width)
    deep_in_eyes = eye_openings(image.shape[:2], landmarks, eye_width, -FOOT_IN_OPENINGS)
    foot = _foot(strip, lab, rows, in_bars) * (1.0 - deep_in_eyes)
    return SolidFrame(_without_brows(mask, above, dark, tone, landmarks, eye_width), brow_margin_is_frame=True,
                      in_eye_margin=foot)


@dataclass(frozen=True, eq=False)
class _Tone:
    """How far each pixel is from a colour (or a range of colours), and how near counts as it."""

    distance: np.ndarray  # (H, W) Lab distance
    tolerance: float

    def alpha(self) -> np.ndarray:
        """(H, W) 1 within 0.75 of the tolerance, fading to 0 at 1.5 of it (antialiased edges)."""
        return np.clip((1.5 * self.tolerance - self.distance) / (0.75 * self.tolerance), 0.0, 1.0)


def _glints_filled(mask: np.ndarray, eye_width: float) -> np.ndarray:
    """The mask closed over holes up to GLINT eye widths across: a glossy bar's highlights are far from its
    dark, and left to the warp they lifted with a raised brow as dark-edged flecks above the frame."""
    size = max(3, int(round(GLINT * eye_width)) | 1)
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))


def _foot(strip: EyeStrip, lab: np.ndarray, rows: np.ndarray, in_bars: np.ndarray) -> np.ndarray:
    """(H, W) float32 0..1 the bars from their path (`rows`, the strip's row in each column) down to their
    lower edge: in each column where the path is on the bars (`in_bars`, the strip's bar pixels), as far down
    as the colour stays the path's own, within FOOT_TOLERANCE. A bar may lie on the lashes, within the eyes'
    margin (the creased twin's, over each iris): left to the warp, its lower edge was covered by the closing
    lid. Its own colour parts it from them: a fade's amber or brown is lighter than the lashes under it, and
    a black bar's foot above them meets skin."""
    strip_lab = strip.sample(lab)
    columns = np.arange(strip.columns)
    alike = np.linalg.norm(strip_lab - strip_lab[rows, columns][None], axis=2) < FOOT_TOLERANCE
    _, below = runs_from(alike.T, rows)
    on_bars = in_bars[rows, columns]
    # Each pixel of the strip's bounding box, at its nearest column: between the path and the bar's edge there.
    corners = strip.grid(np.array([0.0, 0.0, strip.rows - 1.0, strip.rows - 1.0]),
                         np.array([0.0, strip.columns - 1.0, 0.0, strip.columns - 1.0]))
    height, width = lab.shape[:2]
    left, top = np.clip(np.floor(corners.min(axis=0)).astype(int) - 1, 0, None)
    right, bottom = np.minimum(np.ceil(corners.max(axis=0)).astype(int) + 2, (width, height))
    ys, xs = np.mgrid[top:bottom, left:right]
    column, row = strip.at(np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float64))
    nearest = np.clip(np.round(column).astype(int), 0, strip.columns - 1)
    depth = row - rows[nearest]
    foot = np.zeros((height, width), np.float32)
    foot[top:bottom, left:right] = ((np.abs(column - nearest) <= 0.5) & on_bars[nearest] & (depth >= -0.5)
                                    & (depth <= below[nearest] + 0.5)).reshape(ys.shape)
    return cv2.GaussianBlur(foot, (3, 3), 0.5)


def _hinges(strip: EyeStrip, rows: np.ndarray, eye_width: float) -> list[np.ndarray]:
    """((2, 2) image points) a segment from each end of the bars' path straight on outwards by HINGE_REACH:
    a cat-eye's outer corners and hinges lie beyond the strip, and left to the warp while the rest was held
    still, they were drawn twice (a dark ghost beside each corner) once the head turned 15 degrees."""
    path = strip.points(rows)
    reach = HINGE_REACH * eye_width * strip.across
    return [np.stack([path[0], path[0] - reach]), np.stack([path[-1], path[-1] + reach])]


def _pale_part(tone: _Tone, strip: EyeStrip, openings: np.ndarray, bars: _Bars, eye_width: float
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """((H, W) float32 the bars' pale part — towards the nose, where the dark fades into the rims' colour —
    and the bridge, which a raised brow otherwise lifts off the dark part: any colour between the dark and
    the pale near the strip's path that runs most over such colours, within a bar's height of the dark
    path (carried straight on where that is off the dark: a warm face's shading is a colour of the fade
    too, and held still above the frame it tore as the brows rose); (rows, columns) bool the strip's
    pixels of the bars: where the bars' path is on the dark, the dark (brown hair is a colour of the fade
    too), elsewhere the fade's; (columns,) the bars' path: the dark's where it is on the dark, else the
    fade's)."""
    columns = np.arange(strip.columns)
    on_dark = bars.dark[bars.rows, columns]
    guide = np.interp(columns, columns[on_dark], bars.rows[on_dark]) if on_dark.any() else bars.rows
    band = np.abs(np.arange(strip.rows)[:, None] - guide[None]) <= MAX_BAR_HEIGHT * eye_width
    alike = _Tone(strip.sample(tone.distance), tone.tolerance).alpha() * (strip.sample(openings) < 0.5) * band
    faded = best_path(alike)
    mask = _coloured_near(tone, strip.points(faded), PALE_REACH * eye_width)
    return mask, np.where(on_dark[None], bars.dark, alike > 0.5), np.where(on_dark, bars.rows, faded)


def _without_brows(mask: np.ndarray, above: np.ndarray, dark: _Tone, tone: _Tone, landmarks: np.ndarray,
                   eye_width: float) -> np.ndarray:
    """The mask less the brows. A bar often sits close under the brows, or over their lower edge where
    FaceLandmarker places them: it is kept there, but not the brows above it (`above` the bars' top edge:
    a dark brow's outer end, held still, tore from the rest as it rose), nor anything above the brows'
    lower edge where, above the bars, they share the frame's colours; and within the brows, only the
    bars' own dark (a brow's tip touching a bar is brown, not black)."""
    brows = _brows(mask.shape, landmarks)
    own_dark = _glints_filled(np.clip((0.75 * dark.tolerance - dark.distance) / (0.25 * dark.tolerance), 0.0, 1.0)
                              .astype(np.float32), eye_width)
    mask = mask * (1.0 - brows * (1.0 - own_dark))
    shared = brows_in_colour(tone.distance, tone.tolerance, landmarks, within=above)
    cut = above_brows(mask.shape, landmarks, eye_width) if shared else brows
    return mask * (1.0 - above * cut)


@dataclass(frozen=True, eq=False)
class _Bars:
    colour: np.ndarray  # (3,) Lab
    rows: np.ndarray  # (columns,) the strip's row of the bars' path in each column
    dark: np.ndarray  # (rows, columns) bool: the strip's pixels dark enough to be bar


def _dark_bars(strip: EyeStrip, lab: np.ndarray, skin: np.ndarray, openings: np.ndarray) -> _Bars | None:
    """The dark bars, or None when no dark path runs over both eyes' outer halves in one colour."""
    strip_lab = strip.sample(lab)
    dark = (strip_lab[..., 0] < DARKER_THAN_SKIN * skin[0]) \
        & (np.linalg.norm(strip_lab - skin, axis=2) >= MIN_FRAME_FROM_SKIN) & (strip.sample(openings) < 0.5)
    rows = best_path(dark.astype(np.float64))
    on_path = dark[rows, np.arange(len(rows))]
    outer_halves = strip.outer_halves()
    if min(on_path[half].mean() for half in outer_halves) < MIN_TOP_SHARE:
        return None
    colours = [np.median(strip_lab[rows[half], half][on_path[half]], axis=0) for half in outer_halves]
    if np.linalg.norm(colours[0] - colours[1]) > MAX_COLOUR_DIFFERENCE:
        return None
    return _Bars(np.mean(colours, axis=0), rows, dark)


def _pale_colour(image: np.ndarray, skin: np.ndarray, rims: list[np.ndarray], lines: np.ndarray, least: float
                 ) -> np.ndarray | None:
    """(3,) Lab of the rims, read where they stand out, unsmoothed (they are a pixel or two wide); None
    when too little of them stands out, or their colour is too near the skin's to tell apart."""
    points = np.concatenate(rims)
    points = points[sample_at(lines, points) >= least]
    if len(points) < 8:
        return None
    raw = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2LAB).astype(np.float32)
    pale = np.median(sample_at(raw, points), axis=0)
    return pale if float(np.linalg.norm(pale - skin)) >= MIN_PALE_FROM_SKIN else None


def _top_edge(in_bars: np.ndarray, rows: np.ndarray, most: int) -> np.ndarray:
    """(columns,) float: in each column, the first row of the bars' run the path lies in, at most `most`
    rows above the path (a dark brow touching the bar is not bar); where the path is off the bars,
    interpolated between the columns where it is on them."""
    columns = np.flatnonzero(in_bars[rows, np.arange(len(rows))])
    if len(columns) == 0:
        return rows.astype(np.float64)
    top = rows[columns].copy()
    for index, column in enumerate(columns):
        while top[index] > 0 and rows[column] - top[index] < most and in_bars[top[index] - 1, column]:
            top[index] -= 1
    return np.interp(np.arange(len(rows)), columns, top.astype(np.float64))


def _below(strip: EyeStrip, top: np.ndarray, shape: tuple[int, int], eye_width: float) -> np.ndarray:
    """(H, W) float32 1 from the bars' top edge (less a pixel) down, over the strip and on past its ends as
    far as the hinges (the bars' outer corners lie there, under the brows' tails): everything else —
    above the bars, and beyond — is where brows are judged and cut."""
    columns = np.arange(strip.columns, dtype=np.float64)
    reach = HINGE_REACH * eye_width
    columns = np.concatenate([[columns[0] - reach], columns, [columns[-1] + reach]])
    top = np.concatenate([top[:1], top, top[-1:]])
    return strip.below(top - 1.0, columns, shape)


def _lower_rim(lines: np.ndarray, landmarks: np.ndarray, eye: EyeGroup, eye_width: float, least: float
               ) -> np.ndarray | None:
    """(N, 2) image points of a pale rim round the eye's lower side, or None where no line stands out
    along nearly all of it. The outermost such line: an older face's eye bags are lines round the eye
    too, inside the lens and often stronger than its rim, so each line found is looked beyond again."""
    angles = np.linspace(0.0, 2.0 * np.pi, RAYS, endpoint=False)
    rays = np.flatnonzero(np.sin(angles) > LOWER_RIM_RAYS_FROM)
    rays = rays[np.argsort((angles[rays] - np.arcsin(LOWER_RIM_RAYS_FROM)) % (2.0 * np.pi))]  # one sweep round
    samples = int(round(eye_width))
    xs, ys = ray_points(landmarks[list(eye.lids), :2].mean(axis=0), eye_width, samples)
    xs, ys = xs[rays], ys[rays]
    along = cv2.remap(lines, xs, ys, cv2.INTER_LINEAR).astype(np.float64)  # (rays, samples)
    ray, gap = np.arange(len(rays)), max(1, int(round(RIM_GAP * samples)))
    below = np.sin(angles[rays]) > BELOW  # beside the eye, a rim meets the bar, the bags the eye's corners
    outermost, beyond = None, np.zeros(len(rays), int)
    while beyond.max() < samples:
        allowed = np.where(np.arange(samples)[None] >= beyond[:, None], along, 0.0)
        path = best_path(allowed.T)
        if np.percentile(allowed[ray, path][below], RIM_QUANTILE) < least:
            break
        outermost, beyond = path, np.where(below, path + gap, 0)
    if outermost is None:
        return None
    return np.stack([xs[ray, outermost], ys[ray, outermost]], axis=1).astype(np.float64)


def _lens_shaped(rims: list[np.ndarray], landmarks: np.ndarray, eye_width: float) -> bool:
    """Whether both rims reach as deep below their eyes' centres (square to the line through them), and
    as deep as a lens does."""
    centres = [landmarks[list(eye.lids), :2].mean(axis=0) for eye in (RIGHT_EYE, LEFT_EYE)]
    across = (centres[1] - centres[0]) / np.linalg.norm(centres[1] - centres[0])
    down = np.array([-across[1], across[0]])
    depths = [float(((rim - centre) @ down).max()) for rim, centre in zip(rims, centres, strict=True)]
    mirrored = abs(depths[0] - depths[1]) <= MAX_RIM_DEPTH_DIFFERENCE * eye_width
    return mirrored and min(depths) >= MIN_RIM_DEPTH * eye_width


def _on_face(shape: tuple[int, int], landmarks: np.ndarray, eye_width: float) -> np.ndarray:
    """(H, W) float32 1 inside the face's outline grown by FACE_MARGIN, softened: a cap or hair beside a
    bar's outer end may be as dark as the bar, and held still it smeared across the temple as the head
    turned."""
    face = np.zeros(shape, np.uint8)
    cv2.fillPoly(face, [np.round(landmarks[list(FACE_OVAL), :2]).astype(np.int32)], 1)
    radius = max(1, int(round(FACE_MARGIN * eye_width)))
    face = cv2.dilate(face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)))
    return cv2.GaussianBlur(face.astype(np.float32), (3, 3), 0.7)


def _brows(shape: tuple[int, int], landmarks: np.ndarray) -> np.ndarray:
    """(H, W) float32 1 inside the brows' outlines, softened a pixel."""
    return cv2.GaussianBlur(brow_region(shape, landmarks).astype(np.float32), (3, 3), 0.7)


def _segment_distance(lab: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """(H, W) each pixel's Lab distance from the nearest colour between `start` and `end`."""
    span = end - start
    share = np.clip(((lab - start) @ span) / max(float(span @ span), 1e-9), 0.0, 1.0)
    return np.linalg.norm(lab - (start + share[..., None] * span), axis=2)


def _coloured_near(tone: _Tone, path: np.ndarray, reach_px: float) -> np.ndarray:
    """(H, W) float32 0..1: pixels of a tone within `reach_px` of a path."""
    near = np.zeros(tone.distance.shape, np.uint8)
    reach = max(1, int(round(reach_px)))
    cv2.polylines(near, [np.round(path).astype(np.int32)], False, 1, 2 * reach + 1)
    return cv2.GaussianBlur((tone.alpha() * near).astype(np.float32), (3, 3), 0.5)


def _lines_along(lines: np.ndarray, paths: list[np.ndarray], least: float) -> np.ndarray:
    """(H, W) float32 0..1: the line pixels within a pixel or two of the paths (the rims, the bridge)."""
    near = np.zeros(lines.shape, np.uint8)
    for path in paths:
        if len(path) > 1:
            cv2.polylines(near, [np.round(path).astype(np.int32)], False, 1, 5)
    on_line = np.clip((lines - 0.3 * least) / (0.7 * least), 0.0, 1.0)
    return cv2.GaussianBlur(near.astype(np.float32) * on_line, (3, 3), 0.5)
