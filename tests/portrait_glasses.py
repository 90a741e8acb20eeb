"""Glasses drawn onto a face from its landmarks: two lenses (superellipses aligned with the eyes,
the upper rim between the lid and the brow), a bridge over the nose and temples towards the ears.

Everything is rasterised 4× larger with antialiasing and reduced by area, so edges are soft and the
rim's alpha is also the ground-truth mask the fidelity harness measures rigidity with.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import cv2
import numpy as np

from runtime.render.landmark_groups import LEFT_EYE, RIGHT_EYE, EyeGroup

SUPERSAMPLE = 4
NOSE_BRIDGE, RIGHT_EAR, LEFT_EAR = 168, 127, 356  # MediaPipe mesh: between the eyes, by each ear
RIM_TOP_BETWEEN_LID_AND_BROW = 0.65  # 0: at the lid's top, 1: at the brow's lower edge
LENS_OUTWARDS, LENS_INWARDS = 0.28, 0.14  # lens edges beyond the eye corners, in eye widths
LENS_DEPTH_BELOW = 1.75  # the lens reaches this much further below the eye's centre than above it


class GlassesKind(enum.StrEnum):
    THIN_METAL = "thin metal"
    ACETATE = "thick acetate"
    TINTED = "tinted"


@dataclass(frozen=True)
class Glasses:
    kind: GlassesKind
    colour: tuple[int, int, int]  # RGB of the frame
    tint: tuple[int, int, int] = (0, 0, 0)  # RGB of the lenses (TINTED only)


@dataclass(frozen=True)
class _Drawing:
    """The glasses' layers at picture size: rim alpha, the rim's lit upper edge, lens alpha."""

    rim: np.ndarray  # (H, W) float 0..1
    highlight: np.ndarray  # (H, W) float 0..1
    lenses: np.ndarray  # (H, W) float 0..1


def put_on_glasses(rgb: np.ndarray, landmarks: np.ndarray, glasses: Glasses) -> tuple[np.ndarray, np.ndarray]:
    """(picture with glasses, (H, W) float32 rim mask in 0..1)."""
    eye_span = float(np.linalg.norm(landmarks[LEFT_EYE.outer_corner, :2] - landmarks[RIGHT_EYE.outer_corner, :2]))
    thickness = {GlassesKind.THIN_METAL: max(1.2, 0.014 * eye_span), GlassesKind.ACETATE: max(5.0, 0.075 * eye_span),
                 GlassesKind.TINTED: max(2.0, 0.03 * eye_span)}[glasses.kind]
    drawing = _draw(rgb.shape[:2], landmarks, thickness)
    image = rgb.astype(np.float32)
    image = _composite(image, _shadow(drawing.rim, thickness), np.zeros(3), 0.25)
    if glasses.kind is GlassesKind.TINTED:
        image = _composite(image, drawing.lenses * _top_darker(drawing.lenses), np.array(glasses.tint), 0.55)
    frame = np.array(glasses.colour, dtype=np.float32)
    image = _composite(image, drawing.rim, frame, 1.0)
    metal = glasses.kind is GlassesKind.THIN_METAL
    light = frame + (255.0 - frame) * (0.75 if metal else 0.35)
    image = _composite(image, drawing.highlight, light, 0.8 if metal else 0.45)
    return image.round().clip(0, 255).astype(np.uint8), drawing.rim.astype(np.float32)


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


def _draw(shape: tuple[int, int], landmarks: np.ndarray, thickness: float) -> _Drawing:
    big = (shape[0] * SUPERSAMPLE, shape[1] * SUPERSAMPLE)
    rim, highlight, lenses = (np.zeros(big, np.uint8) for _ in range(3))
    outlines = [_lens_outline(landmarks, eye) for eye in (RIGHT_EYE, LEFT_EYE)]
    width = max(1, round(thickness * SUPERSAMPLE))
    for outline in outlines:
        cv2.fillPoly(lenses, [_fixed(outline)], 255, cv2.LINE_AA, shift=4)
        cv2.polylines(rim, [_fixed(outline)], True, 255, width, cv2.LINE_AA, shift=4)
        upper = outline[outline[:, 1] < outline[:, 1].mean() - 0.15 * np.ptp(outline[:, 1])]
        lit = upper + np.array([0.0, -0.3 * thickness])  # the rim's upper edge catches the light
        cv2.polylines(highlight, [_fixed(lit)], False, 255, max(1, width // 4), cv2.LINE_AA, shift=4)
    for piece in (_bridge(landmarks, outlines), *_temples(landmarks, outlines)):
        cv2.polylines(rim, [_fixed(piece)], False, 255, width, cv2.LINE_AA, shift=4)
    rim_alpha = _reduced(rim, shape)
    return _Drawing(rim_alpha, _reduced(highlight, shape) * rim_alpha, _reduced(lenses, shape))


def _reduced(layer: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The supersampled canvas averaged back to picture pixels: antialiased alpha in 0..1."""
    return cv2.resize(layer, shape[::-1], interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


def _fixed(points: np.ndarray) -> np.ndarray:
    """Picture pixels → the supersampled canvas in cv2's 4-bit fixed point (pixel centres kept)."""
    scaled = ((points + 0.5) * SUPERSAMPLE - 0.5) * 16
    return scaled.round().astype(np.int32).reshape(-1, 1, 2)


def _lens_outline(landmarks: np.ndarray, eye: EyeGroup, count: int = 96) -> np.ndarray:
    """(count, 2) a superellipse in the eye's own axes (along the eye, and down the face)."""
    outer, inner = landmarks[eye.outer_corner, :2], landmarks[eye.inner_corner, :2]
    along = (inner - outer) / np.linalg.norm(inner - outer)
    down = np.array([-along[1], along[0]])
    down = down if down[1] > 0 else -down
    eye_width = float(np.linalg.norm(inner - outer))
    centre = (outer + inner) / 2
    lid_top = min(float((landmarks[i, :2] - centre) @ down) for i in eye.upper_lid)
    brow_low = float(np.median([(landmarks[i, :2] - centre) @ down for i in eye.brow[: len(eye.brow) // 2]]))
    top = lid_top + RIM_TOP_BETWEEN_LID_AND_BROW * (brow_low - lid_top)
    bottom = -LENS_DEPTH_BELOW * top
    start, end = -0.5 - LENS_OUTWARDS, 0.5 + LENS_INWARDS  # along the eye, outer → inner, in eye widths
    middle_along, half_along = (start + end) / 2 * eye_width, (end - start) / 2 * eye_width
    middle_down, half_down = (top + bottom) / 2, (bottom - top) / 2
    angle = np.linspace(0.0, 2 * np.pi, count, endpoint=False)
    exponent = 2.0 / 2.8  # superellipse: between an ellipse (2) and a rectangle (∞)
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
