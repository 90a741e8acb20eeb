"""Glasses drawn onto a face from its landmarks: two lenses (superellipses aligned with the eyes,
the upper rim between the lid and the brow), a bridge over the nose and temples towards the ears.
Browline frames (two-tone, as Grace Hopper's cat-eyes) have a bar along each lens's top, dark over its
outer part and fading to a pale colour towards the nose, flaring up at the outer corner; thin rims of
that pale colour below it and a pale bridge, nearly the skin's colour. Half-rim frames (as Christophe
Henner's, in the check set) have a metal rim along each lens's upper half only, and below it nothing but
the clear lens's edge, catching the light as a faint pale line.

Everything is rasterised 4× larger with antialiasing and reduced by area, so edges are soft and the
rim's alpha is also the ground-truth mask the fidelity harness measures rigidity with.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import cv2
import numpy as np

from runtime.render.landmark_groups import LEFT_EYE, RIGHT_EYE, EyeGroup
from tests.portrait_canvas import SHIFT, SUPERSAMPLE, canvas, fixed, reduced

NOSE_BRIDGE, RIGHT_EAR, LEFT_EAR = 168, 127, 356  # MediaPipe mesh: between the eyes, by each ear
RIM_TOP_BETWEEN_LID_AND_BROW = 0.65  # 0: at the lid's top, 1: at the brow's lower edge
LENS_OUTWARDS, LENS_INWARDS = 0.28, 0.14  # lens edges beyond the eye corners, in eye widths
LENS_SQUARENESS = 2.8  # the lenses' superellipse exponent, between an ellipse (2) and a rectangle (∞)
LENS_DEPTH_BELOW = 1.75  # the lens reaches this much further below the eye's centre than above it
BROWLINE_LENS = (0.95, 1.7)  # cat-eye lenses: their top rim close under the brows, and reaching further down
BROWLINE_BAR = (0.05, 0.11)  # eye spans: a browline bar's height at the lens's inner end and at its outer one
BROWLINE_FLARE = 0.5  # of the bar's outer height: how far its outer corner sweeps up past the rim (cat-eye)
BROWLINE_DARK_UNTIL, BROWLINE_FADE = 0.4, 0.3  # lens widths from its outer end: dark, then fading to pale
BROWLINE_LOWER_RIM = 0.016  # eye spans: the pale rims' width
BROWLINE_LOWER_OPACITY = 0.85
HALF_RIM_WIDTH = 0.028  # eye spans: a half-rim frame's metal rim
HALF_RIM_DOWN_TO = 0.1  # of the lens's height below its middle: how far down its sides the metal runs
HALF_RIM_BRIDGE = 0.6  # of the rim's width: a half-rim's bridge, a thin bar over the nose
HALF_RIM_SIDE_LIGHT = 0.18  # the bare metal this much brighter (and darker) at the picture's one side (other)
LENS_EDGE = (0.012, 0.12)  # a rimless lens's edge: its width in eye spans, its opacity (a pale glint)
LENS_EDGE_COLOUR = np.array([236.0, 238.0, 240.0])


class GlassesKind(enum.StrEnum):
    THIN_METAL = "thin metal"
    ACETATE = "thick acetate"
    TINTED = "tinted"
    BROWLINE = "browline"  # a thick dark bar along the tops (`colour`), thin pale rims below (`lower`)
    HALF_RIM = "half-rim"  # a metal rim along the lenses' upper halves, their clear edges below


@dataclass(frozen=True)
class Glasses:
    kind: GlassesKind
    colour: tuple[int, int, int]  # RGB of the frame
    tint: tuple[int, int, int] = (0, 0, 0)  # RGB of the lenses (TINTED only)
    lower: tuple[int, int, int] = (0, 0, 0)  # RGB of the rims below the top bar (BROWLINE only)
    rim: float = HALF_RIM_WIDTH  # eye spans: the metal rim's width (HALF_RIM only)
    top: float = RIM_TOP_BETWEEN_LID_AND_BROW  # where the lenses' top lies (not BROWLINE: its own)
    outwards: float = LENS_OUTWARDS  # eye widths: how far the lenses reach beyond the eyes' outer corners
    squareness: float = LENS_SQUARENESS  # the lenses' superellipse exponent: 2 an ellipse, higher squarer


@dataclass(frozen=True)
class _Drawing:
    """The glasses' layers at picture size: rim alpha, the rim's lit upper edge, lens alpha."""

    rim: np.ndarray  # (H, W) float 0..1
    highlight: np.ndarray  # (H, W) float 0..1
    lenses: np.ndarray  # (H, W) float 0..1
    bar: np.ndarray  # (H, W) float 0..1: a browline frame's top bars (zeros for the other kinds)
    dark: np.ndarray  # (H, W) float 0..1: how much of the bars' dark colour (the rest is their pale one)
    lens_edges: np.ndarray  # (H, W) float 0..1: a half-rim frame's rimless lens edges (zeros for the others)


def put_on_glasses(rgb: np.ndarray, landmarks: np.ndarray, glasses: Glasses) -> tuple[np.ndarray, np.ndarray]:
    """(picture with glasses, (H, W) float32 frame mask in 0..1)."""
    eye_span = float(np.linalg.norm(landmarks[LEFT_EYE.outer_corner, :2] - landmarks[RIGHT_EYE.outer_corner, :2]))
    thickness = {GlassesKind.THIN_METAL: max(1.2, 0.014 * eye_span), GlassesKind.ACETATE: max(5.0, 0.075 * eye_span),
                 GlassesKind.TINTED: max(2.0, 0.03 * eye_span),
                 GlassesKind.BROWLINE: max(1.5, BROWLINE_LOWER_RIM * eye_span),
                 GlassesKind.HALF_RIM: max(2.0, glasses.rim * eye_span)}[glasses.kind]
    browline = glasses.kind is GlassesKind.BROWLINE
    bar_px = tuple(share * eye_span for share in BROWLINE_BAR) if browline else ()
    half_rim = glasses.kind is GlassesKind.HALF_RIM
    drawing = _draw(rgb.shape[:2], landmarks, thickness, glasses.top, bar_px,
                    LENS_EDGE[0] * eye_span if half_rim else 0.0, (glasses.outwards, glasses.squareness))
    image = rgb.astype(np.float32)
    if half_rim:  # the clear lenses' lower edges: light caught along them, not frame
        image = _composite(image, drawing.lens_edges, LENS_EDGE_COLOUR, LENS_EDGE[1])
    frame_alpha = np.maximum(drawing.rim, drawing.bar)
    image = _composite(image, _shadow(frame_alpha, thickness), np.zeros(3), 0.25)
    if glasses.kind is GlassesKind.TINTED:
        image = _composite(image, drawing.lenses * _top_darker(drawing.lenses), np.array(glasses.tint), 0.55)
    frame = np.array(glasses.colour, dtype=np.float32)
    if browline:
        # Pale translucent rims (amber, clear): they show the skin through them, so they barely stand out.
        pale = np.array(glasses.lower, dtype=np.float32)
        image = _composite(image, drawing.rim, pale, BROWLINE_LOWER_OPACITY)
        image = _composite(image, drawing.bar, pale, 0.9)
        image = _composite(image, drawing.bar * drawing.dark, frame, 1.0)
        lit = drawing.highlight * drawing.bar * drawing.dark
    elif half_rim:  # bare metal, lit from one side: brighter towards one end, its two bars unlike
        shade = 1.0 + HALF_RIM_SIDE_LIGHT * np.linspace(-1.0, 1.0, rgb.shape[1], dtype=np.float32)[None, :, None]
        image = _composite(image, drawing.rim, np.clip(frame * shade, 0, 255), 1.0)
        lit = drawing.highlight
    else:
        image = _composite(image, drawing.rim, frame, 1.0)
        lit = drawing.highlight
    metal = glasses.kind is GlassesKind.THIN_METAL
    light = frame + (255.0 - frame) * (0.75 if metal else 0.35)
    image = _composite(image, lit, light, 0.8 if metal else 0.45)
    return image.round().clip(0, 255).astype(np.uint8), frame_alpha.astype(np.float32)


def _composite(image: np.ndarray, alpha: np.ndarray, colour: np.ndarray, opacity: float) -> np.ndarray:
    weight = (opacity * alpha)[..., None]
    return image * (1.0 - weight) + colour * weight


def _shadow(rim: np.ndarray, thickness: float) -> np.ndarray:
    """A soft shadow the frame casts on the skin, lit from above."""
    offset = max(1, round(0.8 * thickness))
    shifted = np.zeros_like(rim)
    shifted[offset:] = rim[:-offset]
    return cv2.GaussianBlur(shifted, (0, 0), 0.8 * thickness + 0.8)


def _top_darker(lenses: np.ndarray) -> np.ndarray:
    """Gradient tint: darkest at the lenses' top, lighter towards their bottom."""
    rows = np.nonzero(lenses.max(axis=1) > 0.5)[0]
    if len(rows) == 0:
        return np.ones_like(lenses)
    position = (np.arange(lenses.shape[0]) - rows[0]) / max(rows[-1] - rows[0], 1)
    return np.clip(1.0 - 0.55 * position, 0.35, 1.0)[:, None] * np.ones_like(lenses)


def _draw(shape: tuple[int, int], landmarks: np.ndarray, thickness: float, top: float,
          bar_px: tuple[float, ...] = (), lens_edge_px: float = 0.0,
          lens: tuple[float, float] = (LENS_OUTWARDS, LENS_SQUARENESS)) -> _Drawing:
    """The glasses' layers; `top`: where the lenses' top lies between the lid and the brow; `bar_px`
    (inner, outer) heights of a browline bar along the lenses' tops (its lenses' own shape);
    `lens_edge_px` > 0: a half-rim frame, its rims along the lenses' upper halves, their edges below;
    `lens`: how far the lenses reach past the eyes' outer corners (eye widths), how square they are."""
    rim, highlight, lenses, bar, edges = (canvas(shape) for _ in range(5))
    top, depth = BROWLINE_LENS if bar_px else (top, LENS_DEPTH_BELOW)
    outlines = [_lens_outline(landmarks, eye, top, depth, *lens) for eye in (RIGHT_EYE, LEFT_EYE)]
    width = max(1, round(thickness * SUPERSAMPLE))
    lit_width = width if not bar_px else max(1, round(min(bar_px) * SUPERSAMPLE))
    for outline, eye in zip(outlines, (RIGHT_EYE, LEFT_EYE), strict=True):
        cv2.fillPoly(lenses, [fixed(outline)], 255, cv2.LINE_AA, shift=SHIFT)
        if lens_edge_px > 0.0:
            metal, edge = _upper_arc(outline, eye, landmarks)
            cv2.polylines(rim, [fixed(metal)], False, 255, width, cv2.LINE_AA, shift=SHIFT)
            cv2.polylines(edges, [fixed(edge)], False, 255, max(1, round(lens_edge_px * SUPERSAMPLE)), cv2.LINE_AA,
                          shift=SHIFT)
        else:
            cv2.polylines(rim, [fixed(outline)], True, 255, width, cv2.LINE_AA, shift=SHIFT)
        upper = outline[outline[:, 1] < outline[:, 1].mean() - 0.15 * np.ptp(outline[:, 1])]
        if bar_px:
            cv2.fillPoly(bar, [fixed(_bar_outline(outline, landmarks, eye, bar_px))], 255, cv2.LINE_AA, shift=SHIFT)
        lit = upper + np.array([0.0, -0.3 * (min(bar_px) if bar_px else thickness)])  # the upper edge catches light
        cv2.polylines(highlight, [fixed(lit)], False, 255, max(1, lit_width // 4), cv2.LINE_AA, shift=SHIFT)
    if bar_px:
        bridge_width = 2 * width
    elif lens_edge_px > 0.0:
        bridge_width = max(1, round(HALF_RIM_BRIDGE * width))
    else:
        bridge_width = width
    cv2.polylines(rim, [fixed(_bridge(landmarks, outlines))], False, 255, bridge_width,
                  cv2.LINE_AA, shift=SHIFT)
    for temple in _temples(landmarks, outlines):
        cv2.polylines(bar if bar_px else rim, [fixed(temple)], False, 255,
                      max(1, round(min(bar_px) * 0.6 * SUPERSAMPLE)) if bar_px else width, cv2.LINE_AA, shift=SHIFT)
    rim_alpha, bar_alpha = reduced(rim, shape), reduced(bar, shape)
    dark = _dark_towards_outer_corners(shape, landmarks, outlines) if bar_px else np.zeros(shape, np.float32)
    return _Drawing(rim_alpha, reduced(highlight, shape) * np.maximum(rim_alpha, bar_alpha), reduced(lenses, shape),
                    bar_alpha, dark, reduced(edges, shape))


def _eye_axes(landmarks: np.ndarray, eye: EyeGroup) -> tuple[np.ndarray, np.ndarray]:
    """(2,), (2,) unit vectors along the eye (outer → inner corner) and square to it, down the face."""
    outer, inner = landmarks[eye.outer_corner, :2], landmarks[eye.inner_corner, :2]
    along = (inner - outer) / np.linalg.norm(inner - outer)
    down = np.array([-along[1], along[0]])
    return along, down if down[1] > 0 else -down


def _upper_arc(outline: np.ndarray, eye: EyeGroup, landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A lens outline split in two open arcs: the metal's, over its top and down its sides to a little
    below its middle (HALF_RIM_DOWN_TO), and the rimless rest below, each in order along the outline."""
    _, down = _eye_axes(landmarks, eye)
    depth = (outline - outline.mean(axis=0)) @ down
    upper = depth <= HALF_RIM_DOWN_TO * np.ptp(depth)
    start = int(np.flatnonzero(upper & ~np.roll(upper, 1))[0])  # where the metal's arc begins
    rolled, in_metal = np.roll(outline, -start, axis=0), np.roll(upper, -start)
    count = int(in_metal.sum())
    return rolled[:count], np.concatenate([rolled[count - 1:], rolled[:1]])


def _dark_towards_outer_corners(shape: tuple[int, int], landmarks: np.ndarray, outlines: list[np.ndarray]
                                ) -> np.ndarray:
    """(H, W) 0..1: 1 over each lens's outer part and beyond it, fading to 0 towards the nose (measured
    along the eyes' line, in lens widths from the lens's outer end)."""
    across = landmarks[LEFT_EYE.outer_corner, :2] - landmarks[RIGHT_EYE.outer_corner, :2]
    across /= np.linalg.norm(across)
    ys, xs = np.mgrid[0:shape[0], 0:shape[1]]
    pixels = np.stack([xs, ys], axis=-1).astype(np.float64) @ across  # (H, W) position along the eyes' line
    middle = float(landmarks[NOSE_BRIDGE, :2] @ across)
    dark = np.zeros(shape, np.float32)
    for outline, outwards in zip(outlines, (-1.0, 1.0), strict=True):
        along = outline @ across
        outer_end, width = (along.min() if outwards < 0 else along.max()), float(np.ptp(along))
        share = outwards * (outer_end - pixels) / width  # 0 at the outer end, 1 at the inner one
        weight = np.clip((BROWLINE_DARK_UNTIL + BROWLINE_FADE - share) / BROWLINE_FADE, 0.0, 1.0)
        on_side = (pixels - middle) * outwards > 0
        dark = np.where(on_side, weight, dark).astype(np.float32)
    return dark


def _bar_outline(outline: np.ndarray, landmarks: np.ndarray, eye: EyeGroup, bar_px: tuple[float, float]) -> np.ndarray:
    """(N, 2) a browline bar over one lens: from its top rim down into the lens by a height that shrinks
    from the outer corner inwards, the outer end swept up and out past the rim (a cat-eye corner)."""
    along, down = _eye_axes(landmarks, eye)
    up = -down
    relative = outline - outline.mean(axis=0)
    top = outline[relative @ up > 0.1 * np.ptp(relative @ up)]
    position = (top - outline.mean(axis=0)) @ along
    top, position = top[np.argsort(position)], np.sort(position)  # outer → inner
    share = (position - position[0]) / max(position[-1] - position[0], 1e-6)
    height = bar_px[1] + (bar_px[0] - bar_px[1]) * share
    lowered = top - up * height[:, None]
    flare = top[0] + (up - along) * BROWLINE_FLARE * bar_px[1]
    return np.concatenate([flare[None], top, lowered[::-1]])


def _lens_outline(landmarks: np.ndarray, eye: EyeGroup, top_share: float, depth_below: float,
                  outwards: float = LENS_OUTWARDS, squareness: float = LENS_SQUARENESS, count: int = 96) -> np.ndarray:
    """(count, 2) a superellipse in the eye's own axes (along the eye, and down the face)."""
    outer, inner = landmarks[eye.outer_corner, :2], landmarks[eye.inner_corner, :2]
    along, down = _eye_axes(landmarks, eye)
    eye_width = float(np.linalg.norm(inner - outer))
    centre = (outer + inner) / 2
    lid_top = min(float((landmarks[i, :2] - centre) @ down) for i in eye.upper_lid)
    brow_low = float(np.median([(landmarks[i, :2] - centre) @ down for i in eye.brow[: len(eye.brow) // 2]]))
    top = lid_top + top_share * (brow_low - lid_top)
    bottom = -depth_below * top
    start, end = -0.5 - outwards, 0.5 + LENS_INWARDS  # along the eye, outer → inner, in eye widths
    middle_along, half_along = (start + end) / 2 * eye_width, (end - start) / 2 * eye_width
    middle_down, half_down = (top + bottom) / 2, (bottom - top) / 2
    angle = np.linspace(0.0, 2 * np.pi, count, endpoint=False)
    exponent = 2.0 / squareness
    a = middle_along + half_along * np.sign(np.cos(angle)) * np.abs(np.cos(angle)) ** exponent
    d = middle_down + half_down * np.sign(np.sin(angle)) * np.abs(np.sin(angle)) ** exponent
    return centre + a[:, None] * along + d[:, None] * down


def _bridge(landmarks: np.ndarray, outlines: list[np.ndarray]) -> np.ndarray:
    """A curve from one lens's inner rim to the other's, arching over the nose bridge."""
    ends = [_inner_upper_point(outline, landmarks) for outline in outlines]
    control = landmarks[NOSE_BRIDGE, :2] - np.array([0.0, 0.02 * np.linalg.norm(ends[1] - ends[0])])
    t = np.linspace(0, 1, 24)[:, None]
    return (1 - t) ** 2 * ends[0] + 2 * (1 - t) * t * control + t**2 * ends[1]


def _inner_upper_point(outline: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The rim point nearest the nose bridge among the lens's upper half."""
    upper = outline[outline[:, 1] < np.median(outline[:, 1])]
    return upper[np.argmin(np.linalg.norm(upper - landmarks[NOSE_BRIDGE, :2], axis=1))]


def _temples(landmarks: np.ndarray, outlines: list[np.ndarray]) -> list[np.ndarray]:
    """From each lens's outer rim (a third down) back towards the ear on that side."""
    temples = []
    for outline, ear in zip(outlines, (RIGHT_EAR, LEFT_EAR), strict=True):
        ear_point = landmarks[ear, :2]
        upper = outline[outline[:, 1] < np.percentile(outline[:, 1], 40)]
        hinge = upper[np.argmin(np.linalg.norm(upper - ear_point, axis=1))]
        end = np.array([ear_point[0], hinge[1] + 0.15 * abs(ear_point[0] - hinge[0])])
        temples.append(np.stack([hinge, end]))
    return temples
