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
itself: pressed lips (a p, b or m) meet in a seam thinner than the drawn line, whose width read as
lips apart (FaceLandmarker parts a pencil drawing's shut lips by 0.06-0.08 of the mouth's width), and
rounded lips (a pucker) thicken and narrow, where the line stretched with them broke into dark
streaks down the lower lip. A pressed or rounded frame reads the lips from the copy without the line,
with one seam drawn between them over the portrait's own line squeezed thinner (`pressed_line`): a seam
alone ended short of where the drawn line did, which stayed as dark spurs at the corners.

A shut mouth's corners are shaded darker than its line (a photo's shadowed corners, an oil painting's
dark ticks where the lips meet), partly past the lips' outer contour, beyond the inner corners where an
opening mouth's tips lie. As the jaw dropped, the lips and the skin beside them tore those shadows
apart and carried them off the opening's tips: dark flecks beside an oil painting's open mouth, a
red-brown rim down a photo's. They are filled the same way (`dark_corners`) for a parting mouth's
lips, and the skin around them, to read; the opening's own corners are dark. Only what is darker than the
mouth's own line at its middle is corner shadow: where the lips are as dark along their whole length
(lipstick, an older face's dark lips), the dark joined to the corners ran from one to the other, and
an opening mouth's upper lip was filled with skin, its colour gone. A mouth inked as a line is as dark
along its whole length by design; there the ends of the line past the corners go (`inked_line_ends`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from runtime.render.landmark_groups import LIPS

CAVITY_DARKNESS = 0.6  # darker than this share of the lips' median luminance, and joined to the opening: cavity
# A shut mouth's line grows by this share of the mouth's width before it is filled: its paler edges are
# line too (left, they showed as a faint second line beside the seam). An open mouth's cavity grows by its
# edge's soft width (edge_blur.py; a pixel at least): more ate into its lips, less left the blurred edge of a
# small portrait enlarged into the frame (a cartoon's face 100 px wide, enlarged 5x) as a dark outline of
# its teeth and the dark shapes joined to them around every closure.
LINE_GROWTH = 0.03
CORNER_REACH = 0.06  # a shut mouth's dark corners are sought this far (mouth widths) around its outer corners
# A shut mouth's corner shadow is darker than a share of the darkest of its lips over the middle third of the
# mouth (MIDDLE_DARKEST, a percentile of their luminance): within CORNER_REACH of its corners, than
# CORNER_UNDER_MIDDLE of it; joined to them along the lips, than ALONG_UNDER_MIDDLE. The tuning set's photos'
# corners lie far under either (9-33 at the 5th percentile, against middles of 113-131). The lipstick twin's
# upper lip is as dark from corner to corner (its middle 41), and darker still towards one corner under the
# light: with 0.85 along the lips its outer third was taken for shadow and an opening mouth filled it pale (40
# levels off its colour); at 0.7 only what is darker than 29 is. At the corners 0.7 left a coloured pencil
# drawing's shaded tips beside its opened mouth (0 → 4-6 dark pixels there): its corners are paler.
CORNER_UNDER_MIDDLE = 0.85
ALONG_UNDER_MIDDLE = 0.7
MIDDLE_DARKEST = 5  # percentile
# An inked shut mouth's line (cv2.stylization's) is ink: pixels darker than INK_UNDER_SKIN of the skin's median
# around the lips. Its ends run on past the landmarks' corners, up to INKED_END_REACH mouth widths (0.1-0.15 on the
# tuning set's stylised portraits, curving up into the cheek).
INK_UNDER_SKIN = 0.5
INKED_END_REACH = 0.2
FILL_RADIUS_PX = 5  # cv2.inpaint's neighbourhood
# A pressed mouth's drawn line is this many times thinner than the portrait's. At 3 a stylised
# portrait's bold outlined mouth became a hairline at every p, b and m, flickering against its rest
# stroke through speech; at 1 the squeezed lips' two outlines stayed apart and FaceLandmarker read them
# parted (0.025-0.033 mouth widths on the tuning set's grey-tinted stylised portrait).
PRESS_THINNING = 1.5
LINE_SMOOTHING_PX = 2.0  # a line's edges step by whole pixels; smoothed along the mouth, the thin line runs smooth


def cavity_mask(crop: np.ndarray, points: np.ndarray, shut: bool, edge_px: float) -> np.ndarray:
    """(h, w) uint8 0/1: the opening between the inner lips and the dark pixels joined to it within
    the lips' outer contour (a crop (h, w, 3) uint8 around the mouth, `points` (478, 2) its landmarks
    in the crop's pixels), grown so no dark rim is left around the fill: by LINE_GROWTH where the
    mouth is `shut` (the 'cavity' is its drawn line), else by `edge_px`, how wide the portrait's edges
    are soft (a pixel at least)."""
    regions = _MouthRegions.of(crop, points)
    if regions is None:
        return _opening(crop.shape[:2], points)
    mask = _joined(regions.dark & (regions.lips > 0), regions.opening)
    if not shut:
        return _grown_by_edge(mask, edge_px)
    return _grown(mask, regions.width)


def dark_corners(crop: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(h, w) uint8 0/1: a shut mouth's shaded corners (the module's docstring), the dark pixels within
    CORNER_REACH of its outer corners and those joined to them within the lips' outer contour, each darker
    than its share of the mouth's middle (CORNER_UNDER_MIDDLE, ALONG_UNDER_MIDDLE), grown by LINE_GROWTH.
    Arguments as `cavity_mask`'s."""
    regions = _MouthRegions.of(crop, points)
    if regions is None:
        return np.zeros(crop.shape[:2], np.uint8)
    corners = _around_corners(crop.shape[:2], points, CORNER_REACH * regions.width)
    middle = _middle_darkest(points, regions)
    at_corners = regions.dark & (corners > 0) & (regions.luminance < CORNER_UNDER_MIDDLE * middle)
    along = regions.dark & (regions.lips > 0) & (regions.luminance < ALONG_UNDER_MIDDLE * middle)
    return _grown(_joined(at_corners | along, at_corners), regions.width)


def inked_line_ends(crop: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(h, w) uint8 0/1: an inked shut mouth's line where it runs on past its outer corners: the ink outside the
    lips' outer contour within INKED_END_REACH of a corner, joined to the ink within CORNER_REACH of it, grown by
    LINE_GROWTH. Its middle is ink too, so no part of it is darker than the middle (`dark_corners`' measure): as
    the jaw dropped the warp drew these ends out into black wedges beside the opening's tips. Arguments as
    `cavity_mask`'s."""
    regions = _MouthRegions.of(crop, points)
    if regions is None:
        return np.zeros(crop.shape[:2], np.uint8)
    skin = float(np.median(regions.luminance[regions.lips == 0]))
    ink = regions.luminance < INK_UNDER_SKIN * skin
    beyond = ink & (_around_corners(crop.shape[:2], points, INKED_END_REACH * regions.width) > 0) & (regions.lips == 0)
    at_corners = beyond & (_around_corners(crop.shape[:2], points, CORNER_REACH * regions.width) > 0)
    return _grown(_joined(beyond, at_corners.astype(np.uint8)), regions.width)


def _around_corners(shape: tuple[int, int], points: np.ndarray, reach_px: float) -> np.ndarray:
    """(h, w) uint8 0/1 of that `shape`: within `reach_px` (a pixel at least) of the mouth's outer corners."""
    around = np.zeros(shape, np.uint8)
    for corner in LIPS.corners:
        centre = tuple(int(value) for value in points[corner].round())
        cv2.circle(around, centre, max(1, round(reach_px)), 1, -1)
    return around


def _middle_darkest(points: np.ndarray, regions: _MouthRegions) -> float:
    """The luminance of the darkest of a shut mouth's lips (MIDDLE_DARKEST percentile) over the middle third of
    the way from one outer corner to the other, outside its opening: its own line where it is darkest."""
    right, left = points[list(LIPS.corners), :2]
    rows, columns = np.mgrid[:regions.luminance.shape[0], :regions.luminance.shape[1]]
    # 0 at one corner, 1 at the other: each pixel projected onto the line between them (regions.width long)
    along = ((columns - right[0]) * (left - right)[0] + (rows - right[1]) * (left - right)[1]) / regions.width**2
    middle = regions.shown_lips & (along > 1 / 3) & (along < 2 / 3)
    if not middle.any():
        return float("inf")
    return float(np.percentile(regions.luminance[middle], MIDDLE_DARKEST))


def filled(crop: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(h, w, 3) float32 the crop with `mask` ((h, w) uint8 0/1) filled from around it; the caller adds
    the portrait's grain where the fill smoothed it away."""
    return cv2.inpaint(crop, mask, FILL_RADIUS_PX, cv2.INPAINT_TELEA).astype(np.float32)


def sealed_lips(crop: np.ndarray, points: np.ndarray, shut: bool, edge_px: float) -> tuple[np.ndarray, np.ndarray]:
    """((h, w, 3) float32 the crop with its cavity (`cavity_mask`, which takes these arguments) filled from
    around it, (h, w) float32 the mask): the caller adds the portrait's grain where the fill smoothed it away."""
    mask = cavity_mask(crop, points, shut, edge_px)
    return filled(crop, mask), mask.astype(np.float32)


@dataclass(frozen=True)
class _MouthRegions:
    """A crop's lips (the convex hull of their outer contour), its opening between the inner lips, both
    (h, w) uint8 0/1, the lips outside the opening, the crop's luminance and its pixels darker than
    CAVITY_DARKNESS of the lips' median, and the mouth's width."""

    lips: np.ndarray
    opening: np.ndarray
    shown_lips: np.ndarray  # (h, w) bool
    luminance: np.ndarray  # (h, w) uint8
    dark: np.ndarray  # (h, w) bool
    width: float

    @classmethod
    def of(cls, crop: np.ndarray, points: np.ndarray) -> _MouthRegions | None:
        """None where no lip pixel lies outside the opening (nothing to measure darkness against)."""
        lips, opening = np.zeros(crop.shape[:2], np.uint8), _opening(crop.shape[:2], points)
        outer = np.concatenate([points[list(LIPS.outer_upper)], points[list(LIPS.outer_lower)][::-1]])
        cv2.fillPoly(lips, [cv2.convexHull(outer.round().astype(np.int32))], 1)
        luminance = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
        shown_lips = (lips > 0) & (opening == 0)
        if not shown_lips.any():
            return None
        right, left = LIPS.corners
        return cls(lips, opening, shown_lips, luminance,
                   luminance < CAVITY_DARKNESS * float(np.median(luminance[shown_lips])),
                   float(np.linalg.norm(points[left] - points[right])))


def _opening(shape: tuple[int, int], points: np.ndarray) -> np.ndarray:
    """(h, w) uint8 0/1 of that `shape`: the opening between the inner lips."""
    opening = np.zeros(shape, np.uint8)
    inner = np.concatenate([points[list(LIPS.inner_upper)], points[list(LIPS.inner_lower)][::-1]])
    cv2.fillPoly(opening, [inner.round().astype(np.int32)], 1)
    return opening


def _joined(dark: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """(h, w) uint8 0/1: the seeds ((h, w) uint8) and the dark pixels ((h, w) bool) joined to them."""
    _, labels = cv2.connectedComponents((dark | (seeds > 0)).astype(np.uint8))
    joined = np.unique(labels[seeds > 0])
    return np.isin(labels, joined[joined > 0]).astype(np.uint8)


def _grown(mask: np.ndarray, mouth_width: float) -> np.ndarray:
    """A shut mouth's mask grown by LINE_GROWTH: its paler edges are line too."""
    return cv2.dilate(mask, _disc(max(1, round(LINE_GROWTH * mouth_width))))


def _grown_by_edge(mask: np.ndarray, edge_px: float) -> np.ndarray:
    """An open mouth's mask grown by its soft edge's width: a disc of that reach, or at a pixel's
    reach the 3x3 square (every neighbour)."""
    reach = round(edge_px)
    return cv2.dilate(mask, np.ones((3, 3), np.uint8) if reach <= 1 else _disc(reach))


def _disc(reach: int) -> np.ndarray:
    """A dilation's structuring element: the disc `reach` pixels every way from its centre."""
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))


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
