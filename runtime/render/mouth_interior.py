"""MouthInterior: what shows between the inner lips once the warp has moved them (DESIGN.md, "The
models → Renderer").

A warp alone stretches whatever lay between the source's lips (lip skin for a closed mouth, the
portrait's own teeth for an open one) across the whole new opening. Inside the current opening this
layer draws instead, front to back:
1. the portrait's own mouth interior, unstretched, in two rigid halves: the upper half rides with
   the upper lip (the upper teeth are fixed to the skull, and so, nearly, is the upper lip), the
   lower half with the lower lip (the jaw);
2. where neither half reaches — the lips parted beyond the source — a synthesised interior: upper
   teeth hanging from the skull-fixed line of the upper lip (so a raised lip bares more of them)
   with a shadow under the lip, the gaps between the front teeth and darker towards the corners;
   lower teeth dimmer behind the lower lip; a cavity darker with depth, the tongue on its floor,
   and a shadow just above the lower lip. Teeth are only synthesised for a portrait whose own
   mouth is (nearly) closed: one that shows its teeth keeps them, riding with the lips. The
   colours come from the portrait (lip colour, light level, saturation), so a pencil drawing gets
   a grey mouth and a dim painting no glowing teeth.
At the avatar's rest state the layer reproduces the portrait exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from runtime.numerics import hermite_step
from runtime.render.landmark_groups import LIPS
from runtime.render.openings import SOURCE_DILATION_PX, Opening, Windows, left_to_right, sample_at

WINDOW_MOUTH_WIDTHS = 2.2  # the layer's window side, in mouth widths: room for a wide-open jaw and a smile
UPPER_TEETH_SHOWN = 0.16  # how far the upper incisors reach below the upper lip's rest line, in mouth widths
LOWER_TEETH_SHOWN = 0.08
TEETH_HALF_WIDTH = 0.36  # the visible arch, in mouth widths from the midline
TOOTH_WIDTH = 0.14  # front teeth, in mouth widths
IVORY = np.array([0.93, 0.90, 0.83])
FLESH_TINT = np.array([1.0, 0.55, 0.55])  # relative to the lip colour, per RGB channel
TONGUE_TINT = np.array([1.0, 0.7, 0.7])


@dataclass(frozen=True)
class MouthPalette:
    """0..255 RGB colours of the synthesised interior, taken from the portrait."""

    cavity_edge: np.ndarray  # (3,) just inside the lips
    cavity_deep: np.ndarray  # (3,) the back of the mouth
    tongue: np.ndarray  # (3,) the lit front of the tongue
    teeth: np.ndarray  # (3,) lit front teeth


def mouth_palette(image: np.ndarray, landmarks: np.ndarray) -> MouthPalette:
    height, width = image.shape[:2]
    lips = np.asarray(landmarks)[list(LIPS.outer_upper + LIPS.outer_lower), :2].round().astype(int)
    lips = lips.clip(0, [width - 1, height - 1])
    lip_colour = np.median(image[lips[:, 1], lips[:, 0]].astype(np.float64), axis=0)
    face = _face_pixels(image, landmarks).astype(np.float64)  # (N, 3)
    light = np.percentile(face.mean(axis=1), 95) / 255.0
    brightest = face.max(axis=1)
    saturation = float(np.mean((brightest - face.min(axis=1)) / np.maximum(brightest, 1.0)))
    colourful = min(1.0, saturation / 0.25)  # a grey drawing gets a grey mouth
    teeth = IVORY * light * 255.0
    teeth = teeth.mean() + (teeth - teeth.mean()) * colourful
    flesh = 1.0 + (FLESH_TINT - 1.0) * colourful  # the inside of a mouth is redder than its lips
    return MouthPalette(cavity_edge=0.45 * lip_colour * flesh, cavity_deep=0.08 * lip_colour * flesh,
                        tongue=0.75 * lip_colour * (1.0 + (TONGUE_TINT - 1.0) * colourful), teeth=teeth)


def _face_pixels(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    points = np.asarray(landmarks)[:, :2]
    (left, top), (right, bottom) = points.min(axis=0).astype(int), points.max(axis=0).astype(int)
    height, width = image.shape[:2]
    crop = image[max(top, 0):min(bottom, height), max(left, 0):min(right, width)]
    return crop.reshape(-1, 3) if crop.size else image.reshape(-1, 3)


class MouthInterior(nn.Module):
    """Built once per avatar; forward() paints the interiors of a batch of warped frames in place."""

    def __init__(self, image: np.ndarray, landmarks: np.ndarray) -> None:
        super().__init__()
        landmarks = np.asarray(landmarks, dtype=np.float64)
        upper = left_to_right(LIPS.inner_upper, landmarks)
        lower = left_to_right(LIPS.inner_lower, landmarks)
        self.register_buffer("upper_index", torch.tensor(upper))
        self.register_buffer("lower_index", torch.tensor(lower))
        self.register_buffer("source_upper", torch.from_numpy(landmarks[list(upper), :2]).float()[None])
        self.register_buffer("source_lower", torch.from_numpy(landmarks[list(lower), :2]).float()[None])
        right_corner, left_corner = LIPS.corners
        mouth_width = float(np.linalg.norm(landmarks[left_corner, :2] - landmarks[right_corner, :2]))
        side = max(8, round(WINDOW_MOUTH_WIDTHS * mouth_width))
        self.window_size = (side, side)
        self.upper_teeth_px = UPPER_TEETH_SHOWN * mouth_width
        self.lower_teeth_px = LOWER_TEETH_SHOWN * mouth_width
        self.teeth_half_width_px = TEETH_HALF_WIDTH * mouth_width
        self.tooth_width_px = TOOTH_WIDTH * mouth_width
        # A portrait that shows its own teeth keeps them (they ride with the lips); painting more below
        # would double them, so synthetic teeth fade out as the source mouth opens by half their length.
        source_gap = float(np.max(landmarks[list(lower), 1] - landmarks[list(upper), 1]))
        self.synthetic_teeth = 1.0 - float(np.clip((source_gap / self.upper_teeth_px - 0.25) / 0.25, 0.0, 1.0))
        palette = mouth_palette(image, landmarks)
        for name in ("cavity_edge", "cavity_deep", "tongue", "teeth"):
            self.register_buffer(name, torch.tensor(getattr(palette, name), dtype=torch.float32)[None, :, None])
        source, origin = self._source_halves(image)
        self.register_buffer("source", source)  # (1, 5, h, w): RGB, upper half, lower half
        self.register_buffer("source_origin", origin)  # (2,) where that crop sits in the portrait

    def _source_halves(self, image: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """The portrait around its mouth, with masks of the interior's upper and lower halves."""
        centre = ((self.source_upper + self.source_lower) / 2).mean(dim=1)  # (1, 2)
        windows = Windows.around(centre, self.window_size, image.shape[:2])
        opening = Opening.of(windows.pixels(), self.source_upper, self.source_lower)
        inside = opening.inside(SOURCE_DILATION_PX)
        lower_half = (opening.depth() >= 0.5).float()
        masks = torch.stack([inside * (1.0 - lower_half), inside * lower_half], dim=1)  # (1, 2, P)
        source = torch.cat([windows.crop(image), masks.reshape(1, 2, windows.height, windows.width)], dim=1)
        return source, windows.origins[0].float()

    def forward(self, frames: torch.Tensor, points: torch.Tensor, skull_points: torch.Tensor) -> None:
        """frames (B, 3, H, W) float 0..255, changed in place; points (B, 478, 2) the frames' landmarks;
        skull_points (B, 478, 2) the same heads at the rest expression (where the teeth are)."""
        upper, lower = points[:, self.upper_index], points[:, self.lower_index]  # (B, K, 2)
        windows = Windows.around(((upper + lower) / 2).mean(dim=1), self.window_size, frames.shape[-2:])
        pixels = windows.pixels()
        opening = Opening.of(pixels, upper, lower)
        alpha = opening.inside()  # (B, P)
        if not bool((alpha > 0.0).any()):
            return  # every mouth in the batch is closed
        rides_upper = pixels - opening.upper_weights @ (upper - self.source_upper) - self.source_origin
        rides_lower = pixels - opening.lower_weights @ (lower - self.source_lower) - self.source_origin
        from_upper, from_lower = sample_at(self.source, rides_upper), sample_at(self.source, rides_lower)
        upper_mask, lower_mask = from_upper[:, 3:4], from_lower[:, 4:5]  # (B, 1, P)
        synthesised = self._synthesised(opening, skull_points[:, self.upper_index])
        behind_upper = lower_mask * from_lower[:, :3] + (1.0 - lower_mask) * synthesised
        interior = upper_mask * from_upper[:, :3] + (1.0 - upper_mask) * behind_upper  # (B, 3, P)
        patch = windows.gather(frames)  # (B, 3, h, w)
        shape = (len(frames), -1, windows.height, windows.width)
        patch = patch + alpha.reshape(shape) * (interior.reshape(shape) - patch)
        windows.scatter(frames, patch)

    def _synthesised(self, opening: Opening, skull_upper: torch.Tensor) -> torch.Tensor:
        """(B, 3, P) teeth and cavity for every window pixel (only those inside the opening show)."""
        depth, lateral = opening.depth(), opening.lateral()
        hollow = (1.0 - lateral**2) * torch.sin(math.pi * depth).clamp(min=0.0).sqrt()
        cavity = self.cavity_edge + (self.cavity_deep - self.cavity_edge) * hollow[:, None]
        # The tongue fills the floor of the mouth: lit at its front, curving away towards the back.
        tongue = hermite_step(0.5, 0.85, depth) * (1.0 - lateral**2).clamp(min=0.0) * hermite_step(0.0, 0.3, hollow)
        cavity = cavity + (self.tongue - cavity) * (0.8 * tongue)[:, None]
        cavity = cavity * (1.0 - 0.3 * hermite_step(0.8, 1.0, depth))[:, None]  # the lower lip's shadow
        across_teeth = (opening.u.abs() / self.teeth_half_width_px).clamp(max=1.0)
        arch = ((1.0 - across_teeth) * 8.0).clamp(0.0, 1.0)  # the arch turns away at its ends
        shading = (1.0 - 0.45 * across_teeth**2) * self._tooth_gaps(opening.u)
        # The skull-fixed line: where the upper lip would be at the rest expression.
        lip_line = opening.upper_line_of(skull_upper)
        below_lip = opening.v - opening.v_upper
        arch = arch * self.synthetic_teeth
        upper_teeth = arch * _ramp(lip_line + self.upper_teeth_px - opening.v) * _ramp(below_lip)
        lip_shadow = 0.7 + 0.3 * hermite_step(0.0, 0.3 * self.upper_teeth_px, below_lip)
        lower_teeth = arch * _ramp(opening.v - (opening.v_lower - self.lower_teeth_px))
        synthesised = cavity + (0.6 * self.teeth * shading[:, None] - cavity) * lower_teeth[:, None]
        upper_colour = self.teeth * (shading * lip_shadow)[:, None]
        return synthesised + (upper_colour - synthesised) * upper_teeth[:, None]

    def _tooth_gaps(self, u: torch.Tensor) -> torch.Tensor:
        """Thin darker lines between the front teeth, the first on the midline."""
        phase = u / self.tooth_width_px
        distance_px = (phase - phase.round()).abs() * self.tooth_width_px
        return 1.0 - 0.35 * torch.exp(-0.5 * (distance_px / 0.7) ** 2)


def _ramp(signed_distance_px: torch.Tensor) -> torch.Tensor:
    """0 → 1 over one pixel around a signed distance of 0: an antialiased edge."""
    return (signed_distance_px + 0.5).clamp(0.0, 1.0)

