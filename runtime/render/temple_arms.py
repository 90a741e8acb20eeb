"""Temple arms: the glasses' parts that run back from the rims to the ears, and how they move.

Glasses are rigid in 3D, but the rigid layer moves them in 2D with one affine map, fitted to the
landmarks under the lenses: right for the rims, wrong for the arms, whose far ends lie at the ear,
deep behind the eyes. A head turned away swings the rims further than the side of the head, so an
arm carried by the rims' map overshot its ear: its end came off the hair onto the cheek, and the
skin filled in where it had lain (a blend of hair and skin) showed behind it as a dark smear. So each
arm is drawn through its own map: its hinge moves with the rims, its end with the side of the head
(the landmarks around it, at the rest expression), and between them the arm stretches or
foreshortens along its length, while across it the arm moves as the rims do. A turn foreshortens an
arm; it does not turn the arm's width: with its width kept square to its new length, a far arm at yaw
±15° turned by 15–168° on the test portraits (a short new length points wherever its end's pixel or two
of rise takes it, and past about 90° the side of the head had moved further than the arm is long: the
arm was drawn folded back past its hinge), and everything of the layer across it — the rim's side where
the arm leaves it, the skin at its edges — swung out as a long thin line over the hair.

The arms are found in the layer's alpha, per side, by how far the layer runs unbroken across the line
from the eye outwards: a lens's outer rim runs tall there, an arm is as thin as a line. What lies
beyond the lens's last tall run is the arm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from runtime.face.line_runs import run_bounds
from runtime.render.landmark_groups import LEFT_EYE, RIGHT_EYE, EyeGroup, mean_eye_width
from runtime.render.linear_2d import applied, product

ARM_MAX_WIDTH = 0.5  # eye widths: no run of the layer across an arm is longer (a lens's side is twice that)
# Eye widths past the eye's outer corner that a lens reaches at most: the glasses' finder seeks a rim
# up to 1.35 eye widths from the eye's centre (glasses.RIM_REACH), 0.85 past its corner, and a thick
# rim's outer edge lies a little further.
LENS_REACH = 1.0
ARM_MIN_LENGTH = 0.15  # eye widths: a shorter run past the lens is a hinge, drawn with the rims
END_LANDMARKS = 4  # the arm's end moves as these nearest landmarks do (inverse-distance weights)
HINGE_SPAN_PX = 2  # the hinge and end points are the mean of the layer's pixels this far along the arm
# The least share of its length an arm keeps across its width's line: a head turned so far that the side
# of the head passes the hinge would fold the arm's map over (and its inverse blow up).
MIN_FORESHORTENING = 0.1


@dataclass(frozen=True)
class TempleArm:
    """One arm: where it leaves the rim and where it ends (portrait pixels), the layer's pixels that
    are arm, and which landmarks carry its end."""

    hinge: np.ndarray  # (2,)
    end: np.ndarray  # (2,)
    pixels: np.ndarray  # (H, W) bool
    end_landmarks: np.ndarray  # (END_LANDMARKS,) int
    end_weights: np.ndarray  # (END_LANDMARKS,) float, summing to 1


def find_temple_arms(alpha: np.ndarray, landmarks: np.ndarray) -> list[TempleArm]:
    """The arms in a rigid layer's alpha (H, W), the image's left one first; none where a side's
    layer never narrows to an arm."""
    landmarks = np.asarray(landmarks, dtype=np.float64)[:, :2]
    eye_width = mean_eye_width(landmarks)
    rows, columns = np.nonzero(alpha > 0.0)
    points = np.stack([columns, rows], axis=1).astype(np.float64)
    arms = []
    for eye in sorted((RIGHT_EYE, LEFT_EYE), key=lambda eye: landmarks[eye.outer_corner, 0]):
        arm = _arm(points, alpha.shape, landmarks, eye, eye_width)
        if arm is not None:
            arms.append(arm)
    return arms


def _arm(points: np.ndarray, shape: tuple[int, int], landmarks: np.ndarray, eye: EyeGroup, eye_width: float
         ) -> TempleArm | None:
    corner = landmarks[eye.outer_corner]
    outwards = corner - landmarks[eye.inner_corner]
    outwards /= np.linalg.norm(outwards)
    across = np.array([-outwards[1], outwards[0]])
    along, side = (points - corner) @ outwards, (points - corner) @ across
    near = (along >= 0.0) & (np.abs(side) <= 1.5 * eye_width)
    if not near.any():
        return None
    steps = np.floor(along[near]).astype(int)
    across_bins = np.floor(side[near] + 1.5 * eye_width).astype(int)
    occupied = np.zeros((steps.max() + 1, across_bins.max() + 1), bool)  # (step along, pixel across)
    occupied[steps, across_bins] = True
    wide = np.flatnonzero(_longest_runs(occupied) > ARM_MAX_WIDTH * eye_width)
    wide = wide[wide <= LENS_REACH * eye_width]  # further out, a tall run is hair the mask took in
    start = wide[-1] + 1 if len(wide) else 0
    if len(occupied) - start < ARM_MIN_LENGTH * eye_width or not len(wide):
        return None  # no lens before it (nothing to hinge on), or no arm after it
    chosen = np.flatnonzero(near)[steps >= start]
    arm_points = points[chosen]
    arm_along = along[chosen]
    hinge = arm_points[arm_along < arm_along.min() + HINGE_SPAN_PX].mean(axis=0)  # past any gap after the lens
    end = arm_points[arm_along >= arm_along.max() - HINGE_SPAN_PX].mean(axis=0)
    if np.linalg.norm(end - hinge) < ARM_MIN_LENGTH * eye_width:
        return None  # a speck past a gap, not an arm: its map would have no length to stretch
    pixels = np.zeros(shape, bool)
    pixels[arm_points[:, 1].astype(int), arm_points[:, 0].astype(int)] = True
    distances = np.linalg.norm(landmarks - end, axis=1)
    nearest = np.argsort(distances)[:END_LANDMARKS]
    weights = 1.0 / np.maximum(distances[nearest], 1.0)
    return TempleArm(hinge, end, pixels, nearest, weights / weights.sum())


def _longest_runs(occupied: np.ndarray) -> np.ndarray:
    """(rows,) the longest run of True in each row of a 2D bool array: across a lens, its outer rim
    runs tall; across an arm, the arm is a short run, however many stray pixels lie above or below it."""
    longest = np.zeros(len(occupied), int)
    for row, values in enumerate(occupied):
        starts, ends = run_bounds(values)
        if len(starts):
            longest[row] = int((ends - starts).max())
    return longest


class ArmMotion(torch.nn.Module):
    """Per frame, the affine map (linear (B, 2, 2), shift (B, 2)) of one arm from the rims' map and
    the head's landmarks at the rest expression. Identity, exactly, when neither has moved."""

    def __init__(self, arm: TempleArm, rest_landmarks: np.ndarray) -> None:
        super().__init__()
        length = torch.from_numpy(arm.end - arm.hinge).float()
        normal = torch.stack([-length[1], length[0]]) / length.norm()  # across the arm, at rest (unit)
        basis = torch.stack([length, normal], dim=1).double()  # columns: along the arm (its length), across (unit)
        self.register_buffer("hinge", torch.from_numpy(arm.hinge).float())
        self.register_buffer("length", length)
        self.register_buffer("normal", normal)
        # The least the arm stays from its width's line, per unit of that width (_unfolded).
        self.register_buffer("least_height", MIN_FORESHORTENING * length.norm())
        self.register_buffer("basis_inverse", torch.linalg.inv(basis).float())
        self.register_buffer("end_landmarks", torch.from_numpy(arm.end_landmarks.astype(np.int64)))
        self.register_buffer("end_weights", torch.from_numpy(arm.end_weights).float())
        rest = np.asarray(rest_landmarks, dtype=np.float64)[arm.end_landmarks, :2]
        self.register_buffer("rest_end_landmarks", torch.from_numpy(rest).float())
        self.register_buffer("identity", torch.eye(2))

    def forward(self, rims_change: torch.Tensor, rims_shift: torch.Tensor, skull_points: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """rims_change (B, 2, 2): the rims' linear map minus the identity; rims_shift (B, 2); skull_points
        (B, 478, 2)."""
        # Motions from rest, each exactly 0 at rest, so the map is the identity's bits there.
        hinge_motion = applied(rims_change, self.hinge[None, None])[:, 0] + rims_shift  # (B, 2)
        end_motion = (self.end_weights[:, None] * (skull_points[:, self.end_landmarks] - self.rest_end_landmarks)
                      ).sum(dim=1)  # (B, 2)
        across_change = applied(rims_change, self.normal[None, None])[:, 0]  # (B, 2) the rims' map of its width
        length = self._unfolded(self.length + end_motion - hinge_motion, self.normal + across_change)
        columns_change = torch.stack([length - self.length, across_change], dim=2)  # (B, 2, 2)
        linear = self.identity + product(columns_change, self.basis_inverse[None])
        shift = self.hinge + hinge_motion - applied(linear, self.hinge[None, None])[:, 0]
        return linear, shift

    def _unfolded(self, length: torch.Tensor, across: torch.Tensor) -> torch.Tensor:
        """(B, 2) the arm's hinge-to-end in the frame, given (B, 2) its width's direction there, kept at
        least MIN_FORESHORTENING of its length away from that direction's line (moved square to it where
        it came closer): the map from the arm at rest (its length, its unit normal) stays unfolded. At
        rest the arm is its whole length from that line, and the length is kept to the bit."""
        height = length[:, 0] * across[:, 1] - length[:, 1] * across[:, 0]  # (B,) the parallelogram's area
        size = across.norm(dim=1, keepdim=True)  # (B, 1)
        least = self.least_height * size[:, 0]
        square = torch.stack([across[:, 1], -across[:, 0]], dim=1) / size.square()
        return torch.where((height < least)[:, None], length + (least - height)[:, None] * square, length)
