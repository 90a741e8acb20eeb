"""TeethSprites: the upper and lower rows of teeth as small premultiplied RGBA pictures, drawn once
per avatar in the portrait's own enamel and gum colours and sampled every frame.

Drawn, not computed per frame: shading a row of teeth well — each tooth rounded across its width,
warmer at the gum, translucent at its biting edge, the back teeth turning away into the dark, the
embrasures between rounded corners — costs more than a frame can pay per pixel, and a picture
costs one bilinear lookup.

Coordinates are in mouth widths (corner to corner at rest): x along the mouth from its middle
(towards the image's right), y down the image. The upper row hangs from y = 0, the line of the
upper lip at rest, which is fixed to the skull: the top of its crowns and the gum are above it,
hidden by the lip until the lip is lifted; its biting edges are below it, hidden by the lower lip
until the jaw opens. The lower row stands on its own y = 0, its biting edge, and follows the jaw.
Measurements are an adult's, front view (Wheeler's crown sizes over a ~50 mm mouth, the arch's
turn foreshortening the teeth beside the front four).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import torch
from scipy.ndimage import gaussian_filter
from torch import nn

from runtime.numerics import hermite_step

T = TypeVar("T", np.ndarray, torch.Tensor)


@dataclass(frozen=True)
class Tooth:
    width: float  # seen from the front, mouth widths
    crown: float  # gum margin to biting edge
    edge: float  # the biting edge below the row's line (upper row) or above its edge (lower row: 0)


# From the midline outwards: central and lateral incisors, canine, two premolars, first molar.
UPPER_ROW = (Tooth(0.125, 0.21, 0.085), Tooth(0.095, 0.18, 0.07), Tooth(0.075, 0.2, 0.08),
             Tooth(0.06, 0.16, 0.065), Tooth(0.05, 0.15, 0.06), Tooth(0.06, 0.14, 0.055))
LOWER_ROW = (Tooth(0.085, 0.16, 0.0), Tooth(0.08, 0.16, 0.0), Tooth(0.07, 0.17, -0.01),
             Tooth(0.06, 0.15, 0.005), Tooth(0.055, 0.14, 0.01), Tooth(0.06, 0.13, 0.015))
UPPER_EXTENT = (-0.55, 0.55, -0.2, 0.12)  # x0, x1, y0, y1 of the upper sprite, mouth widths
LOWER_EXTENT = (-0.55, 0.55, -0.04, 0.2)
BUCCAL_CORRIDOR = (0.34, 0.46)  # |x| (mouth widths) over which the rows give way to the cheeks' dark corridor
LOWER_ROW_LIGHT = 0.8  # the lower row sits in the shadow of the upper lip and teeth
SOFTNESS_PX = 0.6  # the sprites' blur: enamel edges are soft, never a hard-edged bar
OUTLINE_PX = 1.2  # a drawn tooth's outline, pixels (the test set's pencil and ink lines are 1-3 px)
SEPARATION = 0.86  # |across| beyond which a drawn tooth's side is a line (where it meets its neighbour)


class TeethSprite(nn.Module):
    """One row's picture (a buffer, so it moves with the renderer to its device) and where it lies."""

    def __init__(self, rgba: torch.Tensor, extent: tuple[float, float, float, float]) -> None:
        super().__init__()
        self.register_buffer("rgba", rgba)  # (1, 4, h, w) float: premultiplied RGB 0..255 and alpha 0..1
        self.extent = extent  # x0, x1, y0, y1 in mouth widths

    def sample(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """(B, P) coordinates in mouth widths → (B, 4, P); transparent outside the sprite."""
        x0, x1, y0, y1 = self.extent
        grid = torch.stack([(x - x0) / (x1 - x0) * 2.0 - 1.0, (y - y0) / (y1 - y0) * 2.0 - 1.0], dim=-1)[:, None]
        sampled = torch.nn.functional.grid_sample(self.rgba.expand(len(x), -1, -1, -1), grid, mode="bilinear",
                                                  padding_mode="zeros", align_corners=True)
        return sampled[:, :, 0]


@dataclass(frozen=True)
class Outline:
    """Teeth drawn the way the portrait draws: 0 for none (a photo), 1 for lines in its ink."""

    strength: float = 0.0
    ink: tuple[float, float, float] = (0.0, 0.0, 0.0)  # 0..255


def teeth_sprites(enamel: np.ndarray, gum: np.ndarray, pixels_per_mouth_width: float, outline: Outline = Outline(),
                  shade_tint: np.ndarray | None = None) -> tuple[TeethSprite, TeethSprite]:
    """(upper, lower) rows in the given 0..255 colours, drawn at the frame's own scale; `shade_tint`
    ((3,), mean 1) the hue their shaded parts take on (`warm_shade`), None for grey."""
    shade_tint = np.ones(3) if shade_tint is None else shade_tint
    upper = _row_sprite(UPPER_ROW, UPPER_EXTENT, enamel, gum, pixels_per_mouth_width, outline, hangs=True,
                        shade_tint=shade_tint)
    shade = warm_shade(np.array([LOWER_ROW_LIGHT]), shade_tint)  # in shade, so warmed as shade is
    lower = _row_sprite(LOWER_ROW, LOWER_EXTENT, enamel * shade, gum * shade, pixels_per_mouth_width, outline,
                        hangs=False, shade_tint=shade_tint)
    return upper, lower


def warm_shade(light: T, tint: T) -> T:
    """Per-channel factors for enamel lit by `light` (0..1, shape (..., 1) or (B, 1, P)): where less of the
    room's light reaches, what does is bounced off the mouth's own walls and lips, so shaded enamel
    takes on their hue (`tint`, (3,) or (1, 3, 1), mean 1) instead of greying. Greyed, a saturated print's teeth
    read blue-grey beside its orange skin."""
    return light * (1.0 + (tint - 1.0) * (1.0 - light))


def _row_sprite(row: tuple[Tooth, ...], extent: tuple[float, float, float, float], enamel: np.ndarray,
                gum: np.ndarray, scale: float, outline: Outline, hangs: bool, shade_tint: np.ndarray) -> TeethSprite:
    x0, x1, y0, y1 = extent
    width, height = max(4, round((x1 - x0) * scale)) + 1, max(4, round((y1 - y0) * scale)) + 1
    x, y = np.meshgrid(np.linspace(x0, x1, width), np.linspace(y0, y1, height))  # (h, w) mouth widths
    sign = 1.0 if hangs else -1.0  # an upper tooth grows up from its edge, a lower one down
    tooth, across = _tooth_at(row, np.abs(x))
    crown = np.array([t.crown for t in row])[tooth]
    edge = np.array([t.edge for t in row])[tooth] - sign * _corner_rounding(across, crown)
    margin = edge - sign * crown * (1.0 - 0.1 * across**2)  # the gum's scallop: lowest between teeth
    toward_edge = np.clip(sign * (y - margin) / crown, 0.0, 1.0)  # 0 at the gum, 1 at the biting edge
    pixel = 1.0 / scale
    enamel_alpha = np.clip(0.5 + sign * (edge - y) / pixel, 0.0, 1.0) * np.clip(0.5 + sign * (y - margin) / pixel, 0, 1)
    gum_alpha = np.clip(0.5 - sign * (y - margin) / pixel, 0.0, 1.0) * np.clip(0.5 + sign * (edge - y) / pixel, 0, 1)
    # Each tooth rounds away across its width; enamel is warmer and darker at the gum and greyer
    # and translucent at the biting edge; the arch turns the back teeth away from the light.
    rounding = 1.0 - 0.16 * np.abs(across) ** 4
    gum_side = 0.86 + 0.14 * hermite_step(0.0, 0.35, toward_edge)
    translucent = 1.0 - 0.22 * hermite_step(0.78, 1.0, toward_edge)
    arch = np.clip(1.0 - 0.75 * (np.abs(x) / 0.5) ** 2, 0.2, 1.0)
    light = (rounding * gum_side * translucent * arch)[..., None]
    highlight = 0.07 * np.exp(-((across + 0.25) ** 2 / 0.08 + (toward_edge - 0.35) ** 2 / 0.05))[..., None]
    colour = enamel * warm_shade(light, shade_tint) + 255.0 * highlight * (tooth == 0)[..., None]
    gum_colour = gum * arch[..., None] * 0.9
    # The arch is narrower than the open mouth: beside the premolars the cheeks' dark corridor shows,
    # not teeth. Teeth drawn out to the corners darkened there into a grey rim round the opening.
    corridor = 1.0 - hermite_step(*BUCCAL_CORRIDOR, np.abs(x))
    enamel_alpha, gum_alpha = enamel_alpha * corridor, gum_alpha * corridor
    rgb = colour * enamel_alpha[..., None] + gum_colour * gum_alpha[..., None]  # premultiplied
    alpha = enamel_alpha + gum_alpha
    if outline.strength > 0.0:
        line = outline.strength * _outline(enamel_alpha, across, arch)
        rgb = rgb * (1.0 - line[..., None]) + np.asarray(outline.ink) * line[..., None]
        alpha = alpha * (1.0 - line) + line
    rgba = np.concatenate([rgb, alpha[..., None]], axis=-1)
    rgba = gaussian_filter(rgba, sigma=(SOFTNESS_PX, SOFTNESS_PX, 0.0), mode="constant")
    tensor = torch.from_numpy(rgba.astype(np.float32)).permute(2, 0, 1)[None].contiguous()
    return TeethSprite(tensor, extent)


def _outline(enamel_alpha: np.ndarray, across: np.ndarray, arch: np.ndarray) -> np.ndarray:
    """(h, w) 0..1: where a drawing would put lines — round each tooth's enamel (its biting edge, the
    gum margin) and down the sides where neighbours meet; fainter where the arch turns into the dark."""
    rows, columns = np.gradient(enamel_alpha)
    edge = np.clip(np.hypot(rows, columns), 0.0, 1.0)  # ~1 over the pixel where enamel begins
    sides = hermite_step(SEPARATION, 1.0, np.abs(across)) * np.clip(enamel_alpha, 0.0, 1.0)
    line = gaussian_filter(np.maximum(edge, sides), OUTLINE_PX / 2.0)
    line = np.clip(line / max(float(line.max()), 1e-6) * 1.6, 0.0, 1.0)
    return line * np.clip(arch / 0.6, 0.0, 1.0)


def _tooth_at(row: tuple[Tooth, ...], distance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which tooth each |x| falls on (the last one continues outwards) and where across it, −1..1
    (−1 on the side towards the midline)."""
    bounds = np.concatenate([[0.0], np.cumsum([tooth.width for tooth in row])])
    index = np.clip(np.searchsorted(bounds, distance, side="right") - 1, 0, len(row) - 1)
    widths = np.diff(bounds)[index]
    across = np.clip((distance - bounds[index]) / widths * 2.0 - 1.0, -1.0, 1.0)
    return index, across


def _corner_rounding(across: np.ndarray, crown: np.ndarray) -> np.ndarray:
    """How far a biting edge pulls back at a tooth's corners: the embrasures between teeth."""
    return 0.14 * crown * (np.clip(np.abs(across) - 0.5, 0.0, None) / 0.5) ** 2
