"""WarpRenderer on the astronaut portrait: identity, a still background, batching, device parity, and
render fidelity judged by a model nobody here wrote (MediaPipe's FaceLandmarker, DESIGN.md)."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

from runtime.arkit import blendshape_index
from runtime.errors import InvalidConfigError
from runtime.face.analysis import AnalysisOptions, PortraitAnalysis, analyse_portrait
from runtime.face.landmarker import FaceLandmarker
from runtime.render.deformation import BlendshapeDeformer
from runtime.render.head_transform import HeadTransform
from runtime.render.landmark_groups import LEFT_EYE, LIPS, NOSE_TIP, RIGHT_EYE
from runtime.render.warp_renderer import WarpRenderer, WarpRendererConfig
from runtime.types import HeadPose, RestState
from tests.conftest import SUMMARY_LINES

MIN_FIDELITY_R = 0.8
STILL_BORDER_PX = 40
PITCH, YAW = 0, 1  # columns of a (B, 6) pose array


@pytest.fixture(scope="module")
def landmarker() -> FaceLandmarker:
    with FaceLandmarker() as opened:
        yield opened


@pytest.fixture(scope="module")
def portrait(landmarker: FaceLandmarker) -> PortraitAnalysis:
    encoded = io.BytesIO()
    Image.fromarray(data.astronaut()).save(encoded, format="PNG")
    return analyse_portrait(encoded.getvalue(), AnalysisOptions(), landmarker)


@pytest.fixture(scope="module")
def renderer(portrait: PortraitAnalysis) -> WarpRenderer:
    return WarpRenderer(portrait.image, portrait.landmarks, RestState(portrait.head_pose, portrait.blendshapes))


def _rest_batch(portrait: PortraitAnalysis, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(count, 52) weights and (count, 6) poses equal to the portrait's own."""
    weights = np.repeat(portrait.blendshapes[None], count, axis=0)
    poses = np.repeat(portrait.head_pose.as_array()[None], count, axis=0)
    return weights, poses


def test_rest_state_reproduces_the_portrait(renderer: WarpRenderer, portrait: PortraitAnalysis) -> None:
    frame = renderer.render(*_rest_batch(portrait, 1))[0].numpy()
    assert np.abs(frame.astype(int) - portrait.image.astype(int)).max() <= 2


def test_background_far_from_the_head_never_moves(renderer: WarpRenderer, portrait: PortraitAnalysis) -> None:
    weights, poses = _rest_batch(portrait, 6)
    weights[1] = 1.0  # every shape at once
    weights[2, blendshape_index("jawOpen")] = 1.0
    poses[3, YAW] += 15.0
    poses[4, YAW] -= 15.0
    poses[5, 3:] = (0.3, -0.3, 1.0)  # shifted and closer
    frames = renderer.render(weights, poses).numpy().astype(int)
    border = np.ones(portrait.image.shape[:2], dtype=bool)
    border[STILL_BORDER_PX:-STILL_BORDER_PX, STILL_BORDER_PX:-STILL_BORDER_PX] = False
    assert np.array_equal(frames[:, border], np.repeat(portrait.image[None].astype(int), 6, 0)[:, border])
    assert not np.array_equal(frames[1], portrait.image)  # the face itself did move


def test_a_batch_renders_like_single_frames(renderer: WarpRenderer, portrait: PortraitAnalysis) -> None:
    weights, poses = _rest_batch(portrait, 4)
    weights[1, blendshape_index("jawOpen")] = 0.6
    weights[2, blendshape_index("eyeBlinkLeft")] = 1.0
    poses[3, YAW] += 10.0
    batched = renderer.render(weights, poses)
    singles = torch.cat([renderer.render(weights[i : i + 1], poses[i : i + 1]) for i in range(4)])
    assert torch.equal(batched, singles)


def test_head_pose_moves_the_nose_the_documented_way(portrait: PortraitAnalysis) -> None:
    head = HeadTransform(portrait.landmarks, portrait.face_width_px, HeadPose())
    points = torch.from_numpy(portrait.landmarks)[None].expand(3, -1, -1)
    poses = torch.tensor([[0.0] * 6, [0.0, 10.0, 0, 0, 0, 0], [10.0, 0, 0, 0, 0, 0]])
    nose = head(points, poses)[:, NOSE_TIP]  # (3, 2) pixels
    assert nose[1, 0] > nose[0, 0] + 2.0  # yaw > 0 turns towards the image's right
    assert nose[2, 1] > nose[0, 1] + 2.0  # pitch > 0 nods down (image y grows downwards)


def test_arkit_left_is_the_image_right(portrait: PortraitAnalysis) -> None:
    deformer = BlendshapeDeformer(portrait.landmarks, portrait.face_width_px)
    weights = torch.zeros(2, 52)
    weights[0, blendshape_index("mouthSmileLeft")] = 1.0
    weights[1, blendshape_index("eyeBlinkLeft")] = 1.0
    moved = deformer(weights)  # (2, 478, 3) pixels
    right_corner, left_corner = LIPS.corners
    assert moved[0, left_corner, 0] > 1.0 and moved[0, left_corner, 1] < -1.0  # out (image right) and up
    assert moved[0, right_corner, :2].abs().max() < 0.5
    left_lid, right_lid = LEFT_EYE.upper_lid[4], RIGHT_EYE.upper_lid[4]
    assert moved[1, left_lid, 1] > 2.0 and moved[1, right_lid].abs().max() < 0.1  # only the left lid drops


def test_config_is_validated_once() -> None:
    with pytest.raises(InvalidConfigError):
        WarpRendererConfig(grid_size=4)
    with pytest.raises(InvalidConfigError):
        WarpRendererConfig(fade_start=3.0, fade_end=2.0)


def _recovered(landmarker: FaceLandmarker, frames: np.ndarray, blendshape: int | None, pose_field: int | None):
    values = []
    for frame in frames:
        faces = landmarker.detect(frame)
        assert faces, "FaceLandmarker lost the face in a rendered frame"
        face = max(faces, key=lambda found: found.size_px)
        values.append(face.blendshapes[blendshape] if pose_field is None else face.head_pose.as_array()[pose_field])
    return np.array(values)


# (label, ARKit name or None, pose column or None, requested values: absolute weights or pose offsets)
SWEEPS = [
    ("jawOpen", "jawOpen", None, np.linspace(0.0, 0.8, 5)),
    ("eyeBlinkLeft", "eyeBlinkLeft", None, np.linspace(0.0, 1.0, 5)),
    ("eyeBlinkRight", "eyeBlinkRight", None, np.linspace(0.0, 1.0, 5)),
    ("mouthSmileLeft", "mouthSmileLeft", None, np.linspace(0.0, 1.0, 5)),
    ("mouthSmileRight", "mouthSmileRight", None, np.linspace(0.0, 1.0, 5)),
    ("head yaw", None, YAW, np.linspace(-15.0, 15.0, 5)),
    ("head pitch", None, PITCH, np.linspace(-10.0, 10.0, 5)),
]


@pytest.mark.parametrize(("label", "name", "pose_field", "requested"), SWEEPS, ids=[s[0] for s in SWEEPS])
def test_landmarker_recovers_what_was_rendered(renderer: WarpRenderer, portrait: PortraitAnalysis,
                                               landmarker: FaceLandmarker, label: str, name: str | None,
                                               pose_field: int | None, requested: np.ndarray) -> None:
    weights, poses = _rest_batch(portrait, len(requested))
    index = None if name is None else blendshape_index(name)
    if index is None:
        poses[:, pose_field] += requested
    else:
        weights[:, index] = requested
    frames = renderer.render(weights, poses).numpy()
    recovered = _recovered(landmarker, frames, index, pose_field)
    correlation = float(np.corrcoef(requested, recovered)[0, 1])
    slope = float(np.polyfit(requested, recovered, 1)[0])
    SUMMARY_LINES.append(f"render fidelity {label}: r = {correlation:.3f}, slope = {slope:.3f}, "
                         f"recovered {', '.join(f'{value:.3f}' for value in recovered)}")
    assert correlation >= MIN_FIDELITY_R


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_renders_like_the_cpu(portrait: PortraitAnalysis) -> None:
    rest = RestState(portrait.head_pose, portrait.blendshapes)
    on_cpu = WarpRenderer(portrait.image, portrait.landmarks, rest)
    on_cuda = WarpRenderer(portrait.image, portrait.landmarks, rest, WarpRendererConfig(device="cuda"))
    weights, poses = _rest_batch(portrait, 3)
    weights[1, blendshape_index("jawOpen")] = 0.7
    poses[2, YAW] += 12.0
    expected = on_cpu.render(weights, poses).int()
    got = on_cuda.render(weights, poses).cpu().int()
    difference = (expected - got).abs()
    assert difference.max() <= 8 and difference.float().mean() < 0.05
