"""MouthPalette: what a synthesised mouth interior borrows from the portrait, measured once per avatar.

A mouth drawn in colours of our choosing looks pasted on: grey-teal teeth in a warm photo, a glowing
white bar in a pencil drawing. So every colour comes from the portrait itself — the teeth from the
whites of its eyes (the nearest thing to tooth enamel it shows, lit like the face), the inside of
the mouth from its lip colour darkened, the light level from its brightest skin — and so does its
texture: the fine detail of a patch of cheek (skin pores, film grain, paper tooth, brush marks),
which the interior carries too, so it is as sharp and as grainy as the picture around it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.ndimage import gaussian_filter, uniform_filter

from runtime.render.landmark_groups import LEFT_EYE, LIPS, RIGHT_EYE, EyeGroup
from runtime.render.portrait_style import (
    TONE_BIN,
    TONE_SIGMA_PX,
    PortraitKind,
    PortraitStyle,
    portrait_style,
    texture_region,
)

# Lit enamel relative to the face's light, when no eye white is seen: the hue of the astronaut's own
# teeth (the brighter quarter of what shows between her lips), at the brightness this always had.
IVORY = np.array([0.935, 0.884, 0.842])
# How colourful skin is in a photo of ordinary colour: the norm of its median colour's deviation from
# grey, relative to its mean (the astronaut's, whose own teeth have IVORY's hue). A print whose colours
# are saturated (an old studio portrait) saturates its teeth as it does its skin.
ORDINARY_SKIN_CHROMA = 0.25
MOST_SKIN_CHROMA = 3.0  # times the ordinary: no print is saturated beyond this
ENAMEL_TINT = np.array([1.0, 0.97, 0.9])  # enamel is a little warmer than the whites of the eyes
FLESH_TINT = np.array([1.0, 0.55, 0.55])  # the inside of a mouth is redder than its lips, per RGB channel
TONGUE_TINT = np.array([1.0, 0.7, 0.7])
GUM_TINT = np.array([1.0, 0.72, 0.74])
# The lips' wet inner surfaces are mucosa, darker and redder than the lips' outside: shaded lip colour
# alone read as a grey-brown line along a parted mouth's edges.
INNER_LIP_TINT = np.array([1.0, 0.8, 0.82])
INNER_LIP_SHADE = 0.7
GRAIN_SIGMA_PX = 1.5  # detail finer than this (pixels at output scale) is the picture's grain
MIN_SCLERA_PIXELS = 6
LIMBAL_RING = 1.15  # iris radii: the iris's dark limbal ring reaches this far; the white of the eye lies beyond
DARK_EYES = 0.45  # eye whites darker than this share of the face's light are no whites
GRAIN_TILE_PX = 96  # the synthesised grain's period
GRAIN_SEED = 11  # its phases: fixed, so an avatar renders the same every time
GRAIN_CLIP = 2.5  # the grain pattern clipped at this many σ: a patch crossing an ink line is no grain


@dataclass(frozen=True, eq=False)
class MouthPalette:
    """0..255 RGB colours of the synthesised interior, and the portrait's fine texture."""

    inner_lip: np.ndarray  # (3,) the lips' wet inner surfaces, where they roll into the mouth
    cavity_edge: np.ndarray  # (3,) just inside the lips
    cavity_deep: np.ndarray  # (3,) the back of the mouth
    tongue: np.ndarray  # (3,) the lit front of the tongue
    teeth: np.ndarray  # (3,) lit front teeth
    gum: np.ndarray  # (3,)
    shade_tint: np.ndarray  # (3,) mean 1: the hue of the light bounced inside the mouth (its lips'), for shaded teeth
    grain: np.ndarray  # (h, w) float32 the pattern of a cheek patch's fine detail, zero mean and unit σ
    style: PortraitStyle  # how much texture each tone carries, lines, flat colour


def mouth_palette(image: np.ndarray, landmarks: np.ndarray, kind: PortraitKind | None = None) -> MouthPalette:
    """`kind`: what kind of picture the portrait is, measured in another framing (PortraitKind), or None."""
    landmarks = np.asarray(landmarks, dtype=np.float64)
    lip = _lip_colour(image, landmarks)  # the lips' median colour: the interior's colours are made from it
    face = _face_pixels(image, landmarks).astype(np.float64)  # (N, 3)
    light = np.percentile(face.mean(axis=1), 95)
    colourful = min(1.0, _saturation(face) / 0.25)  # a grey drawing gets a grey mouth
    style = portrait_style(image, landmarks, kind)
    teeth = _teeth_colour(image, landmarks, light, face)
    # A drawn or outlined portrait's teeth are its paper or its lightest paint, the whites of its eyes
    # notwithstanding (a drawing's are shaded grey, behind glasses greyer still).
    teeth = np.clip(teeth * (1.0 + (max(1.0, light / max(float(teeth.mean()), 1.0)) - 1.0) * style.outline), 0, 255)
    # A drawing's mouth is drawn in its own paper and ink, however warm its paper: tinted towards a
    # photo's pinks, a pencil drawing's tongue was a mauve mound in its cream and grey.
    colourful *= 1.0 - style.drawn
    flesh = _tinted(FLESH_TINT, colourful)
    return MouthPalette(
        inner_lip=INNER_LIP_SHADE * lip * _tinted(INNER_LIP_TINT, colourful),
        cavity_edge=0.45 * lip * flesh, cavity_deep=0.08 * lip * flesh,
        tongue=0.9 * lip * _tinted(TONGUE_TINT, colourful), teeth=_desaturated(teeth, colourful),
        gum=0.8 * lip * _tinted(GUM_TINT, colourful), shade_tint=_tinted(lip / max(float(lip.mean()), 1.0), colourful),
        grain=_grain_pattern(image, landmarks, style), style=style)


def _tinted(tint: np.ndarray, colourful: float) -> np.ndarray:
    return 1.0 + (tint - 1.0) * colourful


def _desaturated(colour: np.ndarray, colourful: float) -> np.ndarray:
    return colour.mean() + (colour - colour.mean()) * colourful


def _saturation(pixels: np.ndarray) -> float:
    brightest = pixels.max(axis=1)
    return float(np.mean((brightest - pixels.min(axis=1)) / np.maximum(brightest, 1.0)))


def _lip_colour(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    lips = landmarks[list(LIPS.outer_upper + LIPS.outer_lower), :2].round().astype(int)
    lips = lips.clip(0, [width - 1, height - 1])
    return np.median(image[lips[:, 1], lips[:, 0]].astype(np.float64), axis=0)


def _face_pixels(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    points = landmarks[:, :2]
    (left, top), (right, bottom) = points.min(axis=0).astype(int), points.max(axis=0).astype(int)
    height, width = image.shape[:2]
    crop = image[max(top, 0):min(bottom, height), max(left, 0):min(right, width)]
    return crop.reshape(-1, 3) if crop.size else image.reshape(-1, 3)


def _teeth_colour(image: np.ndarray, landmarks: np.ndarray, light: float, face: np.ndarray) -> np.ndarray:
    """Enamel: the whites of the eyes, warmed a little; ivory at the face's light when none show."""
    sclera = np.concatenate([_sclera_pixels(image, landmarks, eye) for eye in (RIGHT_EYE, LEFT_EYE)])
    if len(sclera) < MIN_SCLERA_PIXELS:
        return _ivory(face, light)
    # The brighter half of what lies between the lids and off the iris: lashes, lid shadow and a
    # misplaced iris edge are darker than the white itself.
    brightness = sclera.mean(axis=1)
    white = np.median(sclera[brightness >= np.median(brightness)], axis=0)
    if white.mean() < DARK_EYES * light:
        return _ivory(face, light)  # eyes painted dark or deep in shadow: no white to borrow
    # Never darker than most of the face's light: a shadowed eye would give grey teeth, and teeth in
    # an open mouth catch the light.
    white = white * max(1.0, 0.8 * light / white.mean())
    return np.clip(white * ENAMEL_TINT, 0.0, 255.0)


def _ivory(face: np.ndarray, light: float) -> np.ndarray:
    """Ivory at the face's light, as colourful as the picture's skin: a fixed ivory in a warm, saturated
    print read blue-grey beside its orange skin. Her own teeth in the astronaut's photo with its colours
    boosted ×1.5 and ×2 turn as much warmer as this predicts (tests/test_render_layers.py)."""
    skin = np.median(face, axis=0)
    chroma = float(np.linalg.norm(skin / max(float(skin.mean()), 1.0) - 1.0))
    return _desaturated(IVORY, min(chroma / ORDINARY_SKIN_CHROMA, MOST_SKIN_CHROMA)) * light


def _sclera_pixels(image: np.ndarray, landmarks: np.ndarray, eye: EyeGroup) -> np.ndarray:
    """(N, 3) pixels between the lids, away from the iris."""
    upper, lower = landmarks[list(eye.upper_lid), :2], landmarks[list(eye.lower_lid), :2]
    iris_centre, iris_radius = landmarks[eye.iris[0], :2], iris_radius_px(landmarks, eye)
    (left, top), (right, bottom) = np.floor(np.minimum(upper.min(0), lower.min(0))).astype(int), \
        np.ceil(np.maximum(upper.max(0), lower.max(0))).astype(int)
    height, width = image.shape[:2]
    left, top, right, bottom = max(left, 0), max(top, 0), min(right, width - 1), min(bottom, height - 1)
    if right <= left or bottom <= top:
        return np.zeros((0, 3))
    ys, xs = np.mgrid[top:bottom + 1, left:right + 1]
    order_upper, order_lower = np.argsort(upper[:, 0]), np.argsort(lower[:, 0])
    upper_y = np.interp(xs, upper[order_upper, 0], upper[order_upper, 1], left=np.inf, right=np.inf)
    lower_y = np.interp(xs, lower[order_lower, 0], lower[order_lower, 1], left=-np.inf, right=-np.inf)
    # A pixel's margin from the lids, and from the iris (its dark limbal ring).
    between = (ys > upper_y + 1.0) & (ys < lower_y - 1.0)
    off_iris = np.hypot(xs - iris_centre[0], ys - iris_centre[1]) > LIMBAL_RING * iris_radius
    return image[ys[between & off_iris], xs[between & off_iris]].astype(np.float64).reshape(-1, 3)


def iris_radius_px(landmarks: np.ndarray, eye: EyeGroup) -> float:
    """The iris's radius in pixels: its ring landmarks' mean distance from its centre."""
    return float(np.linalg.norm(landmarks[list(eye.iris[1:]), :2] - landmarks[eye.iris[0], :2], axis=1).mean())


def grain_at(grain: torch.Tensor, pixels: torch.Tensor) -> torch.Tensor:
    """(B, P) a grain pattern (h, w) tiled over pixel positions (B, P, 2) (x, y)."""
    height, width = grain.shape
    return grain[pixels[..., 1].long() % height, pixels[..., 0].long() % width]


def _grain_pattern(image: np.ndarray, landmarks: np.ndarray, style: PortraitStyle) -> np.ndarray:
    """The cheek's detail as it is, tiled, or for a portrait made of strokes a seamless texture of it:
    at a drawing's dark contrast a tiled patch shows its seams and repeats as a pasted pattern, while
    elsewhere the patch's own lines, kept in place, disturb less than the same energy spread over the
    interior as streaks (FaceLandmarker read a painting's opening jaw far worse: r 0.87 -> 0.49)."""
    if style.drawn >= 0.5:  # the drawing's strokes where they show most: pencil in its darks, ink hatching
        return _seamless(_normalised_detail(_drawn_patch(image, landmarks, style)))
    detail = _grain(image, landmarks)
    return _seamless(detail) if style.strokes >= 0.5 else detail.astype(np.float32)


def _drawn_patch(image: np.ndarray, landmarks: np.ndarray, style: PortraitStyle) -> np.ndarray:
    """(h, w) luminance: the patch around the head (hair, clothes, shading) most of whose tones lie in
    the drawing's most textured tone bin, the size of the cheek patch _grain takes."""
    luminance = texture_region(image, landmarks)
    half = _patch_half(landmarks)
    if min(luminance.shape) <= 2 * half:
        return luminance
    tone = gaussian_filter(luminance, TONE_SIGMA_PX)
    in_bin = (np.abs(tone - style.most_textured_tone) <= TONE_BIN / 2).astype(np.float64)
    share = uniform_filter(in_bin, 2 * half)[half:-half, half:-half]  # windows wholly inside the region
    row, column = np.unravel_index(int(np.argmax(share)), share.shape)
    return luminance[row:row + 2 * half, column:column + 2 * half]


def _patch_half(landmarks: np.ndarray) -> int:
    eye_width = RIGHT_EYE.width(landmarks)
    return max(4, int(0.45 * eye_width))


def _grain(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """(h, w) the pattern of the fine detail of the cheek under the subject's right eye (the image's
    left): zero mean, unit robust σ; its strength at each tone is the PortraitStyle's."""
    eye_centre = landmarks[list(RIGHT_EYE.lower_lid), :2].mean(axis=0)
    corner = landmarks[LIPS.corners[0], :2]
    centre = (eye_centre + corner) / 2
    half = _patch_half(landmarks)
    height, width = image.shape[:2]
    left = int(np.clip(centre[0] - half, 0, max(width - 2 * half, 0)))
    top = int(np.clip(centre[1] - half, 0, max(height - 2 * half, 0)))
    patch = image[top:top + 2 * half, left:left + 2 * half].astype(np.float32).mean(axis=2)
    return _normalised_detail(patch)


def _normalised_detail(patch: np.ndarray) -> np.ndarray:
    """(h, w) a patch's fine detail, zero mean and unit robust σ, clipped."""
    if patch.size == 0:
        return np.zeros((1, 1), np.float32)
    detail = patch - gaussian_filter(patch, GRAIN_SIGMA_PX, mode="reflect")
    spread = max(float(np.median(np.abs(detail - np.median(detail)))) * 1.4826, 1e-3)  # robust σ
    detail = np.clip((detail - np.median(detail)) / spread, -GRAIN_CLIP, GRAIN_CLIP)
    return detail - detail.mean()


def _seamless(detail: np.ndarray) -> np.ndarray:
    """(GRAIN_TILE_PX, GRAIN_TILE_PX) a texture with the patch's spectrum (its grain size, a pencil's
    stroke direction) and random phases: periodic, so tiled over the interior it shows no seams and
    no repeated copies of the patch, which at a drawing's contrast read as a pasted pattern."""
    window = np.outer(np.hanning(detail.shape[0]), np.hanning(detail.shape[1]))
    amplitude = np.abs(np.fft.rfft2(detail * window, s=(GRAIN_TILE_PX, GRAIN_TILE_PX)))
    phase = np.random.default_rng(GRAIN_SEED).uniform(0.0, 2.0 * np.pi, amplitude.shape)
    texture = np.fft.irfft2(amplitude * np.exp(1j * phase), s=(GRAIN_TILE_PX, GRAIN_TILE_PX))
    texture = (texture - texture.mean()) / max(float(texture.std()), 1e-9)
    return np.clip(texture, -GRAIN_CLIP, GRAIN_CLIP).astype(np.float32)
