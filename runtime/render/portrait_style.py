"""PortraitStyle: how the portrait is made — photographed, painted in flat colour, drawn in lines and
strokes — measured once per avatar over its face, so that what the renderer synthesises (the inside
of an opened mouth) is made the same way.

A synthesised mouth drawn like a photo looks pasted onto a drawing: a smooth dark blob in a pencil
sketch, a soft gradient in a flat-colour cartoon. Three measurements, each continuous (no style
names), tell the interior how to look:
- **texture at each tone**: the fine detail (a high-pass) in the face's light and dark areas. A
  photo's skin and shadows are nearly smooth; a pencil drawing builds its shading from strokes, so
  its darks carry many times the texture of its lights. The interior carries the same texture at
  the same tones. A drawing made of strokes (pencil, coloured pencil) is measured tone by tone over
  the head and its surroundings too: graphite and pigment catch on the paper's tooth, so the
  darker the stroke the more paper shows through it (σ ≈ 4 at a pencil's light, ≈ 30 in its darks),
  and an interior shaded smooth at those tones reads as a grey blob pasted onto the drawing.
- **outlines**: the share of the face that is thin dark lines (pixels much darker than their
  neighbourhood). Photos, oil and watercolour show few (0.4–1.1 % in the test set); ink, pencil, a
  cartoon's outlines and cv2.stylization's edges many (2–11 %). Where a portrait draws lines, the
  synthesised teeth get them too, in its ink.
- **flatness**: the share of the face where the picture does not change at all (flat colour). A
  cartoon's is about half its face (0.52 and an ink drawing's 0.35 in the test set; photos and
  paintings 0.01–0.17): its interior is posterised into flat areas.
The thresholds were chosen looking at all eighteen test portraits (tests/portrait_set.py), check set
included: style detection is tuned on the whole set, unlike the rest of the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import torch
from scipy.ndimage import gaussian_filter

from runtime.numerics import hermite_step
from runtime.render.landmark_groups import FACE_OVAL, LEFT_EYE, LIPS, NOSE, RIGHT_EYE, face_oval_points

DETAIL_SIGMA_PX = 1.5  # detail finer than this is texture (strokes, grain, pores)
TONE_SIGMA_PX = 4.0  # the tone a pixel's texture sits in
DARK_SHARE = 0.15  # the face's darkest share of tones (shading, brows, lines)
LINE_CONTRAST = 40.0  # a line pixel: this much (0..255) darker than the median of its neighbourhood
LINE_NEIGHBOURHOOD = 0.042  # face widths: the median a line pixel is compared with (9 px at head framing)
FEATURE_MARGIN = 0.03  # face widths around the eyes, brows, nose and lips left out of the line count
LINE_SHARE = (0.012, 0.035)  # shares of the face in lines over which outlines come in
FLAT_STEP = 1.5  # a flat pixel: its luminance changes less than this per pixel
FLAT_SHARE = (0.2, 0.45)  # shares of the face in flat colour over which the interior becomes flat
STROKES = (3.5, 5.0)  # light-area texture σ (0..255) over which a portrait counts as made of strokes
MAX_DARK_TEXTURE = 3.0  # dark texture at most this many times the light one: a cartoon's ink lines are no texture
TONE_BIN = 32.0  # a drawing's texture is measured in tone bins this wide (0..255)
TONE_REGION = 0.5  # face widths around the face's box where a drawing's texture is measured (hair, clothes)
MIN_BIN_PIXELS = 200  # a tone bin with fewer pixels takes its neighbour's texture
HATCHED = (30.0, 60.0)  # the most textured tone's σ over which a line drawing counts as shading in hatching


def fine_detail(pixels: np.ndarray) -> np.ndarray:
    """(H, W, C) float32 → its detail finer than DETAIL_SIGMA_PX (the picture less its blur, edges repeated),
    the scale at which the style measures texture: the grain the renderer reads from the nearest pixel on
    a portrait made of strokes (warp_renderer._grain_split)."""
    return pixels - cv2.GaussianBlur(pixels, (0, 0), DETAIL_SIGMA_PX, borderType=cv2.BORDER_REPLICATE)


def fine_detail_planes(planes: torch.Tensor) -> torch.Tensor:
    """(1, C, H, W) float → its fine_detail, in the same layout: the grain the renderer's layers read from
    the nearest pixel (the warp's portrait, the lips' crops, the skin under an eye)."""
    pixels = np.ascontiguousarray(planes[0].permute(1, 2, 0).numpy(), dtype=np.float32)
    return torch.from_numpy(fine_detail(pixels)).permute(2, 0, 1)[None]


@dataclass(frozen=True)
class PortraitKind:
    """What kind of picture a portrait is (PortraitStyle's fields of the same names). Its measures read
    pixel-sized detail, and resampling changes that detail: measured on each frame's picture, a pencil
    drawing framed at 1024² read as a photo (a smooth grey mouth with a lit tongue pasted into its
    strokes) and a photo at 256² as made of strokes. So the kind is measured once, in one framing
    (frame_renderer.STYLE_FRAMING), and carried to every other."""

    strokes: float
    outline: float
    flat: float
    drawn: float


@dataclass(frozen=True, eq=False)
class PortraitStyle:
    light_texture: float  # robust σ (0..255) of the fine detail in the face's lighter half
    dark_texture: float  # the same in its darkest tones
    outline: float  # 0..1: how much the portrait draws its edges as dark lines
    flat: float  # 0..1: how much it paints in flat colour
    strokes: float  # 0..1: how much it is made of strokes everywhere (pencil: its light areas are textured too)
    ink: np.ndarray  # (3,) 0..255: the colour of its lines (its darkest tone where it draws none)
    darkest: np.ndarray  # (3,) 0..255: the face's darkest colour (a drawing's deepest shading is not black)
    light: float  # 0..255: the face's light (the 95th percentile of its luminance)
    # (K,) σ of the fine detail at tones (k + 0.5) · TONE_BIN, measured around the head; how much it
    # counts (texture_at): as far as the portrait is drawn (a drawing that shades in strokes or hatching,
    # × outline) or made of strokes (a coloured pencil drawing without outlines shows its paper more in
    # its darks; on a smooth ramp from its light its open mouth was a hole fainter than its paper); 0
    # for photos and most paintings
    tone_texture: np.ndarray = field(default_factory=lambda: np.zeros(int(256 / TONE_BIN)))
    drawn: float = 0.0

    @property
    def kind(self) -> PortraitKind:
        return PortraitKind(self.strokes, self.outline, self.flat, self.drawn)

    @property
    def inked(self) -> float:
        """0..1: how far it inks its edges in lines over a picture that is neither drawn nor flat colour (a
        stylised photo): its lines there are ink laid on, bands of it round the eyes and along a shut mouth."""
        return self.outline * (1.0 - self.drawn) * (1.0 - self.flat)

    @property
    def most_textured_tone(self) -> float:
        """0..255: the tone where the drawing's strokes show most (where to take their pattern from)."""
        return (int(np.argmax(self.tone_texture)) + 0.5) * TONE_BIN

    def texture_at(self, darkness):
        """The texture's σ at a darkness (0 at the face's light, 1 at black); numpy or torch."""
        smooth = self.light_texture + (self.dark_texture - self.light_texture) * darkness
        measured = max(self.drawn, self.strokes)
        if measured <= 0.0:
            return smooth
        return smooth + (self._measured_at(self.light * (1.0 - darkness)) - smooth) * measured

    def texture_at_tone(self, tone):
        """The texture's σ at tones 0..255 (darkness 0 from the face's light up); numpy or torch."""
        return self.texture_at((1.0 - tone / self.light).clip(0.0, 1.0))

    def _measured_at(self, tone):
        """tone_texture read at tones (0..255), piecewise linear between the bins' centres (a sum of
        hat functions); numpy or torch."""
        last = len(self.tone_texture) - 1
        position = (tone / TONE_BIN - 0.5).clip(0.0, float(last))
        if not hasattr(position, "abs"):  # numpy: once per avatar (a lookup table)
            return sum(float(sigma) * np.clip(1.0 - np.abs(position - index), 0.0, None)
                       for index, sigma in enumerate(self.tone_texture))
        # torch, per pixel of every frame: only the two bins around a tone have a non-zero hat there,
        # so gathering those two gives the sum's bits (the other terms add exact zeros).
        below = position.floor().clamp(max=last - 1)
        index = below.long().clamp(0, last - 1)
        sigma = position.new_tensor(self.tone_texture)
        return (sigma.take(index) * (1.0 - (position - below).abs()).clip(min=0.0)
                + sigma.take(index + 1) * (1.0 - (position - (below + 1.0)).abs()).clip(min=0.0))


def portrait_style(image: np.ndarray, landmarks: np.ndarray, kind: PortraitKind | None = None,
                   least_outline: float = 0.0) -> PortraitStyle:
    """image (H, W, 3) uint8, landmarks (478, 2+) in its pixels; `kind`: what kind of picture it is,
    measured in another framing of it (PortraitKind), or None to measure that here too, with at least
    `least_outline` of outlines (seen in another copy: `outline_share`). The textures' strengths are
    always this picture's own: they are what the renderer's grain must match."""
    face, crop, origin = face_crop(image, landmarks)
    if face.sum() < 64:  # too small a face to measure: a photo's textures, and its kind unless one is given
        kind = PortraitKind(0.0, 0.0, 0.0, 0.0) if kind is None else kind
        return PortraitStyle(2.0, 4.0, kind.outline, kind.flat, kind.strokes, np.zeros(3), np.zeros(3), 255.0,
                             drawn=kind.drawn)
    rgb = crop.astype(np.float64)
    luminance = rgb.mean(axis=2)
    detail = luminance - gaussian_filter(luminance, DETAIL_SIGMA_PX)
    tone = gaussian_filter(luminance, TONE_SIGMA_PX)
    dark = face & (tone <= np.percentile(tone[face], 100 * DARK_SHARE))
    light = face & (tone >= np.median(tone[face]))
    light_texture = max(robust_sigma(detail[light]), 0.5)
    dark_texture = min(max(robust_sigma(detail[dark]), light_texture), MAX_DARK_TEXTURE * light_texture)
    # Only a picture made of strokes everywhere (pencil: its light areas are textured too) shades its
    # darks with strokes; a painting's or a stylised photo's darks are edges, not texture.
    strokes = float(hermite_step(*STROKES, np.array(light_texture))) if kind is None else kind.strokes
    dark_texture = light_texture + (dark_texture - light_texture) * strokes
    drawn, outline = _lines(face, crop, origin, landmarks)
    outline = max(outline, least_outline)
    rows, columns = np.gradient(luminance)
    flat_share = float((np.hypot(rows, columns)[face] < FLAT_STEP).mean())
    darkest = np.percentile(rgb[face], 1, axis=0)
    # An ink drawing's light areas are bare paper (no strokes there) and it shades in hatching: its
    # mid tones carry the most texture of any portrait (σ 85 against a pencil's 27).
    tone_texture = _texture_by_tone(image, landmarks)
    ink = np.median(rgb[drawn], axis=0) if drawn.sum() >= 16 else darkest
    if kind is None:
        kind = PortraitKind(strokes, outline, float(hermite_step(*FLAT_SHARE, np.array(flat_share))),
                            max(strokes, float(hermite_step(*HATCHED, np.array(tone_texture.max())))) * outline)
    return PortraitStyle(
        light_texture=light_texture, dark_texture=dark_texture, outline=kind.outline, flat=kind.flat,
        strokes=kind.strokes, ink=ink, darkest=darkest, light=float(np.percentile(luminance[face], 95)),
        tone_texture=tone_texture, drawn=kind.drawn)


def outline_share(image: np.ndarray, landmarks: np.ndarray) -> float:
    """0..1 how much the picture draws its edges as dark lines (PortraitStyle.outline), alone."""
    face, crop, origin = face_crop(image, landmarks)
    return _lines(face, crop, origin, landmarks)[1] if face.sum() >= 64 else 0.0


def _lines(face: np.ndarray, crop: np.ndarray, origin: np.ndarray, landmarks: np.ndarray) -> tuple[np.ndarray, float]:
    """((h, w) bool the face crop's line pixels, features included, 0..1 its outline measure): the
    pixels much darker than their neighbourhood, and how much of the skin away from the features
    they cover (`face_crop`'s mask, crop and origin)."""
    luminance = crop.astype(np.float64).mean(axis=2)
    face_width = float(np.ptp(np.asarray(landmarks, dtype=np.float64)[list(FACE_OVAL), 0]))
    size = max(3, int(round(LINE_NEIGHBOURHOOD * face_width)) | 1)
    neighbourhood = cv2.medianBlur(crop, size).astype(np.float64).mean(axis=2)
    skin = face & ~_features(crop.shape[:2], landmarks, face_width, origin)
    drawn = face & (neighbourhood - luminance > LINE_CONTRAST)  # the features' lines show the ink best
    lines = drawn & skin
    return drawn, float(hermite_step(*LINE_SHARE, np.array(lines[skin].mean() if skin.any() else 0.0)))


def texture_region(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """(h, w) float luminance of the face's box grown by TONE_REGION face widths."""
    points = np.asarray(landmarks, dtype=np.float64)[:, :2]
    face_width = float(np.ptp(points[list(FACE_OVAL), 0]))
    height, width = image.shape[:2]
    grow = TONE_REGION * face_width
    left, top = np.floor(points.min(axis=0) - grow).astype(int).clip(0, [width - 1, height - 1])
    right, bottom = np.ceil(points.max(axis=0) + grow).astype(int).clip(0, [width - 1, height - 1]) + 1
    return image[top:bottom, left:right].astype(np.float64).mean(axis=2)


def _texture_by_tone(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """(K,) robust σ of the fine detail in each tone bin, over the face's box grown by TONE_REGION face
    widths (the face alone has few dark tones; hair and clothes are drawn with the same strokes)."""
    luminance = texture_region(image, landmarks)
    detail = luminance - gaussian_filter(luminance, DETAIL_SIGMA_PX)
    tone = gaussian_filter(luminance, TONE_SIGMA_PX)
    bins = np.clip((tone / TONE_BIN).astype(int), 0, int(256 / TONE_BIN) - 1)
    table = np.full(int(256 / TONE_BIN), np.nan)
    for index in range(len(table)):
        chosen = detail[bins == index]
        if chosen.size >= MIN_BIN_PIXELS:
            table[index] = robust_sigma(chosen)
    if np.isnan(table).all():
        return np.zeros_like(table)
    known = np.flatnonzero(~np.isnan(table))
    return np.interp(np.arange(len(table)), known, table[known])  # ends held at the nearest measured bin


def _features(shape: tuple[int, int], landmarks: np.ndarray, face_width: float, origin: np.ndarray) -> np.ndarray:
    """(h, w) bool over the eyes with their brows, the nose and the lips, grown a little: lines in
    every picture, photos included (at a small face size a photo's lids and lip line are thin dark
    lines), so they tell nothing of how the portrait is made."""
    points = np.asarray(landmarks, dtype=np.float64)[:, :2] - origin
    drawn = np.zeros(shape, np.uint8)
    for group in (RIGHT_EYE.upper_lid + RIGHT_EYE.lower_lid + RIGHT_EYE.brow,
                  LEFT_EYE.upper_lid + LEFT_EYE.lower_lid + LEFT_EYE.brow, NOSE, LIPS.outer_upper + LIPS.outer_lower):
        cv2.fillConvexPoly(drawn, cv2.convexHull(np.round(points[list(group)]).astype(np.int32)), 1)
    grow = max(1, int(round(FEATURE_MARGIN * face_width)))
    return cv2.dilate(drawn, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8)) > 0


def face_crop(image: np.ndarray, landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mask, crop, origin): the face oval's bounding box of the image, which of its pixels lie in the
    oval, and the box's top-left corner (x, y)."""
    oval = face_oval_points(landmarks)
    height, width = image.shape[:2]
    left, top = np.floor(oval.min(axis=0)).astype(int).clip(0, [width - 1, height - 1])
    right, bottom = np.ceil(oval.max(axis=0)).astype(int).clip(0, [width - 1, height - 1]) + 1
    crop = np.ascontiguousarray(image[top:bottom, left:right])
    mask = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(oval - [left, top]).astype(np.int32)), 1)
    return mask > 0, crop, np.array([left, top], dtype=np.float64)


def robust_sigma(values: np.ndarray) -> float:
    """The σ of `values` robust to a few strong outliers (edges, lines): 1.4826 times their median absolute
    deviation; 0 for none."""
    return float(1.4826 * np.median(np.abs(values - np.median(values)))) if values.size else 0.0
