"""EyeLayer: eyes drawn inside the lids the warp has moved, so lids close *over* the eyes and irises
turn with gaze (DESIGN.md, "The models → Renderer").

The warp moves the lids and the skin around them, but between the lids it would squash the eye
itself — a blink would fold the iris into a slit instead of hiding it. Inside the current opening
between the lids this layer shows the eyeball instead: the portrait's own eye, moved only with the
head (the eyeball does not follow the lids), its iris carried by the gaze with a smooth local shift
(the white around it gives way, as the visible part of a turning ball does). Where that would read
outside the portrait's own eye opening (a wide-open eye reaching above the source's lids), the warp's
picture stays. Above the eye, the part the upper lid has swept shows the lid coming down: its lashes
as they are, leading, and above them the skin just over the lashes stretched to cover the rest (a
rigid slide would drag the lid's crease down into view, which reads as an open eye). At the
avatar's rest state the layer reproduces the portrait exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from runtime.arkit import BLENDSHAPE_NAMES
from runtime.numerics import hermite_step
from runtime.render.landmark_groups import LEFT_EYE, RIGHT_EYE, EyeGroup
from runtime.render.openings import SOURCE_DILATION_PX, Opening, Windows, left_to_right, sample_at

WINDOW_EYE_WIDTHS = (1.2, 2.0)  # the layer's window (height, width) in eye widths
IRIS_SHIFT_RADIUS = 0.35  # σ of the gaze shift's fall-off around the iris, in eye widths
LASHES = 0.05  # the lash line's thickness, in eye widths
LID_COLOUR_SHARE = 0.6  # how much of a closing lid's skin is the lid's own colour rather than its stretched copy
LID_SHADE = 0.16  # how much darker a closed lid is where it turns down to the lashes
LID_EDGE_PX = 3.0  # the swept lid blends into the skin above its rest line over this many pixels
LID_SKIN = 0.12  # the skin over the lashes that stretches over a closing eye, in eye widths
GAZE_SHAPES = tuple(float(name.startswith("eyeLook")) for name in BLENDSHAPE_NAMES)


@dataclass(frozen=True)
class _EyeIndices:
    upper: tuple[int, ...]  # left to right in the image
    lower: tuple[int, ...]
    corners: tuple[int, int]
    iris_centre: int


class _Eye(nn.Module):
    def __init__(self, eye: EyeGroup, image: np.ndarray, landmarks: np.ndarray) -> None:
        super().__init__()
        upper, lower = left_to_right(eye.upper_lid, landmarks), left_to_right(eye.lower_lid, landmarks)
        self.indices = _EyeIndices(upper, lower, (eye.outer_corner, eye.inner_corner), eye.iris[0])
        width = float(np.linalg.norm(landmarks[eye.outer_corner, :2] - landmarks[eye.inner_corner, :2]))
        self.window_size = tuple(max(8, round(widths * width)) for widths in WINDOW_EYE_WIDTHS)
        self.iris_radius_px = IRIS_SHIFT_RADIUS * width
        self.lash_px = LASHES * width
        self.lid_band_px = LID_SKIN * width
        self.register_buffer("source_upper", torch.from_numpy(landmarks[list(upper), :2]).float()[None])
        self.register_buffer("source_lower", torch.from_numpy(landmarks[list(lower), :2]).float()[None])
        centre = landmarks[list(self.indices.corners), :2].mean(axis=0)
        self.register_buffer("source_centre", torch.from_numpy(centre).float())
        source, origin = self._source_eye(image)
        lid_colour = _lid_colour(image, landmarks, upper, width)
        self.register_buffer("lid_colour", torch.from_numpy(lid_colour).float()[None, :, None])  # (1, 3, 1)
        self.register_buffer("source", source)  # (1, 4, h, w): RGB and the eye-opening mask
        self.register_buffer("source_origin", origin)

    def _source_eye(self, image: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        windows = Windows.around(self.source_centre[None], self.window_size, image.shape[:2])
        opening = Opening.of(windows.pixels(), self.source_upper, self.source_lower)
        mask = opening.inside(SOURCE_DILATION_PX).reshape(1, 1, windows.height, windows.width)
        return torch.cat([windows.crop(image), mask], dim=1), windows.origins[0].float()

    def forward(self, frames: torch.Tensor, points: torch.Tensor, skull_points: torch.Tensor,
                gaze_points: torch.Tensor) -> None:
        indices = self.indices
        upper, lower = points[:, list(indices.upper)], points[:, list(indices.lower)]
        eyeball_shift = skull_points[:, list(indices.corners)].mean(dim=1) - self.source_centre  # (B, 2)
        iris_shift = gaze_points[:, indices.iris_centre] - skull_points[:, indices.iris_centre]  # (B, 2)
        windows = Windows.around(points[:, list(indices.corners)].mean(dim=1), self.window_size, frames.shape[-2:])
        pixels = windows.pixels()
        opening = Opening.of(pixels, upper, lower)
        lid = self._lid(opening, upper, skull_points[:, list(indices.upper)])  # (B, P)
        alpha = opening.inside()  # (B, P)
        if not bool((alpha > 0.0).any() or (lid > 0.0).any()):
            return  # the eye neither shows nor is being covered: the warp's picture stands
        iris = gaze_points[:, indices.iris_centre]  # (B, 2) where the iris is now
        fall_off = torch.exp(-0.5 * ((pixels - iris[:, None]) ** 2).sum(-1) / self.iris_radius_px**2)  # (B, P)
        reads = pixels - eyeball_shift[:, None] - iris_shift[:, None] * fall_off[..., None] - self.source_origin
        eye = sample_at(self.source, reads)  # (B, 4, P)
        alpha = alpha * eye[:, 3]
        slide = opening.upper_at.read(upper - self.source_upper)  # (B, P, 2) how far the lid moved here
        above_lashes = (opening.v_upper - opening.v).clamp(min=0.0)  # (B, P) pixels above its lashes
        span = slide[..., 1].clamp(min=1.0)
        # Lashes slide as they are; above them, the skin just over the lashes stretches to cover the rest.
        squeeze = torch.where(above_lashes < self.lash_px, torch.ones_like(span),
                              (self.lid_band_px / span).clamp(max=1.0))
        source_above = torch.where(above_lashes < self.lash_px, above_lashes,
                                   self.lash_px + (above_lashes - self.lash_px) * squeeze)
        lid_reads = pixels - slide + ((above_lashes - source_above)[..., None] * -opening.axes[:, None, 1]) \
            - self.source_origin
        stretched = sample_at(self.source[:, :3], lid_reads)  # (B, 3, P)
        # Above the lashes the lid is skin of the lid's own colour: the stretched copy keeps some of
        # its texture, but alone it smears whatever lay over the lashes (a crease, shadow, a frame).
        closing = (slide[..., 1] / (2.0 * self.lid_band_px)).clamp(0.0, 1.0)[:, None]  # (B, 1, P): 0 at rest
        skin = stretched + (self.lid_colour - stretched) * (LID_COLOUR_SHARE * closing)
        lashes = 1.0 - hermite_step(self.lash_px - 1.0, self.lash_px + 1.0, above_lashes)[:, None]  # (B, 1, P)
        lid_skin = (skin + (stretched - skin) * lashes) * self._lid_shading(opening, above_lashes, slide[..., 1])
        patch = windows.gather(frames)
        shape = (len(frames), -1, windows.height, windows.width)
        patch = patch + alpha.reshape(shape) * (eye[:, :3].reshape(shape) - patch)
        patch = patch + lid.reshape(shape) * (lid_skin.reshape(shape) - patch)
        windows.scatter(frames, patch)

    def _lid_shading(self, opening: Opening, above_lashes: torch.Tensor, lowered: torch.Tensor) -> torch.Tensor:
        """(B, 1, P) a closing lid is skin curving over the eyeball: lit on its crown, darker where it
        turns down to the lashes and towards the corners — a flat copy of the skin reads as a patch.
        `lowered` (B, P): how far the lid has come down here, in pixels; none at rest, so rest is exact."""
        turning = 1.0 - hermite_step(0.0, 1.0, above_lashes / (0.6 * lowered.clamp(min=1.0) + 1.0))  # 1 at the lashes
        sides = opening.lateral() ** 2
        closing = (lowered / (2.0 * self.lid_band_px)).clamp(0.0, 1.0)
        return (1.0 - closing * LID_SHADE * (turning + 0.5 * sides))[:, None]

    def _lid(self, opening: Opening, upper: torch.Tensor, skull_upper: torch.Tensor) -> torch.Tensor:
        """(B, P) 1 where the upper lid now covers what was open eye: between its line at rest (with
        the head's motion) and its line now."""
        rest_line = opening.upper_line_of(skull_upper)
        covered = opening.upper_at.covered
        above_lid = (opening.v_upper - opening.v).clamp(0.0, 1.0)
        # Soft over a few pixels: a hard upper edge outlines the lid like a pasted patch.
        below_rest_line = hermite_step(-LID_EDGE_PX, 1.0, opening.v - rest_line)
        return covered * above_lid * below_rest_line


def _lid_colour(image: np.ndarray, landmarks: np.ndarray, upper: tuple[int, ...], eye_width: float) -> np.ndarray:
    """(3,) the skin over the upper lid: the brighter half of the pixels in a band above its lashes
    (the crease, lashes and brow hairs are darker than the skin)."""
    lid = landmarks[list(upper), :2]
    band = np.round(lid[None] - np.array([0.0, 1.0])[None, None] * np.linspace(0.1, 0.35, 6)[:, None, None]
                    * eye_width).reshape(-1, 2).astype(int)
    height, width = image.shape[:2]
    band = band[(band[:, 0] >= 0) & (band[:, 0] < width) & (band[:, 1] >= 0) & (band[:, 1] < height)]
    if len(band) == 0:
        return np.full(3, 128.0)
    pixels = image[band[:, 1], band[:, 0]].astype(np.float64)
    brightness = pixels.mean(axis=1)
    return np.median(pixels[brightness >= np.median(brightness)], axis=0)


class EyeLayer(nn.Module):
    """Both eyes; forward() paints a batch of warped frames in place."""

    def __init__(self, image: np.ndarray, landmarks: np.ndarray) -> None:
        super().__init__()
        landmarks = np.asarray(landmarks, dtype=np.float64)
        self.eyes = nn.ModuleList([_Eye(eye, image, landmarks) for eye in (RIGHT_EYE, LEFT_EYE)])
        self.register_buffer("gaze_shapes", torch.tensor(GAZE_SHAPES))

    def forward(self, frames: torch.Tensor, points: torch.Tensor, skull_points: torch.Tensor,
                gaze_points: torch.Tensor) -> None:
        """frames (B, 3, H, W) float 0..255; points: the frames' landmarks; skull_points: the heads at
        the rest expression; gaze_points: the heads at the rest expression plus the frames' gaze."""
        for eye in self.eyes:
            eye(frames, points, skull_points, gaze_points)
