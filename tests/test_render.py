"""WarpRenderer on test portraits (tests/portraits.py): identity, a still background, batching, device
parity, the mouth interior and eye layers, and render fidelity judged by a model nobody here wrote
(MediaPipe's FaceLandmarker, DESIGN.md) on the photo, the painting and the drawing; the fuller table over
the test portrait set is tests/fidelity.py's."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
import torch
from skimage.metrics import structural_similarity

from runtime.arkit import blendshape_index
from runtime.errors import InvalidConfigError
from runtime.face.analysis import AnalysisOptions, PortraitAnalysis, analyse_portrait
from runtime.face.avatar import Avatar
from runtime.face.landmarker import FaceLandmarker
from runtime.render import framing
from runtime.render.deformation import BlendshapeDeformer
from runtime.render.device import render_device
from runtime.render.frame_renderer import FrameRenderer
from runtime.render.framing import FrameOptions, Framing, frame_portrait
from runtime.render.head_transform import HeadTransform
from runtime.render.landmark_groups import CHIN, FACE_OVAL, LEFT_EYE, LIPS, NOSE_TIP, RIGHT_EYE
from runtime.render.mouth_interior import MouthInterior
from runtime.render.resampling import Resampling
from runtime.render.warp_renderer import CellBox, WarpRenderer, WarpRendererConfig, _view_grid
from runtime.types import HeadPose, RestState
from tests.conftest import SUMMARY_LINES
from tests.portrait_set import portrait_png as portrait_set_png
from tests.portraits import portrait_png

MIN_FIDELITY_R = 0.8
# Sweeps FaceLandmarker reads more weakly on the stylised portraits: each keeps a floor under today's
# figure (README's table), the target 0.8 beside it. Below the floor the test fails.
FLOORS = {
    ("painting", "browInnerUp"): 0.65,  # today 0.79
    # Over the frames where the face is found (MAY_LOSE_FACE): 0.94 today, over 0.8 with the jaw's 27°.
    ("painting", "jawOpen"): 0.8,
    ("drawing", "mouthFunnel"): 0.7,  # today 0.86, 0.75 to 0.86 from run to run (floating-point summation order)
    # Today 0.58 (0.65 with renderer 60, whose full pucker sealed the lips 0.79 of the way; 0.87 before the
    # lips sealed for a pucker, 0.84 before renderer 18 filled the opening's soft edge too): FaceLandmarker
    # reads the full pucker 0.06 (0.14 with renderer 60), the three quarters 0.12 (0.39); looked at, both full
    # puckers are a seam across pale lips, neither pursed. The photo's sweep rose 0.84 → 0.91 with it.
    ("drawing", "mouthPucker"): 0.45,
    # Its eyes are one dark mass, its whites shown as the iris turns (runtime/render/eye_layer.py):
    # today 0.86 over these five steps (0.95 over the fidelity table's seven); -0.81 before.
    ("drawing", "gaze"): 0.6,
}
# Sweeps whose read-back is noise on a portrait: figures in README's table, no assertion that could
# only pass by chance. The painting's funnel reads 0.001–0.006 whatever is asked; its pucker 0.005–0.03
# (renderer 38), 0.008–0.10 while the pucker pulled the face's outline in with the mouth (r 0.71, its
# floor then 0.65; 0.47 since), where the photo's full pucker reads 0.97.
NOT_READ = {("painting", "mouthFunnel"), ("painting", "mouthPucker")}
# Sweeps where FaceLandmarker may lose the face in this many frames. Since jawOpen 1 opens to a
# human's widest (32°, was 27°) it reads the painting's mouth at 0.8 as barely open (0.16) or loses
# the face there, from one small change of the lips' drawing to the next, while the picture shows
# the mouth wide open (README's table: the painting's jaw).
MAY_LOSE_FACE = {("painting", "jawOpen"): 1}
MIN_IDENTITY_SSIM = 0.97
OUTLINE_MOVES_AT_MOST = 0.06  # mouth widths: a rounding mouth's pull on the face's outline (a turned head)
FIDELITY_PORTRAITS = ("photo", "painting", "drawing")  # tests/portraits.py
STILL_BORDER_PX = 40
# Pixels of a drawing's three frames whose grain the two paths may read from neighbouring pixels (a map on
# a tie; see test_a_drawings_grain_reads_alike_on_opencv_and_grid_sample): 3 seen of about 600,000.
MAX_GRAIN_TIE_PIXELS = 12
PITCH, YAW = 0, 1  # columns of a (B, 6) pose array


@pytest.fixture(scope="module")
def landmarker() -> FaceLandmarker:
    with FaceLandmarker() as opened:
        yield opened


@pytest.fixture(scope="module")
def portraits(landmarker: FaceLandmarker) -> dict[str, PortraitAnalysis]:
    return {name: analyse_portrait(portrait_png(name), AnalysisOptions(), landmarker)
            for name in ("photo", "painting", "drawing")}


@pytest.fixture(scope="module")
def portrait(portraits: dict[str, PortraitAnalysis]) -> PortraitAnalysis:
    return portraits["photo"]


@pytest.fixture(scope="module")
def renderer(portrait: PortraitAnalysis) -> WarpRenderer:
    return _warp_renderer(portrait)


def _warp_renderer(portrait: PortraitAnalysis) -> WarpRenderer:
    """A renderer of its own (tests that change one must not share the module's)."""
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


@pytest.fixture(scope="module")
def face_renderers(portraits: dict[str, PortraitAnalysis]) -> dict[str, FrameRenderer]:
    """Renderers in face framing at 512²: the landmarker sees each face at the same, useful size."""
    renderers = {}
    for name in FIDELITY_PORTRAITS:
        analysis = portraits[name]
        avatar = Avatar.from_analysis(name, name, 0.0, analysis)
        renderers[name] = FrameRenderer(avatar, FrameOptions(512, Framing.FACE))
    return renderers


def _largest_face(landmarker: FaceLandmarker, frame: np.ndarray):
    faces = landmarker.detect(frame)
    return max(faces, key=lambda found: found.size_px) if faces else None


def _gaze_x(face) -> float:
    """How far both irises sit towards the image's right, in eye widths from the eyes' middles."""
    offsets = []
    for eye, iris in ((RIGHT_EYE, RIGHT_EYE.iris[0]), (LEFT_EYE, LEFT_EYE.iris[0])):
        corners = face.landmarks[[eye.outer_corner, eye.inner_corner], 0]
        offsets.append((face.landmarks[iris, 0] - corners.mean()) / abs(corners[0] - corners[1]))
    return float(np.mean(offsets))


def _set_gaze(weights: np.ndarray, towards_image_right: float) -> None:
    """Both eyes turned towards the image's right (> 0: the subject's left) or left (< 0)."""
    if towards_image_right >= 0:
        weights[blendshape_index("eyeLookOutLeft")] = weights[blendshape_index("eyeLookInRight")] = towards_image_right
    else:
        weights[blendshape_index("eyeLookInLeft")] = weights[blendshape_index("eyeLookOutRight")] = -towards_image_right


# (label, what is set, requested values). Blendshapes are absolute weights; head angles are offsets
# from the portrait's own pose. A pucker or funnel also clears the portrait's own smile: a full smile
# and rounded lips exclude each other (the photo smiles at 0.9).
ROUNDING = ("mouthPucker", "mouthFunnel")
SWEEPS = [
    ("jawOpen", "jawOpen", np.linspace(0.0, 0.8, 5)),
    ("eyeBlinkLeft", "eyeBlinkLeft", np.linspace(0.0, 1.0, 5)),
    ("eyeBlinkRight", "eyeBlinkRight", np.linspace(0.0, 1.0, 5)),
    ("mouthSmileLeft", "mouthSmileLeft", np.linspace(0.0, 1.0, 5)),
    ("mouthSmileRight", "mouthSmileRight", np.linspace(0.0, 1.0, 5)),
    ("mouthPucker", "mouthPucker", np.linspace(0.0, 1.0, 5)),
    ("mouthFunnel", "mouthFunnel", np.linspace(0.0, 1.0, 5)),
    ("browInnerUp", "browInnerUp", np.linspace(0.0, 1.0, 5)),
    ("head yaw", YAW, np.linspace(-15.0, 15.0, 5)),
    ("head pitch", PITCH, np.linspace(-10.0, 10.0, 5)),
    ("gaze", "gaze", np.linspace(-1.0, 1.0, 5)),
]
CASES = [pytest.param(name, *sweep, id=f"{name}-{sweep[0]}") for name in FIDELITY_PORTRAITS for sweep in SWEEPS
         if (name, sweep[0]) not in NOT_READ]


def _sweep_batch(portrait: PortraitAnalysis, target, requested: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    weights, poses = _rest_batch(portrait, len(requested))
    for row, value in zip(weights, requested, strict=True):
        if target == "gaze":
            _set_gaze(row, value)
        elif isinstance(target, str):
            if target in ROUNDING:
                row[blendshape_index("mouthSmileLeft")] = row[blendshape_index("mouthSmileRight")] = 0.0
            row[blendshape_index(target)] = value
    if isinstance(target, int):
        poses[:, target] += requested
    return weights, poses


def _read_back(face, target) -> float:
    if target == "gaze":
        return _gaze_x(face)
    if isinstance(target, int):
        return float(face.head_pose.as_array()[target])
    return float(face.blendshapes[blendshape_index(target)])


@pytest.mark.parametrize(("portrait_name", "label", "target", "requested"), CASES)
def test_landmarker_recovers_what_was_rendered(face_renderers: dict[str, WarpRenderer],
                                               portraits: dict[str, PortraitAnalysis], landmarker: FaceLandmarker,
                                               portrait_name: str, label: str, target, requested: np.ndarray) -> None:
    weights, poses = _sweep_batch(portraits[portrait_name], target, requested)
    frames = face_renderers[portrait_name].render_latents(weights, poses)
    faces = [_largest_face(landmarker, frame) for frame in frames]
    lost = sum(face is None for face in faces)
    assert lost <= MAY_LOSE_FACE.get((portrait_name, label), 0), f"FaceLandmarker lost the face in {lost} frames"
    recovered = np.array([_read_back(face, target) if face is not None else np.nan for face in faces])
    found = ~np.isnan(recovered)
    correlation = float(np.corrcoef(requested[found], recovered[found])[0, 1])
    slope = float(np.polyfit(requested[found], recovered[found], 1)[0])
    SUMMARY_LINES.append(f"render fidelity {portrait_name} {label}: r = {correlation:.3f}, slope = {slope:.3f}, "
                         f"recovered {', '.join(f'{value:.3f}' for value in recovered)}")
    assert correlation >= FLOORS.get((portrait_name, label), MIN_FIDELITY_R)


@pytest.mark.parametrize("name", ["photo", "painting", "drawing"])
@pytest.mark.parametrize("framing", list(Framing))
def test_neutral_latents_reproduce_the_face(portraits: dict[str, PortraitAnalysis], name: str,
                                            framing: Framing) -> None:
    analysis = portraits[name]
    framed = frame_portrait(analysis.image, analysis.landmarks, FrameOptions(512, framing))
    renderer = WarpRenderer(framed.image, framed.landmarks, RestState(analysis.head_pose, analysis.blendshapes))
    frame = renderer.render(*_rest_batch(analysis, 1))[0].numpy()
    face_points = framed.landmarks[:, :2]
    (left, top), (right, bottom) = face_points.min(axis=0).astype(int), face_points.max(axis=0).astype(int)
    face, source = frame[top:bottom, left:right], framed.image[top:bottom, left:right]
    similarity = structural_similarity(face, source, channel_axis=2, data_range=255)
    SUMMARY_LINES.append(f"identity {name} {framing}: face SSIM {similarity:.4f}, "
                         f"max pixel difference {np.abs(frame.astype(int) - framed.image).max()}")
    assert similarity >= MIN_IDENTITY_SSIM


def test_blinks_hide_the_iris(renderer: WarpRenderer, portrait: PortraitAnalysis) -> None:
    """The lids close over the eye: the dark iris pixels inside the eye's box go, rather than squash."""
    analysis = portrait
    weights, poses = _rest_batch(analysis, 2)
    weights[1, blendshape_index("eyeBlinkLeft")] = weights[1, blendshape_index("eyeBlinkRight")] = 1.0
    open_eyes, shut_eyes = renderer.render(weights, poses).numpy().astype(int).sum(axis=-1)  # (H, W) brightness
    eye = renderer.source_xy[list(LEFT_EYE.upper_lid + LEFT_EYE.lower_lid)].numpy()
    (left, top), (right, bottom) = eye.min(0).astype(int), eye.max(0).astype(int) + 1
    dark = 3 * 60  # iris and pupil, darker than skin and the lashes' blur
    dark_open = (open_eyes[top:bottom, left:right] < dark).sum()
    dark_shut = (shut_eyes[top:bottom, left:right] < dark).sum()
    assert dark_open > 15 and dark_shut < 0.5 * dark_open


@pytest.mark.parametrize("rest_blink", [0.0, 0.16, 0.35])
def test_a_full_blink_shuts_eyes_partly_closed_at_rest(portrait: PortraitAnalysis, rest_blink: float) -> None:
    """eyeBlink 1 is a shut eye whatever the portrait's own: FaceLandmarker reads open eyes as 0.02-0.35
    closed (a smile's squint, heavy lids; the check set's real photos 0.11-0.35). A blink's field runs
    from the portrait's lids to shut ones, and taken linearly from the rest it stopped 1 − rest short:
    at rest 0.16 and 0.35, a 2-4 px slit of iris stayed at a full blink. The lids' middles must meet to
    within the 3 % of the gap where the field puts shut lids, and a half blink still go partway."""
    rest = portrait.blendshapes.copy()
    rest[[blendshape_index("eyeBlinkLeft"), blendshape_index("eyeBlinkRight")]] = rest_blink
    renderer = WarpRenderer(portrait.image, portrait.landmarks, RestState(portrait.head_pose, rest))
    weights, poses = np.repeat(rest[None], 3, axis=0), np.repeat(portrait.head_pose.as_array()[None], 3, axis=0)
    for side in ("Left", "Right"):
        weights[1, blendshape_index(f"eyeBlink{side}")] = 1.0
        weights[2, blendshape_index(f"eyeBlink{side}")] = (1.0 + rest_blink) / 2
    points = renderer.landmark_positions(torch.from_numpy(weights), torch.from_numpy(poses).float()).numpy()
    for eye in (LEFT_EYE, RIGHT_EYE):
        upper, lower = eye.upper_lid[len(eye.upper_lid) // 2], eye.lower_lid[len(eye.lower_lid) // 2]
        gap = points[:, lower, 1] - points[:, upper, 1]  # rest, shut, halfway
        assert gap[1] <= 0.04 * gap[0] + 0.05, (rest_blink, gap)
        assert 0.35 * gap[0] < gap[2] < 0.65 * gap[0]


def test_lips_parting_beyond_a_closed_source_show_teeth_and_a_cavity(portrait: PortraitAnalysis) -> None:
    """A closed-mouthed portrait (the photo's inner lips made to meet) gets teeth under the upper lip
    and a dark cavity below them when the lower lip drops; at rest nothing changes."""
    landmarks = portrait.landmarks.astype(np.float64).copy()
    upper, lower = list(LIPS.inner_upper), list(LIPS.inner_lower)
    landmarks[lower[1:-1], :2] = landmarks[upper[1:-1], :2]  # pairs run corner to corner alike
    interior = MouthInterior(portrait.image, landmarks)
    points = torch.from_numpy(landmarks[:, :2]).float()[None].repeat(2, 1, 1)
    points[1, lower[1:-1], 1] += 20.0  # the lower lip drops 20 px
    frames = torch.from_numpy(portrait.image).permute(2, 0, 1).float()[None].repeat(2, 1, 1, 1)
    before = frames.clone()
    interior(frames, points, points[:1].expand(2, -1, -1))
    assert torch.allclose(frames[0], before[0], atol=1e-3)  # the renderer rounds to 8 bits after this
    x, y = landmarks[upper[len(upper) // 2], :2].round().astype(int)  # the upper lip's middle
    brightness = frames[1].mean(dim=0)  # (H, W)
    teeth = brightness[y + 2:y + 5, x - 8:x + 8]  # just under the lip, across the front teeth
    cavity = brightness[y + 10:y + 13, x - 8:x + 8]  # between the upper and the lower teeth
    skin = before[1, :, y - 15, x - 8:x + 8].mean()
    assert teeth.quantile(0.75) > 0.75 * skin  # lit teeth, between darker gaps and the lip's shadow
    assert cavity.mean() < 0.5 * skin


@pytest.mark.parametrize("name", ["closed-photo-gold", "closed-oil-black-acetate"])
def test_a_full_pucker_leaves_no_dark_specks_at_the_corners(landmarker: FaceLandmarker, name: str) -> None:
    """Pursed, not pinched: a full pucker draws the corners a third of the way in, and the dark wedges
    where the lips meet at the corners roll away with the lips' ends (lip_bands.py) instead of staying
    as specks at the narrowed mouth's points. Each corner's darkest tenth, within 0.08 mouth widths of
    it, stays within a tenth of its brightness at rest, or lighter: 0.40-0.72 of it before on these two
    tuning portraits, 0.92-1.89 since. Read on the frames blurred by a pixel: a speck is a shape a few
    pixels across, and an oil painting keeps its brush texture's darkest pixels in every frame since it
    keeps its grain where the face moves (warp_renderer._grain_split: unblurred, its corner read 0.86,
    blurred 1.01; 1.04 before that change)."""
    analysis = analyse_portrait(portrait_set_png(name), AnalysisOptions(), landmarker)
    renderer = _warp_renderer(analysis)
    weights, poses = _rest_batch(analysis, 2)
    weights[1, blendshape_index("mouthPucker")] = 1.0
    brightness = renderer.render(weights, poses).float().mean(dim=-1).numpy()  # (2, H, W)
    frames = torch.from_numpy(np.stack([cv2.GaussianBlur(frame, (0, 0), 1.0) for frame in brightness]))
    corners = renderer.landmark_positions(torch.as_tensor(weights).float(), torch.as_tensor(poses).float())[
        :, list(LIPS.corners)]  # (2, 2, 2)
    ys, xs = torch.meshgrid(torch.arange(frames.shape[1]), torch.arange(frames.shape[2]), indexing="ij")
    darkest = torch.zeros(2, 2)
    for frame in range(2):
        width = (corners[frame, 1] - corners[frame, 0]).norm()
        for side in range(2):
            x, y = corners[frame, side]
            near = torch.hypot(xs - x, ys - y) < 0.08 * width
            darkest[frame, side] = frames[frame][near].quantile(0.1)
    assert bool((darkest[1] >= 0.9 * darkest[0]).all()), f"darkest tenth: rest {darkest[0]}, pucker {darkest[1]}"


@pytest.mark.parametrize("shape", ["mouthPucker", "mouthFunnel"])
def test_a_rounding_mouth_leaves_a_turned_faces_outline_where_it_is(landmarker: FaceLandmarker, shape: str) -> None:
    """The lips and the skin around them gather towards the mouth as it rounds; the cheek's outline does
    not. On a head turned 9° (the tuning set's half-rim twin) the far cheek's outline lies beside the
    mouth in the picture, and gathered with it as the skin there was, a full pucker pulled the outline's
    landmarks in by up to 0.14 mouth widths (a funnel 0.16): a notch in the face's edge. Now the gathering
    falls off with depth behind the lips as well (deformation.AROUND_MOUTH_DEPTH): 0.02 and 0.00."""
    analysis = analyse_portrait(portrait_set_png("closed-photo-half-rim"), AnalysisOptions(), landmarker)
    renderer = _warp_renderer(analysis)
    weights, poses = _rest_batch(analysis, 2)
    weights[1, blendshape_index(shape)] = 1.0
    points = renderer.landmark_positions(torch.as_tensor(weights).float(), torch.as_tensor(poses).float()).numpy()
    mouth_width = float(np.linalg.norm(points[0, LIPS.corners[1]] - points[0, LIPS.corners[0]]))
    moved = np.linalg.norm(points[1, list(FACE_OVAL)] - points[0, list(FACE_OVAL)], axis=1).max() / mouth_width
    SUMMARY_LINES.append(f"full {shape} on a turned head: the face's outline moves {moved:.3f} mouth widths at most")
    assert moved < OUTLINE_MOVES_AT_MOST


def test_opencv_reads_draw_what_grid_sample_draws(portrait: PortraitAnalysis) -> None:
    """The CPU's resampling (OpenCV, runtime/render/resampling.py) against the grid_sample reads every
    other device runs, both on the CPU: a jaw opened wide, a head turned, a blink. OpenCV's remap
    places each read to 1/32 pixel; that may move a channel by a level where the portrait is steep,
    nothing more. This bounds what CUDA's frames may differ by from the CPU's through the reads."""
    _reads_agree(portrait, _warp_renderer(portrait))


def test_a_drawings_grain_reads_alike_on_opencv_and_grid_sample(landmarker: FaceLandmarker) -> None:
    """A portrait made of strokes also reads its grain from the nearest pixel (Resampling.portrait_into).
    The two paths' maps differ by float rounding (under 1e-3 px: OpenCV and grid_sample upsample the
    coarse offset each their own way, test_opencv_upsamples_the_coarse_offset_as_grid_sample_does), so
    where a map lies on a tie between two pixels — the maps are upsampled, and halves are common — the
    nearest may be either one, and that pixel takes its neighbour's grain: on 2026-12-05 three pixels of
    these three frames on one machine, none on another. Given the same maps the nearest pixel is the same
    one (test_opencv_and_grid_sample_read_the_grain_from_the_same_pixel); elsewhere the frames agree as
    a photo's do."""
    drawing = analyse_portrait(portrait_set_png("closed-pencil"), AnalysisOptions(), landmarker)
    renderer = _warp_renderer(drawing)
    assert renderer.portrait_grain is not None
    _reads_agree(drawing, renderer, tie_pixels=MAX_GRAIN_TIE_PIXELS)


def test_opencv_and_grid_sample_read_the_grain_from_the_same_pixel() -> None:
    """The same maps, ties between pixels included, read the grain from the same nearest pixel on both
    paths (both round half to even; grid_sample rounded the coordinate it recovers from its normalised
    grid, whose last bit fell either side of a tie)."""
    width, height = 56, 40
    generator = torch.Generator().manual_seed(0)
    resampling = _whole_view_resampling(width, height)
    portrait = torch.zeros(1, 3, height, width).contiguous(memory_format=torch.channels_last)
    grain = (torch.rand(1, 3, height, width, generator=generator) * 100.0).contiguous(memory_format=torch.channels_last)
    extent = torch.tensor([width - 1.0, height - 1.0])[:, None, None]
    maps = torch.rand(2, 2, height, width, generator=generator) * extent
    maps[0] = maps[0].floor() + 0.5  # every position of the first frame on a tie, both ways
    reads = []
    for opencv in (True, False):
        frames = torch.zeros(2, 3, height, width).contiguous(memory_format=torch.channels_last)
        dataclasses.replace(resampling, opencv=opencv).portrait_into(frames, portrait, maps.clone(), grain)
        reads.append(frames)
    assert torch.equal(reads[0], reads[1])


def _whole_view_resampling(width: int, height: int) -> Resampling:
    """The reads of a portrait as large as its frame, every pixel of which may move."""
    return Resampling((width, height), 128, (0, 0, 1, 1), (0, 0, width, height), (slice(0, height), slice(0, width)))


def _reads_agree(portrait: PortraitAnalysis, renderer: WarpRenderer, tie_pixels: int = 0) -> None:
    """`tie_pixels`: how many pixels may take a neighbour's grain (a map on a tie, see above)."""
    weights, poses = _rest_batch(portrait, 3)
    weights[0, blendshape_index("jawOpen")] = 0.8
    weights[1, blendshape_index("eyeBlinkLeft")] = 1.0
    poses[2, YAW] += 12.0
    assert renderer.resampling.opencv
    with_opencv = renderer.render(weights, poses).int()
    renderer.resampling = dataclasses.replace(renderer.resampling, opencv=False)
    with_grid_sample = renderer.render(weights, poses).int()
    difference = (with_opencv - with_grid_sample).abs()
    beyond = int((difference.amax(dim=-1) > 2).sum())
    differing = float((difference > 0).float().mean())
    SUMMARY_LINES.append(f"OpenCV against grid_sample reads: {beyond} pixels beyond 2 levels "
                         f"(at most {tie_pixels}), {differing:.4%} of channels differ")
    assert beyond <= tie_pixels and differing < 0.005, (
        f"max {int(difference.max())} on {beyond} pixels, {differing:.4%} of channels differ")


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


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_draws_head_framed_frames_like_the_cpu(portrait: PortraitAnalysis) -> None:
    """`--device cuda` end to end: the frame's view of a framed portrait, its layers placed through
    the view's offset, and the glasses-free photo's mouth and eyes, as the server renders them."""
    avatar = Avatar.from_analysis("test", "test", 0.0, portrait)
    weights, poses = _rest_batch(portrait, 3)
    weights[1, blendshape_index("jawOpen")] = 0.7
    weights[2, blendshape_index("eyeBlinkLeft")] = 1.0
    poses[2, YAW] += 12.0
    expected = FrameRenderer(avatar).render_latents(weights, poses).astype(int)
    got = FrameRenderer(avatar, device="cuda").render_latents(weights, poses).astype(int)
    difference = np.abs(expected - got)
    assert difference.max() <= 8 and difference.mean() < 0.05


def test_a_device_this_machine_lacks_is_refused_in_one_line() -> None:
    with pytest.raises(InvalidConfigError, match="device must be cpu, cuda or cuda:N"):
        render_device("gpu")
    beyond = f"cuda:{torch.cuda.device_count()}"  # one past the last GPU, or the first on a CPU machine
    with pytest.raises(InvalidConfigError, match=f"device {beyond}: "):
        render_device(beyond)
    assert render_device("cpu") == "cpu"


@pytest.mark.parametrize(("name", "options", "size"), [
    ("drawing", FrameOptions(256, Framing.PORTRAIT), (256, 192)),  # 640×480: aspect kept
    ("photo", FrameOptions(1024, Framing.FACE), (1024, 1024)),
    ("drawing", FrameOptions(384, Framing.FACE), (384, 384)),
])
def test_frames_have_the_asked_size_and_framing(portraits: dict[str, PortraitAnalysis], name: str,
                                                options: FrameOptions, size: tuple[int, int]) -> None:
    analysis = portraits[name]
    framed = frame_portrait(analysis.image, analysis.landmarks, options)
    assert framed.frame.shape[1::-1] == size
    if options.framing is Framing.FACE:  # the face sits in the middle of the frame, filling most of it
        left, top, width, height = framed.crop
        face = framed.landmarks[:, :2] - (left, top)
        centre = (face.min(axis=0) + face.max(axis=0)) / 2
        assert np.all(np.abs(centre / size - 0.5) < 0.1)
        assert 0.45 < (face.max(axis=0) - face.min(axis=0)).max() / size[0] < 0.75


@pytest.mark.parametrize("framing", [Framing.HEAD, Framing.FACE])
def test_a_close_crop_drops_its_chin_with_a_wide_jaw(portrait: PortraitAnalysis, framing: Framing) -> None:
    """The photo cut close under the chin (as many users' photos are): at jawOpen 0.8 the chin drops as
    far as the face mesh says. The warp keeps a band along the edge of what it works on still; where the
    image had no room below the chin, the chin stayed near that band and the face tore along a straight
    line above it (head framing: the chin moved 18 of the 45 px the mesh asks), until the framing came to
    reach past the image, mirrored. Measured as the shift that best matches a patch of the chin at rest
    in the open-jawed frame (cut closer, the dropped chin leaves the frame: nothing to measure)."""
    oval = portrait.landmarks[list(FACE_OVAL), :2]
    extent = float((oval.max(axis=0) - oval.min(axis=0)).max())
    bottom = int(portrait.landmarks[CHIN, 1] + 0.3 * extent)
    cropped = dataclasses.replace(portrait, image=np.ascontiguousarray(portrait.image[:bottom]))
    renderer = FrameRenderer(Avatar.from_analysis("close", "close", 0.0, cropped), FrameOptions(512, framing))
    weights, poses = _rest_batch(portrait, 2)
    weights[1, blendshape_index("jawOpen")] = 0.8
    rest, opened = renderer.render_latents(weights, poses).astype(np.float64).mean(axis=-1)
    points = renderer._renderer.landmark_positions(torch.from_numpy(weights), torch.from_numpy(poses).float())
    chin = points[:, CHIN].numpy() - renderer.origin
    asked = float(chin[1, 1] - chin[0, 1])
    x, y, half = int(round(chin[0, 0])), int(round(chin[0, 1])), 12
    patch = rest[y - half:y + 1, x - 2 * half:x + 2 * half + 1]  # the chin's edge and the skin above it
    shifts = range(0, min(int(1.5 * asked), opened.shape[0] - y - 1))
    errors = [np.mean((opened[y - half + dy:y + 1 + dy, x - 2 * half:x + 2 * half + 1] - patch) ** 2) for dy in shifts]
    moved = int(np.argmin(errors))
    SUMMARY_LINES.append(f"close crop, {framing}: the chin dropped {moved} px of the {asked:.0f} the mesh asks")
    assert asked > 20 and abs(moved - asked) < 0.25 * asked


def test_the_framing_knows_the_warps_still_edge() -> None:
    """framing.py keeps the face clear of the band the warp holds still along its canvas's edge; it
    states that band's width itself (the framing runs before any renderer exists): the two must agree."""
    config = WarpRendererConfig()
    assert framing.STILL_EDGE_PX == config.still_border_px + config.border_fade_px
    assert framing.STILL_EDGE_CELLS == pytest.approx(2.0 * (1.0 + 2.0 * framing.FACE_MARGIN) / config.grid_size)


def test_frame_options_are_checked() -> None:
    with pytest.raises(InvalidConfigError, match="frame size"):
        FrameOptions(size=128)
    with pytest.raises(InvalidConfigError, match="framing"):
        FrameOptions(framing="profile")


@pytest.mark.parametrize("image_size", [(512, 640), (601, 457)])
def test_opencv_upsamples_the_coarse_offset_as_grid_sample_does(image_size: tuple[int, int]) -> None:
    """cv2.resize of the whole coarse grid matches grid_sample's bilinear read (align_corners=False,
    edges repeated) at every moving pixel, to float rounding (grid_sample weighs from normalised float32
    coordinates), whatever the cell size in pixels —
    whole (4 x 5 px) or not (601 / 128 by 457 / 128)."""
    width, height = image_size
    box, view = (10, 14, 90, 100), (20, 30, 480, 400)  # (top, left, rows, columns); (left, top, w, h)
    cells = CellBox(box[0], box[1], box[2:], 128)
    moving = cells.moving_pixels(view, width, height)
    resampling = Resampling(image_size, 128, box, view, moving)
    grid = _view_grid(view, width, height)[:, moving[0], moving[1]]
    moving_in_box = grid * torch.tensor(cells.scale()) + torch.tensor(cells.shift())
    coarse = torch.randn(2, 2, *box[2:], generator=torch.Generator().manual_seed(0)) * 5.0
    coarse[..., :2, :] = coarse[..., -2:, :] = coarse[..., :, :2] = coarse[..., :, -2:] = 0.0  # the box's still rim
    with_opencv = resampling.offsets(coarse, moving_in_box)
    with_grid_sample = dataclasses.replace(resampling, opencv=False).offsets(coarse, moving_in_box)
    assert with_opencv.shape == with_grid_sample.shape
    assert float((with_opencv - with_grid_sample).abs().max()) < 1e-3  # px, offsets of up to ±20 px


def test_opencv_converts_frames_to_the_same_bytes_as_torch() -> None:
    """A finished frame's 8-bit pixels: OpenCV's one pass (CPU) gives torch's round (half to even),
    clamp and cast byte for byte, ties and values beyond 0..255 included."""
    frames = (torch.rand(3, 3, 40, 56, generator=torch.Generator().manual_seed(0)) * 300.0 - 20.0)
    frames = frames.contiguous(memory_format=torch.channels_last)
    ties = torch.tensor([0.5, 1.5, 2.5, -0.5, -0.49, 254.5, 255.5, 255.49, 127.5, -1e-7, 3.4999998, 300.0])
    frames.permute(0, 2, 3, 1).reshape(-1)[:len(ties)] = ties  # written through: the permuted view is the memory
    resampling = _whole_view_resampling(56, 40)
    with_opencv = resampling.pixels(frames.clone(memory_format=torch.channels_last))
    with_torch = dataclasses.replace(resampling, opencv=False).pixels(frames.clone(memory_format=torch.channels_last))
    assert with_opencv.dtype == torch.uint8 and with_opencv.shape == (3, 40, 56, 3)
    assert torch.equal(with_opencv, with_torch)
    assert with_opencv.reshape(-1)[:len(ties)].tolist() == [0, 2, 2, 0, 0, 254, 255, 255, 128, 0, 3, 255]
