"""WarpRenderer: an avatar's portrait warped by a frame's blendshapes and head pose (DESIGN.md,
"The models → Renderer"), torch, batched, the same code on CPU and CUDA but for the two big
bilinear reads (the offset upsampled, the portrait read), OpenCV's on the CPU (resampling.py).

Per avatar, once: control points = the 478 source landmarks plus fixed anchors (a ring well outside
the face oval and points along the image border, always displaced by 0), and a thin-plate-spline
basis from those control points to a coarse grid, so the per-frame forward displacement field is one
matrix product. The field is faded to zero outside the head's surroundings and near the image
border, so the background never moves. Per frame: landmarks deformed (BlendshapeDeformer) and turned
(HeadTransform) → control displacements → coarse forward field → backward map by Newton steps on
s + d(s) = p → upsampled → one bilinear read of the portrait → the mouth interior
(MouthInterior) and the eyes (EyeLayer) drawn inside the openings the warp has moved → glasses, if
the portrait wears any, drawn over it all moving only with the head (RigidLayer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from runtime.arkit import NUM_BLENDSHAPES
from runtime.errors import InvalidConfigError
from runtime.face.analysis import face_width_px
from runtime.numerics import blocked_rows_matmul, hermite_step
from runtime.render.deformation import BlendshapeDeformer, DeformationConfig
from runtime.render.eye_layer import EyeLayer
from runtime.render.head_transform import HeadMotion, HeadTransform
from runtime.render.landmark_groups import LIPS, face_oval_points
from runtime.render.lip_bands import rounding
from runtime.render.mouth_interior import MouthInterior
from runtime.render.mouth_palette import mouth_palette
from runtime.render.openings import left_to_right
from runtime.render.portrait_style import PortraitKind, fine_detail_planes
from runtime.render.resampling import Resampling
from runtime.render.rigid_layer import RigidLayer, cut_out, with_grain
from runtime.render.stretched_grain import PaperGrain, StretchedReads, stretch_weights
from runtime.types import POSE_WIDTH, RestState

MIN_JACOBIAN_DETERMINANT = 0.3  # see _newton_step
NEWTON_SETBACK_PX = 1.0  # see backward_grid
BASIS_BLOCK_ROWS = 8  # the warp basis's product: four frames' x and y rows (backward_maps)
# How much further in than the lips' corners the warp gathers the skin at the corners of fully rounded
# lips (lip_bands.rounding), in mouth widths at rest (_tucked).
CORNER_TUCK = 0.1
Planes = tuple[torch.Tensor, torch.Tensor]  # x and y of a coarse grid of points, (B, h, w) each


@dataclass(frozen=True)
class WarpRendererConfig:
    grid_size: int = 128  # the coarse grid the displacement field lives on
    inversion_steps: int = 6  # Newton steps inverting the forward field (3 leave folds at 2-3x face framing)
    # The field is full strength out to fade_start × the face oval's half-extents around its centre
    # and zero from fade_end on, where the anchor ring sits: hair and neck follow, the rest stays.
    fade_start: float = 1.5
    fade_end: float = 2.4
    anchor_ring_points: int = 32
    still_border_px: float = 40.0  # this wide a frame along the image border never moves
    border_fade_px: float = 32.0  # beyond it, the field ramps up over this many pixels
    # Smoothing of the spline, relative to the image size squared. Exact interpolation (1e-6) rang and
    # folded around a jaw opened wide (specks and torn patches beside the mouth at jawOpen 0.8); 1e-4
    # keeps the face clean and still follows smiles and brows, and the mouth and eye layers draw from
    # the true landmarks anyway.
    tps_regularisation: float = 1e-4
    deformation: DeformationConfig = field(default_factory=DeformationConfig)
    device: str = "cpu"

    def __post_init__(self) -> None:
        if not (8 <= self.grid_size <= 512):
            raise InvalidConfigError(f"grid_size must be within [8, 512], got {self.grid_size}")
        if not (0 <= self.inversion_steps <= 10):
            raise InvalidConfigError(f"inversion_steps must be within [0, 10], got {self.inversion_steps}")
        if not (1.0 <= self.fade_start < self.fade_end <= 10.0):
            raise InvalidConfigError(
                f"need 1 <= fade_start < fade_end <= 10, got {self.fade_start} and {self.fade_end}")
        if not (8 <= self.anchor_ring_points <= 256):
            raise InvalidConfigError(f"anchor_ring_points must be within [8, 256], got {self.anchor_ring_points}")
        if not (self.still_border_px >= 0.0 and self.border_fade_px > 0.0):
            raise InvalidConfigError("still_border_px must be >= 0 and border_fade_px > 0")
        if not (0.0 <= self.tps_regularisation <= 1.0):
            raise InvalidConfigError(f"tps_regularisation must be within [0, 1], got {self.tps_regularisation}")


def _thin_plate_kernel(squared_distance: np.ndarray) -> np.ndarray:
    """U(r) = r² log r, written with r² so that U(0) = 0 without a division."""
    return 0.5 * squared_distance * np.log(np.maximum(squared_distance, 1e-20))


def thin_plate_basis(controls: np.ndarray, queries: np.ndarray, regularisation: float) -> np.ndarray:
    """(Q, N) matrix M such that M @ values interpolates per-control values at the query points.

    Points are (·, 2) in a unit-scale frame; solved once in float64, as the system is ill-conditioned.
    """
    count = len(controls)
    kernel = _thin_plate_kernel(((controls[:, None] - controls[None]) ** 2).sum(-1))  # (N, N)
    affine = np.concatenate([np.ones((count, 1)), controls], axis=1)  # (N, 3)
    system = np.zeros((count + 3, count + 3))
    system[:count, :count] = kernel + regularisation * np.eye(count)
    system[:count, count:] = affine
    system[count:, :count] = affine.T
    # Solving against the identity gives the spline coefficients of each control's unit value.
    coefficients = np.linalg.solve(system, np.eye(count + 3)[:, :count])  # (N + 3, N)
    query_kernel = _thin_plate_kernel(((queries[:, None] - controls[None]) ** 2).sum(-1))  # (Q, N)
    query_affine = np.concatenate([np.ones((len(queries), 1)), queries], axis=1)  # (Q, 3)
    return np.concatenate([query_kernel, query_affine], axis=1) @ coefficients


@dataclass(frozen=True, eq=False)
class HeadRegion:
    """The face oval's centre and half-extents in pixels: the scale of the fade and the anchor ring."""

    centre: np.ndarray  # (2,)
    half_extent: np.ndarray  # (2,)

    @classmethod
    def of(cls, landmarks: np.ndarray) -> HeadRegion:
        oval = face_oval_points(landmarks)
        low, high = oval.min(axis=0), oval.max(axis=0)
        return cls((low + high) / 2, (high - low) / 2)

    def radius(self, points: np.ndarray) -> np.ndarray:
        """Elliptic radius: 1 on the oval's bounding ellipse."""
        return np.sqrt((((points - self.centre) / self.half_extent) ** 2).sum(axis=-1))


def anchor_points(region: HeadRegion, width: int, height: int, config: WarpRendererConfig) -> np.ndarray:
    """(A, 2) pixels that never move: a ring at fade_end around the face and points along the border."""
    angles = np.linspace(0.0, 2.0 * math.pi, config.anchor_ring_points, endpoint=False)
    ring = region.centre + config.fade_end * region.half_extent * np.stack([np.cos(angles), np.sin(angles)], 1)
    steps = np.linspace(0.0, 1.0, 9)
    xs, ys = steps * (width - 1), steps * (height - 1)
    border = np.concatenate([
        np.stack([xs, np.zeros_like(xs)], 1), np.stack([xs, np.full_like(xs, height - 1)], 1),
        np.stack([np.zeros_like(ys[1:-1]), ys[1:-1]], 1), np.stack([np.full_like(ys[1:-1], width - 1), ys[1:-1]], 1),
    ])
    return np.concatenate([ring, border])


def coarse_grid_pixels(grid_size: int, width: int, height: int) -> np.ndarray:
    """(G, G, 2) pixel (x, y) of the coarse cells' centres, as grid_sample with align_corners=False sees them."""
    centres = (np.arange(grid_size) + 0.5) / grid_size
    xs, ys = centres * width - 0.5, centres * height - 0.5
    return np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)


def field_fade(pixels: np.ndarray, region: HeadRegion, width: int, height: int,
               config: WarpRendererConfig) -> np.ndarray:
    """(...,) 1 where the field acts fully, 0 outside the ring and in the still border."""
    around_head = 1.0 - hermite_step(config.fade_start, config.fade_end, region.radius(pixels))
    to_border = np.minimum.reduce([pixels[..., 0], pixels[..., 1], width - 1 - pixels[..., 0],
                                   height - 1 - pixels[..., 1]])
    # The field is upsampled from the coarse grid: keep one more coarse cell still so no blend leaks in.
    cell = max(width, height) / config.grid_size
    still = config.still_border_px + 2.0 * cell
    inside = hermite_step(still, still + config.border_fade_px, to_border)
    return around_head * inside



def _as_tensor(values, device: torch.device, columns: int, name: str) -> torch.Tensor:
    tensor = torch.as_tensor(values, dtype=torch.float32, device=device)
    if tensor.ndim != 2 or tensor.shape[1] != columns:
        raise ValueError(f"{name} must be (B, {columns}), got {tuple(tensor.shape)}")
    return tensor


class WarpRenderer(nn.Module):
    """Built once per avatar; render() draws batches of frames."""

    def __init__(self, image: np.ndarray, landmarks: np.ndarray, rest: RestState | None = None,
                 config: WarpRendererConfig = WarpRendererConfig(), rigid_mask: np.ndarray | None = None,
                 view: tuple[int, int, int, int] | None = None, kind: PortraitKind | None = None) -> None:
        """`rest`: the avatar's own pose and weights (the frame that reproduces the image); None = zeros.
        `rigid_mask`: (H, W) 0..1 over what moves only with the head (glasses, runtime/face/glasses.py).
        `view`: (left, top, width, height), the part of the image a frame shows; None = all of it.
        The whole image shapes the warp (its still border lies outside the view), but only the view's
        pixels are drawn: at head framing that is half the pixels of the image with its margin.
        `kind`: what kind of picture the portrait is (portrait_style.PortraitKind), measured in another
        framing of it; None measures it on `image`."""
        super().__init__()
        self.rigid = None
        warped_image, alpha = cut_out(image, rigid_mask)
        palette = mouth_palette(warped_image, landmarks, kind)  # the portrait's colours, texture and style
        if alpha is not None:
            self.rigid = RigidLayer(image, alpha, landmarks)
            # The warp and the layers below never see the glasses: only the skin filled in for them,
            # grained like the picture around it.
            image = with_grain(warped_image, alpha >= 1.0, palette.grain, palette.style)
        rest = RestState() if rest is None else rest
        height, width = image.shape[:2]
        self.view = (0, 0, width, height) if view is None else _checked_view(view, width, height)
        self.config = config
        landmarks = np.asarray(landmarks, dtype=np.float64)
        face_width = face_width_px(landmarks)
        self.deformer = BlendshapeDeformer(landmarks, face_width, config.deformation, rest.blendshapes)
        self.head = HeadTransform(landmarks, face_width, rest.head_pose)
        region = HeadRegion.of(landmarks)
        controls = np.concatenate([landmarks[:, :2], anchor_points(region, width, height, config)])  # (N, 2)
        grid = coarse_grid_pixels(config.grid_size, width, height).reshape(-1, 2)  # (G², 2)
        unit = float(max(width, height))  # TPS in a unit-scale frame keeps the system well scaled
        basis = thin_plate_basis(controls / unit, grid / unit, config.tps_regularisation)
        fade = field_fade(grid, region, width, height, config)
        # Only cells where the field can be non-zero are stored: the product reads the whole basis
        # every frame, so its size, not its arithmetic, sets the cost (a sixth of the grid for a
        # head-and-shoulders portrait). Anchor columns are dropped too: anchors never move.
        active = np.flatnonzero(fade > 0.0)
        self.cells = CellBox.around(active, config.grid_size)
        self.register_buffer("active_cells", torch.from_numpy(self.cells.local(active)))  # (A,) in the box
        box_scale, box_shift = torch.tensor(self.cells.scale()), torch.tensor(self.cells.shift())
        # As float32 numbers, x's (scale, shift) then y's, for the Newton steps' planes (_newton_step).
        self.box_to_grid = tuple((float(scale), float(shift))
                                 for scale, shift in zip(box_scale, box_shift, strict=True))
        active_basis = basis[active, : len(landmarks)] * fade[active, None]  # (A, 478)
        # Stored transposed: the product is one frame's two rows times this, (2, 478) @ (478, A), which
        # BLAS runs 5x faster than (A, 478) @ (478, 2), and a fixed shape per frame gives a frame the
        # same bits alone or in a batch of any size.
        self.register_buffer("basis_rows", torch.from_numpy(active_basis.T.copy()).float())  # (478, A)
        self.register_buffer("rest_blendshapes", torch.as_tensor(rest.blendshapes, dtype=torch.float32)[None])
        self.register_buffer("source_xy", torch.from_numpy(landmarks[:, :2]).float())
        self.register_buffer("source_xyz", torch.from_numpy(landmarks).float())
        # Pixel displacements → grid_sample's normalised units (align_corners=False: 2 / size).
        self.register_buffer("to_normalised", torch.tensor([2.0 / width, 2.0 / height]))
        coarse_identity = self.cells.crop(_identity_grid(config.grid_size, config.grid_size))  # (1, h, w, 2)
        self.register_buffer("coarse_identity_x", coarse_identity[..., 0].contiguous())  # (1, h, w)
        self.register_buffer("coarse_identity_y", coarse_identity[..., 1].contiguous())
        # A step made worse by more than this, in grid units (float32, as the error is), is halved back.
        self.newton_setback = float(NEWTON_SETBACK_PX * self.to_normalised.max())
        # The coarse offset, in grid_sample's units as the Newton steps work, → the portrait's pixels.
        self.register_buffer("to_pixels", (1.0 / self.to_normalised)[:, None, None])  # (2, 1, 1)
        view_identity = _view_grid(self.view, width, height)  # (1, h, w, 2)
        self.register_buffer("view_pixels", _view_pixels(self.view))  # (1, 2, h, w): each pixel's own place
        self.moving = self.cells.moving_pixels(self.view, width, height)
        rows, columns = self.moving
        # The moving part's pixels in the box's coordinates, where the coarse offset is read: fixed per avatar.
        self.register_buffer("moving_in_box", view_identity[:, rows, columns] * box_scale + box_shift)
        self.resampling = Resampling((width, height), config.grid_size,
                                     (self.cells.top, self.cells.left, *self.cells.shape), self.view, self.moving,
                                     opencv=torch.device(config.device).type == "cpu")
        # Channels last: the reads take a pixel's three channels together (grid_sample 1.7x faster on
        # CPU; cv2.remap reads only this layout), and the frames come out in the layout the (B, H, W, 3)
        # result wants.
        portrait = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).float()[None]  # (1, 3, H, W)
        smooth, grain = _grain_split(portrait, palette.style.strokes)
        self.register_buffer("portrait", smooth.contiguous(memory_format=torch.channels_last))
        self.register_buffer("portrait_grain", None if grain is None else grain.contiguous(
            memory_format=torch.channels_last))
        self.paper = None if grain is None else PaperGrain(grain, palette.grain)
        left, top, view_width, view_height = self.view
        # What a frame shows where nothing moves: the portrait's own pixels, copied, not resampled.
        self.register_buffer("still_view", portrait[:, :, top:top + view_height, left:left + view_width]
                             .contiguous(memory_format=torch.channels_last))
        self.inner_upper, self.inner_lower = list(LIPS.inner_upper[1:-1]), list(LIPS.inner_lower[1:-1])
        self.mouth = MouthInterior(image, landmarks, palette)
        # Each corner of the mouth, outer and inner, the image's left one first (as the mouth's corner_index).
        inner_ends = dict(zip(LIPS.corners, (LIPS.inner_upper[0], LIPS.inner_upper[-1]), strict=True))
        self.left_corner_side, self.right_corner_side = (
            [corner, inner_ends[corner]] for corner in left_to_right(LIPS.corners, landmarks))
        self.eyes = EyeLayer(image, landmarks, palette.style, palette.grain, frame=alpha)
        self.to(config.device)

    @property
    def device(self) -> torch.device:
        return self.portrait.device

    @property
    def coarse_identity_planes(self) -> Planes:
        return self.coarse_identity_x, self.coarse_identity_y

    @torch.inference_mode()
    def render(self, blendshapes, poses) -> torch.Tensor:
        """(B, 52) ARKit weights and (B, 6) head poses (pitch, yaw, roll, x, y, z) → (B, h, w, 3) uint8
        pictures of the view."""
        weights = _as_tensor(blendshapes, self.device, NUM_BLENDSHAPES, "blendshapes")
        poses = _as_tensor(poses, self.device, POSE_WIDTH, "poses")
        if len(weights) != len(poses):
            raise ValueError(f"got {len(weights)} blendshape rows but {len(poses)} poses")
        motion = self.head.motion(poses)  # once: three point clouds turn with it
        deltas = weights - self.rest_blendshapes  # (B, 52) the expression over the portrait's own
        points = self._placed_landmarks(deltas, motion)  # (B, 478, 2)
        skull_points = self.head.place(self.source_xyz.expand(len(poses), -1, -1), motion)  # the rest expression
        rounded = rounding(deltas)  # (B,)
        backward, coarse_offset = self._backward(self._tucked(self._untorn(points - self.source_xy), points,
                                                              skull_points, rounded))
        frames = self._warped(backward, self._stretched(coarse_offset))
        gaze_points = self._placed_landmarks(deltas * self.eyes.gaze_shapes, motion)  # the rest plus the gaze
        offset = self.view[:2]
        jaw_points = None
        if self.mouth.rides_jaw > 0.0:  # a portrait showing its own teeth: its lower row rides with the jaw
            jaw_points = self._placed_landmarks(deltas * self.mouth.jaw_shapes, motion)
        self.mouth(frames, points, skull_points, offset, rounded, self.deformer.seal.strength(deltas), backward,
                   jaw_points)
        self.eyes(frames, points, skull_points, gaze_points, offset)
        if self.rigid is not None:
            self.rigid(frames, skull_points, offset)
        return self.resampling.pixels(frames)

    def _stretched(self, offset: torch.Tensor) -> StretchedReads | None:
        """Where the frames' backward offsets ((B, 2, h, w) on the box's cells, grid_sample's units)
        stretch the portrait enough that a drawing's grain is the paper's (stretched_grain.py); None for
        a portrait not made of strokes, or a batch that stretches it nowhere."""
        if self.paper is None:
            return None
        width, height = self.resampling.image_size
        weights = stretch_weights(_jacobian(offset, 2.0 / self.config.grid_size), width, height)  # (B, 1, h, w)
        if not bool((weights > 0.0).any()):
            return None
        return StretchedReads(self.paper, self.resampling.offsets(weights, self.moving_in_box))

    def _warped(self, backward: torch.Tensor, stretched: StretchedReads | None = None) -> torch.Tensor:
        """(B, 3, h, w) channels last: the portrait read through each frame's backward maps where the
        field can move anything (`moving`), copied elsewhere, where the maps are the identity and
        resampling only reproduced the portrait (12-16 % of the view at head framing on the test
        portraits: the field reaches 2.4 face-oval sizes around the face)."""
        frames = torch.empty((len(backward), *self.still_view.shape[1:]), device=self.device,
                             memory_format=torch.channels_last)
        # Only the still part is copied (the band the moving part leaves on each side): the rest is drawn.
        for still_rows, still_columns in _still_bands(self.moving, *frames.shape[-2:]):
            frames[:, :, still_rows, still_columns] = self.still_view[:, :, still_rows, still_columns]
        self.resampling.portrait_into(frames, self.portrait, backward, self.portrait_grain, stretched)
        return frames

    def _untorn(self, displacements: torch.Tensor) -> torch.Tensor:
        """(B, 478, 2) displacements as the warp takes them: each inner-lip pair moved alike.

        Parting lips tears the picture along the line where they meet — a pixel or two apart in a
        closed mouth, moving tens of pixels apart — and a smooth spline forced through that tear rings
        and folds all around the mouth. The lips and what shows between them are drawn by the mouth
        layers from the true landmarks; the warp only has to carry the face around them smoothly."""
        pairs = (displacements[:, self.inner_upper] + displacements[:, self.inner_lower]) / 2  # (B, K, 2)
        smooth = displacements.clone()
        smooth[:, self.inner_upper] = pairs
        smooth[:, self.inner_lower] = pairs
        return smooth

    def _tucked(self, displacements: torch.Tensor, points: torch.Tensor, skull_points: torch.Tensor,
                rounded: torch.Tensor) -> torch.Tensor:
        """(B, 478, 2) displacements as the warp takes them, with rounded lips' corners (`rounded` (B,),
        lip_bands.rounding) gathered further in than the lips' corners (CORNER_TUCK).

        The lip bands roll the lips' ends out of sight (lip_bands.py); what lay just beyond the corners
        — a photo's shadowed corner, a drawing's mouth line reaching past the landmarks' corners — is
        the warp's, and it would stay beside the narrower mouth as a dark speck or block. Gathered in
        under the lips, it goes where the lips' ends went."""
        if not bool((rounded > 0.0).any()):
            return displacements
        corners = points[:, self.mouth.corner_index]  # (B, 2, 2) the image's left corner, then its right
        rest = skull_points[:, self.mouth.corner_index]
        tuck = CORNER_TUCK * rounded * (rest[:, 1] - rest[:, 0]).norm(dim=-1)  # (B,) pixels
        span = corners[:, 1] - corners[:, 0]
        inwards = span / span.norm(dim=-1, keepdim=True).clamp(min=1e-3)  # (B, 2) left corner → right
        tucked = displacements.clone()
        for side, sign in ((self.left_corner_side, 1.0), (self.right_corner_side, -1.0)):
            tucked[:, side] += (sign * tuck[:, None] * inwards)[:, None]
        return tucked

    def landmark_positions(self, weights: torch.Tensor, poses: torch.Tensor) -> torch.Tensor:
        """(B, 478, 2) pixel position of every landmark: expression, then head pose."""
        return self._placed_landmarks(weights - self.rest_blendshapes, self.head.motion(poses))

    def _placed_landmarks(self, deltas: torch.Tensor, motion: HeadMotion) -> torch.Tensor:
        """landmark_positions from (B, 52) the expression over the portrait's own and the frames' head
        motion, as render has them."""
        return self.head.place(self.source_xyz + self.deformer(deltas), motion)  # deformed: (B, 478, 3)

    def backward_maps(self, displacements: torch.Tensor) -> torch.Tensor:
        """(B, 478, 2) pixels → (B, 2, h, w): where each of the view's pixels reads the portrait, x and
        y planes in its pixels."""
        return self._backward(displacements)[0]

    def _backward(self, displacements: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """`backward_maps`, and the coarse offset they were upsampled from ((B, 2, h, w) on the box's
        cells, grid_sample's units)."""
        batch, (rows, columns) = len(displacements), self.cells.shape
        controls = (displacements * self.to_normalised).transpose(1, 2)  # (B, 2, 478)
        # Four frames' x and y rows at a time: each frame's bits as alone, the basis read once per block.
        active = blocked_rows_matmul(controls.reshape(2 * batch, -1), self.basis_rows, BASIS_BLOCK_ROWS)
        active = active.reshape(batch, 2, -1).transpose(1, 2)  # (B, A, 2)
        forward = displacements.new_zeros(batch, rows * columns, 2).index_copy_(1, self.active_cells, active)
        forward = forward.reshape(batch, rows, columns, 2).permute(0, 3, 1, 2)  # (B, 2, h, w) over the box
        spacing = 2.0 / self.config.grid_size
        field = torch.cat([forward, _jacobian(forward, spacing)], dim=1)  # (B, 6, h, w): d and its 4 derivatives
        # x and y apart, each a contiguous (B, h, w) plane: the steps' arithmetic on planes runs a third
        # faster than on (B, h, w, 2) pairs, whose x and y it read strided.
        target = tuple(plane.expand(batch, -1, -1) for plane in self.coarse_identity_planes)
        source = best = target
        best_error = torch.full(target[0].shape, math.inf, device=target[0].device)  # (B, h, w)
        for _ in range(self.config.inversion_steps):
            stepped, error = _newton_step(field, source, target, self.box_to_grid)
            # The last step made it worse by more than NEWTON_SETBACK_PX: halve it back (_newton_step).
            # Smaller setbacks are Newton's own way through a squeeze (a lid shutting), left to it.
            worse = error > best_error + self.newton_setback
            halved = tuple((now + kept) / 2 for now, kept in zip(source, best, strict=True))
            best = tuple(torch.where(worse, kept, now) for now, kept in zip(source, best, strict=True))
            source = tuple(torch.where(worse, back, new) for back, new in zip(halved, stepped, strict=True))
            best_error = torch.minimum(error, best_error)
        offset = torch.stack([now - start for now, start in zip(source, target, strict=True)], dim=1)  # (B, 2, h, w)
        # Bilinear upsampling (align_corners=False, edges repeated), read at the moving pixels of the
        # view only. The box's edge cells hold no offset, so reading beyond them gives the zero the grid
        # holds there, and elsewhere in the view the maps are the identity.
        rows, columns = self.moving
        # The identity copied only where nothing moves, as the frames are (_warped): a whole copy, then
        # the offset added in place, wrote the moving part twice.
        maps = offset.new_empty((batch, *self.view_pixels.shape[1:]))
        for still_rows, still_columns in _still_bands(self.moving, *maps.shape[-2:]):
            maps[:, :, still_rows, still_columns] = self.view_pixels[:, :, still_rows, still_columns]
        self.resampling.maps_into(maps[:, :, rows, columns], self.view_pixels[:, :, rows, columns],
                                  offset * self.to_pixels, self.moving_in_box)
        return maps, offset


def _grain_split(portrait: torch.Tensor, strokes: float) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(1, 3, H, W) float `portrait` → the part to read blended and its grain to read from the nearest
    pixel (None for a portrait not made of strokes, read whole as it was).

    A moving pixel reads the portrait between its pixels, and a bilinear read there averages up to four
    of them: on a drawing whose paper and strokes are grainy at the pixel, every sub-pixel offset of a
    turning head smoothed the face (its fine detail where the warp moved it fell to 0.89 of its rest's
    with the head turned 2°, tests/test_render_layers.py), so the face's grain came and went with the
    head against the still paper around it. The detail finer than the style's own texture scale
    (portrait_style.fine_detail), as much of it as the portrait is made of strokes (style.strokes),
    is read from the nearest pixel instead: it moves with the face in whole pixels and keeps its
    strength (0.98). At rest (every read on a pixel) the two parts add back to the portrait."""
    if strokes <= 0.0:
        return portrait, None
    grain = strokes * fine_detail_planes(portrait)
    return portrait - grain, grain


def _still_bands(moving: tuple[slice, slice], height: int, width: int) -> tuple[tuple[slice, slice], ...]:
    """(rows, columns) of the four bands a view of `height` × `width` leaves around its `moving` rows
    and columns: above, below, left and right of them."""
    rows, columns = moving
    return ((slice(0, rows.start), slice(None)), (slice(rows.stop, height), slice(None)),
            (rows, slice(0, columns.start)), (rows, slice(columns.stop, width)))


def _jacobian(forward: torch.Tensor, spacing: float) -> torch.Tensor:
    """(B, 2, h, w) field → (B, 4, h, w): ∂dx/∂x, ∂dx/∂y, ∂dy/∂x, ∂dy/∂y in normalised units, the
    cells `spacing` apart."""
    padded = F.pad(forward, (1, 1, 1, 1), mode="replicate")
    along_x = (padded[..., 1:-1, 2:] - padded[..., 1:-1, :-2]) / (2.0 * spacing)  # (B, 2, G, G)
    along_y = (padded[..., 2:, 1:-1] - padded[..., :-2, 1:-1]) / (2.0 * spacing)
    return torch.stack([along_x, along_y], dim=2).flatten(1, 2)  # (B, 4, G, G) rows dx, dy


def _newton_step(field: torch.Tensor, source: Planes, target: Planes, box_to_grid: tuple[tuple[float, float], ...]
                 ) -> tuple[Planes, torch.Tensor]:
    """One step towards the source s with s + d(s) = target, and how far off s was (|s + d(s) − target|),
    s and the target as x and y planes (B, G, G) each. The field covers the box of cells that each
    coordinate's (scale, shift) in `box_to_grid` maps the grid's coordinates into (CellBox).

    Plain fixed-point steps s ← p − d(s) diverge where the field stretches or squeezes by more than
    its own size (a jaw opening, a lid closing), so each step divides by I + ∂d/∂s. Starting from
    s = p with a flat field this is the fixed-point step; the Jacobian only sharpens it. Newton alone
    cycles where a large displacement rises steeply between two flat stretches (under the lower lip
    of a wide-open jaw: the chin moved 77 px, the upper lip 0, the rise over 36 px): from either flat
    side the local slope sends it past the rise to the other, so it jumped between two wrong
    sources, cell by coarse cell (stair-stepped folds). The caller halves a step that made the
    error worse, back towards the best source so far.
    """
    source_x, source_y = source
    # Each plane scaled into its place among the pairs: a (2,) scale broadcast over (B, G, G, 2) pairs
    # runs torch's inner loop two elements long, several times slower, for the same bits.
    where = source_x.new_empty((*source_x.shape, 2))
    for coordinate, (plane, (scale, shift)) in enumerate(zip(source, box_to_grid, strict=True)):
        torch.add(plane * scale, shift, out=where[..., coordinate])
    sampled = F.grid_sample(field, where, mode="bilinear", padding_mode="border", align_corners=False)
    d_x, d_y, a, b, c, d = sampled.unbind(dim=1)  # each (B, G, G); [[1 + a, b], [c, 1 + d]] = I + J
    residual_x = source_x + d_x - target[0]
    residual_y = source_y + d_y - target[1]
    # Where the map squeezes hard (a lid shutting) or folds (a cheek turning past its silhouette) the
    # determinant nears or crosses 0; the floor turns the step there into a damped fixed-point step
    # instead of a leap that pulls background pixels into the face.
    one_a, one_d = 1.0 + a, 1.0 + d
    determinant = (one_a * one_d - b * c).clamp(min=MIN_JACOBIAN_DETERMINANT)
    stepped = (source_x - (one_d * residual_x - b * residual_y) / determinant,
               source_y - (one_a * residual_y - c * residual_x) / determinant)
    return stepped, torch.hypot(residual_x, residual_y)


@dataclass(frozen=True)
class CellBox:
    """The rectangle of the coarse grid where the field can move anything: its active cells and two
    cells more each way. Outside it the field and its derivatives are zero, so every cell there maps
    to itself; the Newton steps and the upsampling work on the box alone (38-71 % of the grid at head
    framing on the test portraits, where the fade leaves the margin still)."""

    top: int
    left: int
    shape: tuple[int, int]  # rows, columns
    grid_size: int

    @classmethod
    def around(cls, active: np.ndarray, grid_size: int) -> CellBox:
        rows, columns = np.divmod(active, grid_size)
        if len(active) == 0:  # nothing ever moves: a token box
            return cls(0, 0, (1, 1), grid_size)
        top, left = max(0, int(rows.min()) - 2), max(0, int(columns.min()) - 2)
        bottom, right = min(grid_size, int(rows.max()) + 3), min(grid_size, int(columns.max()) + 3)
        return cls(top, left, (bottom - top, right - left), grid_size)

    def local(self, cells: np.ndarray) -> np.ndarray:
        """Flat indices into the grid → flat indices into the box."""
        rows, columns = np.divmod(cells, self.grid_size)
        return (rows - self.top) * self.shape[1] + (columns - self.left)

    def crop(self, grid: torch.Tensor) -> torch.Tensor:
        """(1, G, G, C) → (1, h, w, C), the box's cells."""
        return grid[:, self.top:self.top + self.shape[0], self.left:self.left + self.shape[1]].contiguous()

    def moving_pixels(self, view: tuple[int, int, int, int], width: int, height: int) -> tuple[slice, slice]:
        """The rows and columns of a view (left, top, width, height) of a `width` × `height` image
        where the offset upsampled from the box can be anything but 0: the pixels whose bilinear read
        of the grid (align_corners=False) touches a cell of the box, and one more each way."""
        left, top, view_width, view_height = view

        def span(first_cell: int, cells: int, size: int, start: int, length: int) -> slice:
            cell_px = size / self.grid_size  # a pixel p reads the cells around (p + 0.5) / cell_px - 0.5
            low = math.floor((first_cell - 0.5) * cell_px - 0.5) - 1
            high = math.ceil((first_cell + cells + 0.5) * cell_px - 0.5) + 1
            return slice(min(max(low - start, 0), length), min(max(high + 1 - start, 0), length))

        return (span(self.top, self.shape[0], height, top, view_height),
                span(self.left, self.shape[1], width, left, view_width))

    def scale(self) -> tuple[float, float]:
        """x and y of the grid's normalised coordinates (align_corners=False) × this + shift() = the box's."""
        return self.grid_size / self.shape[1], self.grid_size / self.shape[0]

    def shift(self) -> tuple[float, float]:
        rows, columns = self.shape
        return ((self.grid_size - columns - 2 * self.left) / columns, (self.grid_size - rows - 2 * self.top) / rows)


def _checked_view(view: tuple[int, int, int, int], width: int, height: int) -> tuple[int, int, int, int]:
    left, top, view_width, view_height = (int(value) for value in view)
    if not (0 <= left and 0 <= top and 0 < view_width and 0 < view_height
            and left + view_width <= width and top + view_height <= height):
        raise InvalidConfigError(f"view {tuple(view)} does not lie inside the {width}x{height} image")
    return left, top, view_width, view_height


def _view_grid(view: tuple[int, int, int, int], width: int, height: int) -> torch.Tensor:
    """(1, h, w, 2) grid_sample coordinates (align_corners=False) of the view's pixel centres in the image."""
    left, top, view_width, view_height = view
    return _identity_grid(height, width)[:, top:top + view_height, left:left + view_width].contiguous()


def _view_pixels(view: tuple[int, int, int, int]) -> torch.Tensor:
    """(1, 2, h, w) the x and y planes of the view's pixels in the image, pixel centres at integers."""
    left, top, view_width, view_height = view
    ys = torch.arange(top, top + view_height, dtype=torch.float32)
    xs = torch.arange(left, left + view_width, dtype=torch.float32)
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([grid_x, grid_y])[None]


def _identity_grid(height: int, width: int) -> torch.Tensor:
    """(1, H, W, 2) grid_sample coordinates of every pixel centre (align_corners=False)."""
    ys = (torch.arange(height, dtype=torch.float32) + 0.5) / height * 2.0 - 1.0
    xs = (torch.arange(width, dtype=torch.float32) + 0.5) / width * 2.0 - 1.0
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([grid_x, grid_y], dim=-1)[None]
