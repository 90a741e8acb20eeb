"""BlendshapeDeformer: ARKit weight deltas → displacements of an avatar's 478 face landmarks.

Built once per avatar. Each ARKit shape that shows in a 2D portrait gets a displacement field over
the mesh, made procedurally from the avatar's own landmarks in a face-aligned frame (u along the eye
line towards the subject's left = the image's right, v perpendicular and down, z into the image, all
in face widths), so the same code fits any face size and in-plane tilt. jawOpen is a true rotation of
the lower face about a jaw pivot, so a wide-open jaw swings the chin back as well as down.

Fidelity of each shape (what FaceLandmarker can read back is tested in tests/test_render.py):
- modelled: jawOpen (rotation), jawLeft/Right, mouthClose, mouthFunnel, mouthPucker, mouthLeft/Right,
  mouthSmile, mouthFrown, mouthDimple, mouthStretch, mouthRollLower/Upper, mouthShrugLower/Upper,
  mouthPress, mouthLowerDown, mouthUpperUp, eyeBlink, eyeWide, eyeSquint, eyeLook* (iris shift, the
  upper lid follows a downward look), browDown, browInnerUp, browOuterUp, cheekSquint, cheekPuff
  (a small outward bulge), noseSneer;
- approximated by depth only, so nearly invisible from the front: jawForward, the forward part of
  mouthFunnel/Pucker;
- ignored: tongueOut (needs synthesis, not a warp).
A warp only moves the portrait's pixels; what shows inside the moved lips and lids is drawn by
MouthInterior and EyeLayer. Shapes that pull a few landmarks past their still neighbours would fold
the warp (a pixel of the frame reading two places of the portrait), so the rounding shapes gather
the lips with a smooth bump and the lid skin moves only over the lid's own span.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from runtime.arkit import NUM_BLENDSHAPES, blendshape_index
from runtime.errors import InvalidConfigError
from runtime.numerics import blocked_matmul, hermite_step
from runtime.render.landmark_groups import CHIN, FACE_OVAL, LEFT_EYE, LIPS, NOSE, NOSE_TIP, RIGHT_EYE, EyeGroup
from runtime.render.lip_seal import LipSeal

NUM_LANDMARKS = 478
JAW_PIVOT_BEHIND_OVAL = 0.25  # face widths
MOST_REST_BLINK = 0.8  # a rest read as more closed than this is taken as this: a blink's closing part at most 5x
# Face widths behind the lips over which the skin stops gathering with a rounding mouth: the cheeks'
# outline at the mouth's height lies 0.38-0.56 behind it, the skin beside the corners 0.05-0.2.
AROUND_MOUTH_DEPTH = 0.3
FOREHEAD_REACH = 0.35  # face widths above a brow over which the forehead stops following it
JAW_CHEEK_STEP = 0.4  # face widths below the mouth corners over which the cheek beside it joins the jaw
SIDES = (("Left", LEFT_EYE, 1.0), ("Right", RIGHT_EYE, -1.0))  # ARKit side, eye, direction of +u outwards


@dataclass(frozen=True)
class DeformationConfig:
    # Jaw rotation at jawOpen = 1: the widest a person opens. At 32° the inner lips of a closed-mouthed
    # photo part by 0.87 mouth widths (about 43 mm for a 50 mm mouth; people open 40-50 mm); at the
    # 27° used before, 0.75 (37 mm), and FaceLandmarker read a wide-open jaw as 0.3.
    jaw_open_max_deg: float = 32.0
    # Jaw pivot (the jaw joint, just in front of the ear) below the eye line, as a fraction of the
    # eye-line-to-mouth-corner distance: the joint sits at about the level of the nose's base.
    jaw_pivot_depth_fraction: float = 0.55
    expression_scale: float = 1.0  # multiplies every non-jaw shape

    def __post_init__(self) -> None:
        if not (0.0 < self.jaw_open_max_deg <= 45.0):
            raise InvalidConfigError(f"jaw_open_max_deg must be within (0, 45], got {self.jaw_open_max_deg}")
        if not (0.0 <= self.jaw_pivot_depth_fraction <= 1.5):
            raise InvalidConfigError(
                f"jaw_pivot_depth_fraction must be within [0, 1.5], got {self.jaw_pivot_depth_fraction}")
        if not (0.0 <= self.expression_scale <= 3.0):
            raise InvalidConfigError(f"expression_scale must be within [0, 3], got {self.expression_scale}")


@dataclass(frozen=True, eq=False)
class FaceFrame:
    """The avatar's landmarks in face-aligned coordinates, and the way back to pixels."""

    local: np.ndarray  # (478, 3) u, v, z in face widths, origin at the mouth centre
    axes: np.ndarray  # (2, 2) rows: u and v as image (x, y) unit vectors
    face_width_px: float

    @classmethod
    def of(cls, landmarks: np.ndarray, face_width_px: float) -> FaceFrame:
        points = np.asarray(landmarks, dtype=np.float64)
        eye_line = points[LEFT_EYE.outer_corner, :2] - points[RIGHT_EYE.outer_corner, :2]
        u = eye_line / np.linalg.norm(eye_line)
        v = np.array([-u[1], u[0]])  # u turned a quarter towards the image's down
        axes = np.stack([u, v])
        origin = points[list(LIPS.all)].mean(axis=0)
        relative = points - origin
        local = np.concatenate([relative[:, :2] @ axes.T, relative[:, 2:]], axis=1) / face_width_px
        return cls(local, axes, float(face_width_px))

    def to_pixels(self, local_displacement: np.ndarray) -> np.ndarray:
        """(..., 478, 3) face-width displacements in u, v, z → pixels in x, y, z."""
        planar = local_displacement[..., :2] @ self.axes
        return np.concatenate([planar, local_displacement[..., 2:]], axis=-1) * self.face_width_px


def _gaussian(local: np.ndarray, centre: np.ndarray, sigma: float) -> np.ndarray:
    """(478,) weights falling off with the in-plane distance from `centre` (face widths)."""
    distance2 = ((local[:, :2] - centre[:2]) ** 2).sum(axis=1)
    return np.exp(-distance2 / (2.0 * sigma**2))


def _side(local: np.ndarray, direction: float) -> np.ndarray:
    """(478,) ≈1 on one side of the face's midline, ≈0 on the other, a soft step across the lips."""
    return 1.0 / (1.0 + np.exp(-direction * local[:, 0] / 0.03))



class ShapeBuilder:
    """Builds the (52, 478, 3) linear basis, in face widths, one small method per shape family."""

    def __init__(self, frame: FaceFrame) -> None:
        self.local = frame.local
        self.basis = np.zeros((NUM_BLENDSHAPES, NUM_LANDMARKS, 3))
        self.mouth_weight = np.maximum(_gaussian(self.local, np.zeros(3), 0.09), self._mask(LIPS.all))

    def _mask(self, indices: tuple[int, ...]) -> np.ndarray:
        mask = np.zeros(NUM_LANDMARKS)
        mask[list(indices)] = 1.0
        return mask

    def add(self, name: str, indices_or_weights, du: float = 0.0, dv: float = 0.0, dz: float = 0.0) -> None:
        weights = indices_or_weights
        if isinstance(weights, tuple):
            weights = self._mask(weights)
        self.basis[blendshape_index(name)] += weights[:, None] * np.array([du, dv, dz])

    def add_field(self, name: str, field: np.ndarray) -> None:
        self.basis[blendshape_index(name)] += field

    def build(self, jaw_weight: np.ndarray) -> np.ndarray:
        self._mouth(jaw_weight)
        for side, eye, direction in SIDES:
            self._mouth_side(side, direction)
            self._eye(side, eye, direction)
            self._brow(side, eye, direction)
            self._cheek_and_nose(side, eye, direction)
        return self.basis

    def _mouth(self, jaw_weight: np.ndarray) -> None:
        local = self.local
        self.add("mouthClose", LIPS.lower, dv=-0.03)
        self.add("mouthClose", LIPS.upper, dv=0.01)
        towards_centre = np.zeros_like(local)
        # Lips gather towards the mouth's centre. The weight is a smooth flat-topped bump, not the lips
        # alone: a corner pulled in past cheek points that stay put would fold the warp.
        towards_centre[:, 0] = -local[:, 0] * self._around_mouth()
        # Seen from the front, rounding shows as a narrower mouth with fuller lips: the lips' outer
        # edges bulge away from the mouth line as they push forward. A funnel also opens the middle.
        # The skin around the mouth gathers with it (_around_mouth reaches well past the corners): a
        # drawn mouth's line, longer than the landmarks' mouth, crumpled into a scribble at a full
        # pucker when only the lips moved in.
        self.add_field("mouthFunnel", 0.38 * towards_centre)
        self.add("mouthFunnel", self.mouth_weight, dz=-0.04)
        self.add("mouthFunnel", self._towards_middle(LIPS.inner_upper), dv=-0.06)
        self.add("mouthFunnel", self._towards_middle(LIPS.inner_lower), dv=0.08)
        self.add("mouthFunnel", self._towards_middle(LIPS.outer_upper), dv=-0.03)
        self.add("mouthFunnel", self._towards_middle(LIPS.outer_lower), dv=0.05)
        self.add_field("mouthPucker", 0.34 * towards_centre)
        self.add("mouthPucker", self.mouth_weight, dz=-0.05)
        # A pucker's lips bulge half as far as a funnel's: at a full pucker they show 1.4-1.7 times as
        # tall from the front (the contact sheet's three portraits) as the mouth narrows to 0.63-0.65 of
        # its width. Twice as tall (1.9-2.1, the funnel's bulge) stretched a closed mouth's thin lips
        # three to four times as far down as across, into a pale, vertically streaked blob with no line
        # where the lips meet.
        self.add("mouthPucker", self._towards_middle(LIPS.outer_upper), dv=-0.015)
        self.add("mouthPucker", self._towards_middle(LIPS.outer_lower), dv=0.02)
        self.add("mouthPucker", LIPS.inner_upper[1:-1], dv=0.01)  # the lips meet: a pucker is closed
        self.add("mouthPucker", LIPS.inner_lower[1:-1], dv=-0.01)
        self.add("jawForward", jaw_weight, dz=-0.05)
        self.add("mouthShrugLower", LIPS.lower, dv=-0.025)
        self.add("mouthShrugLower", jaw_weight * _gaussian(local, local[CHIN], 0.15), dv=-0.015)
        self.add("mouthShrugUpper", LIPS.upper, dv=-0.02)
        self._roll("mouthRollLower", LIPS.outer_lower, LIPS.inner_lower)
        self._roll("mouthRollUpper", LIPS.outer_upper, LIPS.inner_upper)

    def _around_mouth(self) -> np.ndarray:
        """(478,) 1 over the mouth, falling smoothly to 0 well beyond its corners: the skin around the
        mouth gathers with it (a drawn mouth line longer than the landmarks' mouth follows its corners).
        And with depth behind the lips (AROUND_MOUTH_DEPTH): on a turned head the far cheek's outline
        lies beside the mouth in the picture, and gathered with it, a pucker dented the face's edge."""
        corners = self.local[list(LIPS.corners)]
        reach_u = 1.8 * float(np.abs(corners[:, 0]).max())
        reach_v = 0.12
        # z is depth behind the lips already: the face frame's origin is the lips' mean (FaceFrame.of)
        radius2 = ((self.local[:, 0] / reach_u) ** 2 + (self.local[:, 1] / reach_v) ** 2
                   + (self.local[:, 2] / AROUND_MOUTH_DEPTH) ** 2)
        return np.exp(-(radius2**2))

    def _towards_middle(self, contour: tuple[int, ...]) -> np.ndarray:
        """(478,) 1 at a lip contour's middle, falling to 0 at the mouth corners."""
        weights = np.zeros(NUM_LANDMARKS)
        u = self.local[list(contour), 0]
        weights[list(contour)] = np.clip(1.0 - (u / np.abs(u).max()) ** 2, 0.0, 1.0)
        return weights

    def _roll(self, name: str, outer: tuple[int, ...], inner: tuple[int, ...]) -> None:
        # The lip rolls in: its outer edge moves most of the way to its inner edge (paired by position).
        field = np.zeros_like(self.local)
        field[list(outer[1:-1])] = 0.6 * (self.local[list(inner[1:-1])] - self.local[list(outer[1:-1])])
        self.add_field(name, field)

    def _mouth_side(self, side: str, direction: float) -> None:
        local = self.local
        corner = local[LIPS.corners[1] if direction > 0 else LIPS.corners[0]]
        around_corner = _gaussian(local, corner, 0.1)
        on_side = _side(local, direction)
        self.add(f"mouthSmile{side}", around_corner, du=0.05 * direction, dv=-0.06)
        self.add(f"mouthFrown{side}", around_corner, dv=0.05)
        self.add(f"mouthStretch{side}", around_corner, du=0.06 * direction, dv=0.02)
        self.add(f"mouthDimple{side}", around_corner, du=0.03 * direction, dz=0.01)
        self.add(f"mouth{side}", self.mouth_weight, du=0.06 * direction)
        self.add(f"jaw{side}", self._lower_face_weight(), du=0.06 * direction)
        self.add(f"mouthPress{side}", self._mask(LIPS.upper) * on_side, dv=0.01)
        self.add(f"mouthPress{side}", self._mask(LIPS.lower) * on_side, dv=-0.01)
        self.add(f"mouthLowerDown{side}", self._mask(LIPS.lower) * on_side, dv=0.04)
        self.add(f"mouthUpperUp{side}", self._mask(LIPS.upper) * on_side, dv=-0.035)

    def _lower_face_weight(self) -> np.ndarray:
        below_mouth = hermite_step(0.0, 0.1, self.local[:, 1])
        return np.maximum(below_mouth, self._mask(LIPS.lower))

    def _eye(self, side: str, eye: EyeGroup, direction: float) -> None:
        local = self.local
        upper, lower, iris = list(eye.upper_lid), list(eye.lower_lid), list(eye.iris)
        gap = local[lower] - local[upper]  # (9, 3) upper → lower lid, paired outer → inner
        meeting = local[upper] + 0.97 * gap  # lids meet at the lower lid, a little above it, as real lids do
        blink = np.zeros_like(local)
        blink[upper] = meeting - local[upper]
        blink[lower] = meeting - local[lower]
        middle = len(upper) // 2
        # The eyeball's visible part folds into the closing slit: irises squash towards the meeting line.
        blink[iris, 1] = meeting[middle, 1] - local[iris, 1]
        blink[:, 1] += self._upper_lid_skin(eye, exclude=upper + lower + iris) * blink[upper[middle], 1]
        self.add_field(f"eyeBlink{side}", blink)
        opening = np.zeros_like(local)
        opening[upper, 1] = -gap[:, 1]
        self.add_field(f"eyeWide{side}", 0.35 * opening)
        squint = np.zeros_like(local)
        squint[lower, 1] = -0.3 * gap[:, 1]
        squint[upper, 1] = 0.1 * gap[:, 1]
        self.add_field(f"eyeSquint{side}", squint)
        self._gaze(side, eye, direction)

    def _upper_lid_skin(self, eye: EyeGroup, exclude: list[int]) -> np.ndarray:
        """(478,) how far the skin between lid and brow follows the lid: 1 at the lid, 0 at the brow.

        Moving only the lid line against its fixed neighbours a pixel or two away would make a spike
        the coarse grid cannot carry; spreading the motion over the lid's skin keeps the field smooth.
        """
        local = self.local
        lid = local[list(eye.upper_lid)]
        middle = lid[len(lid) // 2]
        brow_level = float(local[list(eye.brow), 1].mean())
        width = eye.width(local)
        # Over the lid's own span only, falling to 0 at its corners: skin beside the eye stays, as
        # points there that moved past their still neighbours below would fold the warp.
        offset = np.clip(np.abs(local[:, 0] - middle[0]) / (0.5 * width), 0.0, 1.0)
        across = np.cos(0.5 * math.pi * offset) ** 2
        below_brow = np.clip((local[:, 1] - brow_level) / (middle[1] - brow_level), 0.0, 1.0)
        weights = across * below_brow * (local[:, 1] < middle[1])
        weights[exclude] = 0.0
        return weights

    def _gaze(self, side: str, eye: EyeGroup, direction: float) -> None:
        local = self.local
        width = eye.width(local)
        self.add(f"eyeLookOut{side}", eye.iris, du=0.3 * width * direction)
        self.add(f"eyeLookIn{side}", eye.iris, du=-0.3 * width * direction)
        self.add(f"eyeLookUp{side}", eye.iris, dv=-0.15 * width)
        self.add(f"eyeLookDown{side}", eye.iris, dv=0.15 * width)
        self.add(f"eyeLookDown{side}", eye.upper_lid[1:-1], dv=0.06 * width)  # the lid follows the eye down

    def _brow(self, side: str, eye: EyeGroup, direction: float) -> None:
        row_length = len(eye.brow) // 2
        towards_inner = np.tile(np.linspace(0.0, 1.0, row_length), 2)  # (10,) along both rows
        inner, outer, down = (np.zeros(NUM_LANDMARKS) for _ in range(3))
        inner[list(eye.brow)] = towards_inner
        outer[list(eye.brow)] = 1.0 - 0.8 * towards_inner
        down[list(eye.brow)] = 1.0
        inner, outer, down = (self._with_forehead(eye, weights) for weights in (inner, outer, down))
        self.add("browInnerUp", inner, dv=-0.07)
        self.add(f"browOuterUp{side}", outer, dv=-0.06)
        self.add(f"browDown{side}", down, dv=0.04)
        self.add(f"browDown{side}", inner, du=-0.02 * direction)

    def _with_forehead(self, eye: EyeGroup, brow_weights: np.ndarray) -> np.ndarray:
        """(478,) a brow shape's weights carried up into the forehead, fading over FOREHEAD_REACH.

        A brow moved against forehead points a few pixels above it that stay put squeezes the skin
        between them past folding: raised brows came out doubled and torn. Skin over a raised brow
        rises with it, less and less towards the hairline."""
        local = self.local
        brow = list(eye.brow)
        order = np.argsort(local[brow, 0])
        along = local[brow, 0][order]
        level = np.interp(local[:, 0], along, local[brow, 1][order])  # the brow's height at each u
        share = np.interp(local[:, 0], along, brow_weights[brow][order], left=0.0, right=0.0)
        above = np.clip(1.0 - (level - local[:, 1]) / FOREHEAD_REACH, 0.0, 1.0) * (local[:, 1] < level)
        weights = np.maximum(brow_weights, share * above * above)
        weights[brow] = brow_weights[brow]
        return weights

    def _cheek_and_nose(self, side: str, eye: EyeGroup, direction: float) -> None:
        local = self.local
        eye_centre = local[list(eye.lids)].mean(axis=0)
        under_eye = eye_centre + np.array([0.0, 0.15, 0.0])
        self.add(f"cheekSquint{side}", _gaussian(local, under_eye, 0.08), dv=-0.03)
        self.add(f"cheekSquint{side}", eye.lower_lid[1:-1], dv=-0.01)
        corner = local[LIPS.corners[1] if direction > 0 else LIPS.corners[0]]
        cheek = (eye_centre + corner) / 2 + np.array([0.08 * direction, 0.0, 0.0])
        self.add("cheekPuff", _gaussian(local, cheek, 0.08), du=0.03 * direction)
        nose_side = [i for i in NOSE if direction * local[i, 0] > 0.04]
        wing = local[nose_side].mean(axis=0) if nose_side else local[NOSE_TIP]
        self.add(f"noseSneer{side}", _gaussian(local, wing, 0.05), dv=-0.03)


def jaw_weights(local: np.ndarray) -> np.ndarray:
    """(478,) how fully each landmark rides on the jaw: lower lip and chin 1, upper lip 0, corners ½."""
    corners = [LIPS.corners[0], LIPS.corners[1], LIPS.inner_upper[0], LIPS.inner_upper[-1]]
    corner_level = float(local[corners, 1].mean())
    # Under the lips the chin rides on the jaw at once; beside the mouth the cheek shears between the
    # still upper face and the jaw, over a step that widens outwards: a jaw that drops the chin by a
    # fifth of a face width folds the cheek over a step as narrow as the chin's.
    corner_u = float(np.abs(local[corners, 0]).max())
    beside = np.clip((np.abs(local[:, 0]) - 0.6 * corner_u) / (0.8 * corner_u), 0.0, 1.0)
    depth = 0.08 + (JAW_CHEEK_STEP - 0.08) * beside  # (478,) face widths below the corners
    weights = np.clip((local[:, 1] - (corner_level - 0.04)) / (depth + 0.04), 0.0, 1.0)
    weights = weights * weights * (3.0 - 2.0 * weights)
    # Along each lip the share eases towards the corners' half, so an opening jaw draws the mouth
    # into a lens: a lip that jumped from 0 (or 1) to the corners' ½ in one landmark would kink the
    # opening's ends into hooks.
    towards_corner = np.clip(np.abs(local[:, 0]) / np.abs(local[corners, 0]).max(), 0.0, 1.0) ** 3
    lower, upper = list(LIPS.lower), list(LIPS.upper)
    weights[lower] = 1.0 - 0.5 * towards_corner[lower]
    weights[upper] = 0.5 * towards_corner[upper]
    weights[corners] = 0.5
    return weights


class BlendshapeDeformer(nn.Module):
    """(B, 52) ARKit weight deltas (frame − avatar rest) → (B, 478, 3) landmark displacements in pixels."""

    def __init__(self, landmarks: np.ndarray, face_width_px: float, config: DeformationConfig = DeformationConfig(),
                 rest_weights: np.ndarray | None = None):
        """`rest_weights` (52,): the portrait's own expression, which the deltas are taken from."""
        super().__init__()
        frame = FaceFrame.of(landmarks, face_width_px)
        jaw = jaw_weights(frame.local)
        basis = ShapeBuilder(frame).build(jaw) * config.expression_scale
        basis[blendshape_index("jawOpen")] = 0.0  # drawn by the rotation below, not linearly
        self.jaw_open_index = blendshape_index("jawOpen")
        self.pucker_index = blendshape_index("mouthPucker")
        self.smile_indices = [blendshape_index(f"mouthSmile{side}") for side, _, _ in SIDES]
        lift = basis[self.smile_indices] * np.array([0.0, 1.0, 0.0])  # the smiles' fields, up and down only
        self.register_buffer("smile_lift", torch.from_numpy(frame.to_pixels(lift)).float().reshape(2, -1))
        self.jaw_open_max_rad = math.radians(config.jaw_open_max_deg)
        self.register_buffer("basis", torch.from_numpy(frame.to_pixels(basis)).float().reshape(NUM_BLENDSHAPES, -1))
        arm, swing = _jaw_arms(frame, jaw, config.jaw_pivot_depth_fraction)
        self.register_buffer("jaw_arm", torch.from_numpy(arm).float())  # (478, 3)
        self.register_buffer("jaw_swing", torch.from_numpy(swing).float())  # (478, 3)
        self.seal = LipSeal(torch.from_numpy(np.asarray(landmarks, dtype=np.float64)).float(),
                            torch.from_numpy(jaw).float())
        # A blink's field runs from the portrait's own lids to shut ones, but a portrait's eyes are often a
        # little closed at rest (FaceLandmarker reads eyeBlink 0.02-0.35 on open eyes: a smile's squint,
        # heavy lids). Its weight 1 is an eye shut, whatever the rest: the closing part of a delta (above
        # the rest) covers the field over the rest's remaining share of the way. Linear, 1 − rest short of
        # it, eyes read 0.16 and 0.35 closed at rest kept a 2-4 px slit of iris at a full blink.
        self.blink_indices = [blendshape_index(f"eyeBlink{side}") for side, _, _ in SIDES]
        rest_blinks = np.zeros(2) if rest_weights is None else np.asarray(rest_weights)[self.blink_indices]
        closing = 1.0 / (1.0 - np.clip(rest_blinks, 0.0, MOST_REST_BLINK))
        self.register_buffer("blink_closing", torch.from_numpy(closing).float())  # (2,)

    def forward(self, weight_deltas: torch.Tensor) -> torch.Tensor:
        batch = weight_deltas.shape[0]
        weight_deltas = self._blinks_to_shut(weight_deltas)
        linear = blocked_matmul(self.basis.T, weight_deltas.T, 8).T.reshape(batch, NUM_LANDMARKS, 3)  # (B, 478, 3)
        linear = self._gathered(linear, weight_deltas)
        angle = (weight_deltas[:, self.jaw_open_index] * self.jaw_open_max_rad)[:, None, None]  # (B, 1, 1)
        # Rotating p about the pivot: p' − p = (cos θ − 1)·arm + sin θ·swing, arm = p − pivot.
        rotation = (torch.cos(angle) - 1.0) * self.jaw_arm + torch.sin(angle) * self.jaw_swing
        return self.seal(linear + rotation, weight_deltas)

    def _blinks_to_shut(self, weight_deltas: torch.Tensor) -> torch.Tensor:
        """(B, 52) the deltas with each blink's closing part scaled to reach shut lids at weight 1."""
        blinks = weight_deltas[:, self.blink_indices]
        if not bool((blinks > 0.0).any()):
            return weight_deltas
        scaled = weight_deltas.clone()
        scaled[:, self.blink_indices] = torch.where(blinks > 0.0, blinks * self.blink_closing, blinks)
        return scaled

    def _gathered(self, linear: torch.Tensor, weight_deltas: torch.Tensor) -> torch.Tensor:
        """`linear` (B, 478, 3) with the corners' drop from a smile taken below the portrait's own eased
        out as the lips pucker (their inward pull stays): a pucker gathers the corners towards the
        middle, and the smile's field, lowering them as well by the smile FaceLandmarker reads on a mild
        closed-lipped portrait (0.7-0.85), bent a drawn pucker into a frowning arc. A smile above the
        rest, or below it without a pucker, moves as asked."""
        gather = weight_deltas[:, self.pucker_index].clamp(0.0, 1.0)  # (B,)
        eased = weight_deltas[:, self.smile_indices].clamp(max=0.0) * gather[:, None]  # (B, 2), <= 0
        if not bool(eased.any()):
            return linear
        return linear - (eased @ self.smile_lift).reshape(linear.shape)


def _jaw_arms(frame: FaceFrame, jaw: np.ndarray, pivot_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """The jaw's lever from its pivot, and that lever turned 90° in the (v, z) plane, in pixels."""
    local = frame.local
    eye_level = float(local[[LEFT_EYE.outer_corner, RIGHT_EYE.outer_corner], 1].mean())
    mouth_level = float(local[list(LIPS.corners), 1].mean())
    pivot_v = eye_level + pivot_fraction * (mouth_level - eye_level)
    # The deepest face-oval points are the side of the head; the joint lies behind them, in front of the
    # ear (MediaPipe places the oval on the cheeks). A pivot there lets an opening jaw drop the chin, as
    # a real one does: with the oval as the pivot the chin barely moved and only the lips parted.
    pivot_z = float(local[list(FACE_OVAL), 2].max()) + JAW_PIVOT_BEHIND_OVAL
    arm = np.zeros_like(local)
    arm[:, 1] = local[:, 1] - pivot_v
    arm[:, 2] = local[:, 2] - pivot_z
    swing = np.zeros_like(local)
    # Opening turns the chin down (+v) and back (+z): d/dθ of the rotated arm is (−z, v) in (v, z).
    swing[:, 1] = -arm[:, 2]
    swing[:, 2] = arm[:, 1]
    return frame.to_pixels(arm * jaw[:, None]), frame.to_pixels(swing * jaw[:, None])
