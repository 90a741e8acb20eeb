"""The issue-11 test portraits and fidelity harness (tests/portrait_set.py, tests/fidelity.py): the
portraits are made the same way every time and each has a face FaceLandmarker finds; the glasses
rigidity measure reads back known shifts; and regression floors on two portraits.

Floors hold today with margin; where today's figure is below the issue's target, the target is named
beside the floor. Raise the floors as the renderer improves: the full figures are in README's table
(`python -m tests.fidelity`).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from runtime.face.analysis import SMOOTHED_NOTE, AnalysisOptions, analyse_portrait
from runtime.face.landmarker import FaceLandmarker
from runtime.render.landmark_groups import LIPS
from tests import fidelity, rigidity
from tests.portrait_set import glasses_mask, make_portrait, portrait_png, portrait_rgb, portrait_set, portrait_spec

# A closed-mouth photo with glasses, a drawing, and a photo whose thick black frame runs under its brows.
FLOOR_PORTRAITS = ("closed-photo-gold", "closed-pencil", "closed-photo-large-acetate")
RIGIDITY_CEILING_PX = 4.0  # closed-photo-gold today: 2.0 (blink), 2.9 (squint) px RMS; target < 0.5


@pytest.fixture(scope="module")
def landmarker() -> FaceLandmarker:
    with FaceLandmarker() as opened:
        yield opened


def test_portraits_are_made_the_same_way_every_time() -> None:
    """Each portrait made afresh is the one the tests use: made in other processes, so that what this one
    keeps of earlier makings (the closed-mouth astronaut and her face mesh, which most portraits start
    from) is made again too; two at a time, 10.5 s on the 2-core machine as one by one in process."""
    specs = portrait_set()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        made_afresh = list(pool.map(make_portrait, specs))
    for spec, (made, mask) in zip(specs, made_afresh, strict=True):
        assert np.array_equal(made, portrait_rgb(spec.name)), spec.name
        assert (mask is None) == (not spec.wears_glasses), spec.name
        if mask is not None:
            assert np.array_equal(mask, glasses_mask(spec.name)) and mask.shape == made.shape[:2]


def test_the_set_is_split_and_varied() -> None:
    tuning, check = portrait_set("tuning"), portrait_set("check")
    assert len(tuning) + len(check) == len(portrait_set()) and 4 <= len(tuning) < len(check)
    kinds = {spec.glasses.kind for spec in check if spec.glasses is not None}
    assert len(kinds) == 3 and len({spec.style for spec in check}) >= 8


def test_every_portrait_has_its_face_found_at_rest(landmarker: FaceLandmarker) -> None:
    """By the analysis (every portrait can be an avatar); by FaceLandmarker alone, which reads the
    rendered frames back, on all but the two drawings whose grain and frames hide their faces (found on
    a smoothed copy, as the harness then reads them)."""
    smoothed = []
    for spec in portrait_set():
        analysis = analyse_portrait(portrait_png(spec.name), AnalysisOptions(), landmarker)
        if SMOOTHED_NOTE in analysis.warnings:
            smoothed.append(spec.name)
        else:
            assert landmarker.detect(portrait_rgb(spec.name)), spec.name
    assert smoothed == ["closed-pencil-acetate", "closed-ink-gold"]


def test_the_lip_gap_uses_the_inner_lip_midpoints() -> None:
    assert (fidelity.UPPER_LIP_MIDDLE, fidelity.LOWER_LIP_MIDDLE) == (13, 14)
    assert 13 in LIPS.inner_upper and 14 in LIPS.inner_lower


@pytest.mark.parametrize(("dx", "dy"), [(0.0, 0.0), (0.25, 0.0), (0.3, -0.4), (-0.7, 0.5), (1.5, 1.0)])
@pytest.mark.parametrize("name", ["closed-photo-large-acetate", "closed-photo-gold"])  # thick and thin rims
def test_the_rigidity_measure_reads_back_known_shifts(name: str, dx: float, dy: float) -> None:
    image, mask = portrait_rgb(name), glasses_mask(name)
    centres = rigidity.rim_patch_centres(mask, np.zeros(mask.shape, bool))
    read = rigidity.patch_shifts(image, rigidity.shifted(image, dx, dy), mask, centres)
    known = np.array([dx, dy])
    across = (read.normals @ known)[:, None] * read.normals  # what a straight stretch can see
    assert read.full.sum() >= 20 and (~read.full).sum() >= 10
    assert np.abs(np.median(read.shifts[read.full], axis=0) - known).max() < 0.06
    assert np.median(np.linalg.norm(read.shifts[~read.full] - across[~read.full], axis=1)) < 0.06
    assert np.percentile(np.linalg.norm(read.shifts[read.full] - known, axis=1), 90) < 0.15


def test_patches_keep_clear_of_the_eyes() -> None:
    mask = np.zeros((200, 200), np.float32)
    mask[100, 20:180] = 1.0
    eyes = np.zeros((200, 200), bool)
    eyes[90:110, 90:110] = True
    centres = rigidity.rim_patch_centres(mask, eyes)
    clear = (centres[:, 0] < 90 - rigidity.EYE_CLEARANCE_PX) | (centres[:, 0] > 109 + rigidity.EYE_CLEARANCE_PX)
    assert len(centres) >= 10 and np.all(clear)


@pytest.fixture(scope="module")
def floors(landmarker: FaceLandmarker) -> dict[str, fidelity.PortraitFidelity]:
    speech = fidelity.load_speech()
    return {name: fidelity.measure_portrait(portrait_spec(name), landmarker, speech) for name in FLOOR_PORTRAITS}


def _sweep(result: fidelity.PortraitFidelity, label: str) -> fidelity.SweepResult:
    return next(sweep for sweep in result.sweeps if sweep.label == label)


# (portrait, sweep) → (floor on r, floor on slope or None). Floors sit under today's figures (README's
# table, 'before' of issue 11) with margin; the target is named where today's figure misses it.
SWEEP_FLOORS = {
    ("closed-photo-gold", "jawOpen"): (0.85, 0.08),  # today 0.93 / 0.16; target r ≥ 0.9, slope ≥ 0.5
    ("closed-photo-gold", "blinkL"): (0.75, None),  # today 0.86; target 0.85
    ("closed-photo-gold", "blinkR"): (0.85, None),  # the target
    ("closed-photo-gold", "smileL"): (0.85, None),  # the target
    ("closed-photo-gold", "smileR"): (0.85, None),  # the target
    ("closed-photo-gold", "yaw"): (0.9, None),  # the target
    ("closed-photo-gold", "pitch"): (0.9, None),  # the target
    ("closed-photo-gold", "gaze"): (0.9, None),
    ("closed-pencil", "jawOpen"): (0.6, None),  # today 0.76 / 0.01 (wide reads barely open); target 0.9 / 0.5
    ("closed-pencil", "blinkL"): (0.75, None),  # today 0.85; target 0.85
    ("closed-pencil", "blinkR"): (0.75, None),  # today 0.89; target 0.85
    ("closed-pencil", "smileL"): (0.85, None),  # the target
    ("closed-pencil", "smileR"): (0.85, None),  # the target
    ("closed-pencil", "yaw"): (0.9, None),  # the target
    ("closed-pencil", "pitch"): (0.9, None),  # the target
    # The drawing's eyes are one dark mass: its whites show as the iris turns (runtime/render/eye_layer.py).
    ("closed-pencil", "gaze"): (0.8, 0.08),  # today 0.97 / 0.14 (the photos' slope: 0.17-0.19); -0.23 before
}


def test_sweeps_stay_above_their_floors(floors: dict[str, fidelity.PortraitFidelity]) -> None:
    misses = []
    for (name, label), (r_floor, slope_floor) in SWEEP_FLOORS.items():
        sweep = _sweep(floors[name], label)
        if not sweep.r >= r_floor or (slope_floor is not None and not sweep.slope >= slope_floor):
            misses.append(f"{name} {label}: r = {sweep.r:.3f}, slope = {sweep.slope:.3f}")
    assert not misses, misses


def test_the_face_is_found_in_every_rendered_frame(floors: dict[str, fidelity.PortraitFidelity]) -> None:
    for result in floors.values():
        assert result.face_found >= 0.98, result.name  # the target


def test_closures_on_a_closed_mouth_photo(floors: dict[str, fidelity.PortraitFidelity]) -> None:
    # Today 53 % of PP ≥ 0.8 frames read closed on closed-photo-gold; target 100 %. (closed-pencil: 0 % today,
    # and its own closed mouth reads as a 12 % gap at rest, so no floor there yet.)
    assert floors["closed-photo-gold"].closure.closed_share >= 0.3


def test_glasses_stay_rigid_on_the_closed_mouth_photo(floors: dict[str, fidelity.PortraitFidelity]) -> None:
    rigidity_result = floors["closed-photo-gold"].rigidity
    assert rigidity_result.patches >= 20
    assert rigidity_result.worst_px < RIGIDITY_CEILING_PX, rigidity_result.rms_px


def test_a_thick_frame_under_the_brows_stays_rigid(floors: dict[str, fidelity.PortraitFidelity]) -> None:
    """Its top edge lies in the brows' margin: left to the warp, a raised brow stretched it (1.73 px)."""
    rigidity_result = floors["closed-photo-large-acetate"].rigidity
    assert rigidity_result.patches >= 20
    assert rigidity_result.worst_px < 0.5, rigidity_result.rms_px  # the target


def test_the_rest_frame_is_the_portrait(floors: dict[str, fidelity.PortraitFidelity]) -> None:
    for result in floors.values():
        assert result.identity.ssim >= 0.999 and result.identity.max_change_at_rest <= 2, result.name
