"""RigidLayer: parts of the portrait that move only with the head — a pair of glasses — drawn over
the warped frame, so a blink, a raised brow or a smile never bends them (DESIGN.md, "Lifelike, not
merely measurable").

Per avatar: the frame's pixels (a mask from runtime/face/glasses.py) are taken out of the picture
the warp moves — filled in from the skin around them, in the picture's grain — and kept, with a soft
margin, as a layer of their own. Per frame: the head's motion under the glasses (where the skull's
landmarks at the rest expression went, every landmark within the rims' box) is fitted with one
affine map, and the rims and bridge are drawn through it; each temple arm through its own map, from
its hinge on the rim to its end at the side of the head (runtime/render/temple_arms.py). At the
avatar's rest state the layer sits exactly where it was cut from: the frame is the portrait.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
from torch import nn

from runtime.render.landmark_groups import LEFT_EYE, RIGHT_EYE
from runtime.render.linear_2d import applied, inverse
from runtime.render.mouth_palette import grain_at
from runtime.render.openings import Windows, sample_at, to_local
from runtime.render.portrait_style import PortraitStyle
from runtime.render.temple_arms import ArmMotion, find_temple_arms

# Landmarks whose head-only motion carries glasses too small to cover more of them: eye corners, the
# top of the nose, the temples. Glasses that do are carried by the landmarks they cover (_anchors).
ANCHORS = (RIGHT_EYE.outer_corner, RIGHT_EYE.inner_corner, LEFT_EYE.inner_corner, LEFT_EYE.outer_corner,
           168, 6, 197, 127, 356)
CORE = 0.2  # mask values above this are the frame itself: cut out of the warped picture
MARGIN_PX = 1.0  # beyond the core the layer fades into the warped picture over this many pixels
SEAM_PX = 2  # how far an arm's part reaches in under the rims' (runtime/render/temple_arms.py)


def cut_out(image: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """(the portrait without the masked part, filled in from around it; the layer's alpha): alpha is 1
    on the cut-out core and fades to 0 over MARGIN_PX outside it, where the portrait is left as it
    was, so layer over picture is the portrait exactly. (image, None) where there is nothing to cut."""
    if mask is None or not bool((mask > 0.0).any()):
        return image, None
    # The core reaches out to the frame's faint antialiased fringe: left in the warped picture, a
    # fringe is dragged along by a closing lid as a smear of the frame's colour.
    core = cv2.dilate((mask > CORE).astype(np.uint8), np.ones((3, 3), np.uint8))
    filled = _filled(image, core)
    outside = cv2.distanceTransform(1 - core, cv2.DIST_L2, 3)
    alpha = np.clip(1.0 - outside / (MARGIN_PX + 1.0), 0.0, 1.0).astype(np.float32)
    return filled, alpha


def _filled(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """The image with `hole` (H, W uint8 1/0) filled smoothly from the pixels around it (normalised
    convolution, repeated at growing widths until every hole pixel has neighbours). Streaky fills
    (OpenCV's inpainting) show as smears once an expression stretches the skin under the frame."""
    known = (1 - hole).astype(np.float32)
    values = image.astype(np.float32) * known[..., None]
    filled = image.astype(np.float32)
    missing = hole.astype(bool)
    sigma = 2.0
    while missing.any() and sigma < 64.0:
        weight = cv2.GaussianBlur(known, (0, 0), sigma)
        blurred = cv2.GaussianBlur(values, (0, 0), sigma)
        ready = missing & (weight > 0.05)
        filled[ready] = blurred[ready] / weight[ready, None]
        missing &= ~ready
        sigma *= 2.0
    return np.clip(np.round(filled), 0, 255).astype(np.uint8)


def with_grain(filled: np.ndarray, hole: np.ndarray, grain: np.ndarray, style: PortraitStyle) -> np.ndarray:
    """`filled` (cut_out's picture) with the portrait's grain (mouth_palette's pattern, tiled, at the
    strength PortraitStyle gives the fill's tone) added in `hole` (H, W bool). The fill is smooth, and
    on a textured picture what an expression exposes of it shows as a smooth patch: behind thick
    frames a closing lid slides the fill under the top rim down over the eye, a pale almond pasted
    onto a pencil drawing. At rest the glasses cover the hole: the frame is the portrait still."""
    if not hole.any():
        return filled
    rows, columns = np.nonzero(hole)
    pixels = torch.from_numpy(np.stack([columns, rows], axis=1))[None]  # (1, N, 2) x, y
    pattern = grain_at(torch.from_numpy(grain), pixels)[0].numpy()
    grained = filled.astype(np.float32)
    grained[rows, columns] += (style.texture_at_tone(grained[rows, columns].mean(axis=1)) * pattern)[:, None]
    return np.clip(np.round(grained), 0, 255).astype(np.uint8)


def _anchors(points: np.ndarray, box: tuple[int, int, int, int]) -> list[int]:
    """The landmarks whose motion carries the glasses: those within the frame's box (left, top, right,
    bottom), or ANCHORS where it covers fewer. Nine anchors reaching out to the temples, fitted by one
    affine map, sheared a turned head's glasses off its eyes: at yaw ±15° they strayed 4.7-11.7 px (RMS)
    from the landmarks under them, a tinted lens's tint (part of the warped face) showed outside the
    rim, and a far rim stood open; fitted to the landmarks under them, 3.6-4.5 px."""
    left, top, right, bottom = box
    inside = (points[:, 0] >= left) & (points[:, 0] < right) & (points[:, 1] >= top) & (points[:, 1] < bottom)
    return [int(index) for index in np.flatnonzero(inside)] if inside.sum() > len(ANCHORS) else list(ANCHORS)


class _LayerPart(nn.Module):
    """Some of the layer's pixels (the rims and bridge, or one temple arm), kept as a crop and drawn
    over frames through an affine map per frame."""

    def __init__(self, image: np.ndarray, alpha: np.ndarray) -> None:
        super().__init__()
        rows, columns = np.nonzero(alpha > 0.0)
        top, left = int(rows.min()), int(columns.min())
        bottom, right = int(rows.max()) + 1, int(columns.max()) + 1
        self.box = (left, top, right, bottom)
        # The window grows by a quarter each way: room for the head to turn and move the glasses.
        margin_y, margin_x = (bottom - top) // 4 + 2, (right - left) // 4 + 2
        self.window_size = (bottom - top + 2 * margin_y, right - left + 2 * margin_x)
        crop = np.concatenate([image[top:bottom, left:right].astype(np.float32),
                               alpha[top:bottom, left:right, None]], axis=2)
        self.register_buffer("layer", torch.from_numpy(crop).permute(2, 0, 1)[None].contiguous())  # (1, 4, h, w)
        self.register_buffer("layer_origin", torch.tensor([left, top], dtype=torch.float32))
        self.register_buffer("layer_centre", torch.tensor([(left + right) / 2, (top + bottom) / 2]))
        self.register_buffer("layer_end", torch.tensor([right - 1, bottom - 1], dtype=torch.float32))  # its last pixel
        # The crop's box grown by the pixel a bilinear read blends in and one more: nothing of the layer
        # shows beyond where these corners go (forward draws only the window around them).
        self.register_buffer("layer_corners", torch.tensor([[left - 2, top - 2], [right + 2, top - 2],
                                                            [left - 2, bottom + 2], [right + 2, bottom + 2]],
                                                           dtype=torch.float32))

    def forward(self, frames: torch.Tensor, linear: torch.Tensor, shift: torch.Tensor, offset: tuple[int, int]
                ) -> None:
        """Draws the part over frames (B, 3, H, W) in place, moved by linear (B, 2, 2) and shift (B, 2)."""
        centre = applied(linear, self.layer_centre[None, None])[:, 0] + shift  # (B, 2)
        # Only the window the moved crop covers (the largest window, with room for the head to turn,
        # holds 2.2 times the crop's pixels); where that outgrows the largest, the largest around the
        # crop's centre, as always. Beyond the crop the layer's alpha is 0 and the frame unchanged.
        corners = applied(linear, self.layer_corners[None]) + shift[:, None]  # (B, 4, 2)
        windows = Windows.covering(corners.amin(dim=1), corners.amax(dim=1), self.window_size, frames.shape[-2:],
                                   offset, centre)
        pixels = windows.pixels()  # (B, P, 2)
        # Back through the motion: where each frame pixel was in the portrait, x and y (B, P) each.
        # (one 2×2 inverse per frame, applied to every pixel: a solve per pixel cost 5x more)
        source = to_local(pixels, shift, inverse(linear))
        reads = torch.stack([coordinate - origin for coordinate, origin in zip(source, self.layer_origin, strict=True)],
                            dim=-1)
        layer = sample_at(self.layer, reads)  # (B, 4, P); edges hold alpha 0 beyond
        inside = torch.ones_like(reads[..., 0], dtype=torch.bool)
        for coordinate, low, high in zip(source, self.layer_origin, self.layer_end, strict=True):
            inside &= (coordinate >= low) & (coordinate <= high)
        alpha = layer[:, 3] * inside  # (B, P)
        patch = windows.gather(frames)
        shape = (len(frames), -1, windows.height, windows.width)
        patch = patch + alpha.reshape(shape) * (layer[:, :3].reshape(shape) - patch)
        windows.scatter(frames, patch)


def _with_seam(arm: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """(H, W) bool: an arm's pixels and, under the rims' edge where they meet, SEAM_PX of the rims'
    fully opaque pixels. Drawn by two maps, the parts' edges each fade over a pixel, and where they
    met a turned head's arm showed a light line across it; the arm drawn on under the rims covers it.
    Only opaque pixels are shared: drawn twice over, they are still the portrait's at rest."""
    size = 2 * SEAM_PX + 1
    near = cv2.dilate(arm.astype(np.uint8), np.ones((size, size), np.uint8)) > 0
    return arm | (near & (alpha >= 1.0))


class RigidLayer(nn.Module):
    """Built once per avatar with glasses; forward() draws them over a batch of frames in place: the
    temple arms each through its own map (runtime/render/temple_arms.py), then the rims over them."""

    def __init__(self, image: np.ndarray, alpha: np.ndarray, landmarks: np.ndarray) -> None:
        super().__init__()
        arms = find_temple_arms(alpha, landmarks)
        rims_alpha = alpha.copy()
        for arm in arms:
            rims_alpha[arm.pixels] = 0.0
        self.rims = _LayerPart(image, rims_alpha)
        self.arms = nn.ModuleList(_LayerPart(image, np.where(_with_seam(arm.pixels, alpha), alpha, 0.0))
                                  for arm in arms)
        self.arm_motions = nn.ModuleList(ArmMotion(arm, landmarks) for arm in arms)
        anchors = _anchors(np.asarray(landmarks, dtype=np.float64)[:, :2], self.rims.box)
        self.register_buffer("anchors", torch.tensor(anchors))  # an index made once, on the frames' device
        points = np.asarray(landmarks, dtype=np.float64)[anchors, :2]
        # The least-squares fit of the head's motion, (3, N): fixed per avatar, so a frame's fit is one
        # weighted sum of its anchors. torch.linalg.lstsq per frame (MKL's LAPACK) came out a bit apart
        # from run to run with two threads on a loaded machine, and moved the glasses' pixels by 1 LSB.
        design = np.concatenate([points, np.ones((len(points), 1))], axis=1)  # (N, 3)
        fit = np.linalg.solve(design.T @ design, design.T)  # the normal equations, in float64
        self.register_buffer("anchor_fit", torch.from_numpy(fit).float())
        # The fit is of the anchors' motion from rest, added to the identity: a fit of their positions
        # came out of float32 a hair from the identity at rest, and moved the frame's pixels by 1 LSB.
        self.register_buffer("rest_anchors", torch.from_numpy(points).float())
        self.register_buffer("identity", torch.eye(2))

    def forward(self, frames: torch.Tensor, skull_points: torch.Tensor, offset: tuple[int, int] = (0, 0)) -> None:
        """frames (B, 3, H, W) float 0..255, changed in place; skull_points (B, 478, 2) the heads at
        the rest expression; offset: where the frames' top-left pixel lies in the portrait (openings.Windows)."""
        change, shift = self._head_motion(skull_points[:, self.anchors])  # (B, 2, 2), (B, 2)
        for arm, motion in zip(self.arms, self.arm_motions, strict=True):
            arm(frames, *motion(change, shift, skull_points), offset)
        self.rims(frames, self.identity + change, shift, offset)

    def _head_motion(self, anchors: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The affine map taking the portrait's anchors to the frame's, least squares: (its linear
        part minus the identity (B, 2, 2), its shift (B, 2))."""
        # Elementwise products and a sum over the anchors: no BLAS or LAPACK call whose threads could
        # split the work differently from run to run.
        motion = anchors - self.rest_anchors  # (B, N, 2)
        solution = (self.anchor_fit[None, :, :, None] * motion[:, None]).sum(dim=2)  # (B, 3, 2)
        return solution[:, :2].transpose(1, 2), solution[:, 2]
