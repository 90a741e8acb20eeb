"""Retargeting tables: our MotionFrame → Live Link Face's 61 values, the VRM 1.0 presets and
perfect-sync names, and the VMC Head bone's rotation in Unity's axes; and the vectors that keep the
Unity package's copy of the VRM table equal to these."""

from __future__ import annotations

import json

import numpy as np
import pytest

from runtime.arkit import NUM_BLENDSHAPES, NUM_VISEMES, VISEME_NAMES, blendshape_index, viseme_index
from runtime.rigs.humanoid import head_local_rotation
from runtime.rigs.livelink import LIVE_LINK_NAMES, live_link_values
from runtime.rigs.vrm import PERFECT_SYNC_NAMES, VRM_PRESETS, perfect_sync_expressions, vrm_expressions
from runtime.types import Controls, Emotion, EyeGaze, Gaze, HeadPose, MotionFrame
from tests.contract import make_vrm_vectors

STRAIGHT = HeadPose()
AHEAD = Gaze()


def _frame(pose=STRAIGHT, gaze=AHEAD, blendshapes=None, visemes=None) -> MotionFrame:
    if blendshapes is None:
        blendshapes = np.zeros(NUM_BLENDSHAPES, np.float32)
    if visemes is None:
        visemes = np.eye(NUM_VISEMES, dtype=np.float32)[0]
    return MotionFrame(0, 0.0, pose, blendshapes, visemes, gaze, 0.0)


# --- Live Link Face -------------------------------------------------------------------------------

def test_live_link_order_is_apple_then_epics_nine_angles():
    assert len(LIVE_LINK_NAMES) == 61
    assert LIVE_LINK_NAMES[0] == "EyeBlinkLeft" and LIVE_LINK_NAMES[51] == "TongueOut"
    assert LIVE_LINK_NAMES[52:] == ("HeadYaw", "HeadPitch", "HeadRoll", "LeftEyeYaw", "LeftEyePitch",
                                    "LeftEyeRoll", "RightEyeYaw", "RightEyePitch", "RightEyeRoll")


def test_live_link_blendshapes_pass_through_in_apple_order():
    shapes = np.linspace(0, 1, NUM_BLENDSHAPES, dtype=np.float32)
    values = live_link_values(_frame(blendshapes=shapes))
    assert values.dtype == np.float32 and values.shape == (61,)
    np.testing.assert_array_equal(values[:52], shapes)
    assert values[blendshape_index("jawOpen")] == shapes[17]


@pytest.mark.parametrize(("pose", "column", "expected"), [
    # our yaw > 0 turns to the image's right = the subject's left; FRotator yaw > 0 is the subject's right
    (HeadPose(yaw_deg=18.0), "HeadYaw", -0.1),
    # our pitch > 0 nods down; FRotator pitch > 0 looks up
    (HeadPose(pitch_deg=9.0), "HeadPitch", -0.05),
    # our roll > 0 is counter-clockwise in the image = clockwise as the subject sees it = FRotator roll > 0
    (HeadPose(roll_deg=-36.0), "HeadRoll", -0.2),
])
def test_live_link_head_angles_are_degrees_over_180_in_frotator_signs(pose, column, expected):
    values = live_link_values(_frame(pose=pose))
    assert values[LIVE_LINK_NAMES.index(column)] == pytest.approx(expected, abs=1e-7)
    others = [v for i, v in enumerate(values[52:55]) if LIVE_LINK_NAMES[52 + i] != column]
    assert others == [0.0, 0.0]


def test_live_link_eyes_keep_their_own_side():
    gaze = Gaze(left=EyeGaze(yaw_deg=9.0, pitch_deg=-18.0), right=EyeGaze(yaw_deg=-27.0, pitch_deg=4.5))
    values = live_link_values(_frame(gaze=gaze))
    by_name = dict(zip(LIVE_LINK_NAMES, values.tolist(), strict=True))
    assert by_name["LeftEyeYaw"] == pytest.approx(-0.05) and by_name["LeftEyePitch"] == pytest.approx(0.1)
    assert by_name["RightEyeYaw"] == pytest.approx(0.15) and by_name["RightEyePitch"] == pytest.approx(-0.025)
    assert by_name["LeftEyeRoll"] == by_name["RightEyeRoll"] == 0.0


# --- VRM 1.0 --------------------------------------------------------------------------------------

def test_vrm_gives_every_preset_in_order():
    weights = vrm_expressions(_frame(), Controls())
    assert tuple(weights) == VRM_PRESETS
    assert all(value == 0.0 for value in weights.values())  # silence, open eyes, straight gaze, neutral


@pytest.mark.parametrize(("viseme", "vowel"), [("aa", "aa"), ("E", "ee"), ("ih", "ih"), ("oh", "oh"), ("ou", "ou")])
def test_vrm_vowels_follow_their_viseme(viseme, vowel):
    weights = vrm_expressions(_frame(visemes=np.eye(NUM_VISEMES, dtype=np.float32)[viseme_index(viseme)]), Controls())
    assert weights[vowel] == 1.0
    assert [name for name in ("aa", "ih", "ou", "ee", "oh") if weights[name]] == [vowel]


def test_vrm_vowels_mix_and_stay_within_one():
    rng = np.random.default_rng(0)
    for _ in range(200):
        visemes = rng.dirichlet(np.ones(NUM_VISEMES)).astype(np.float32)
        weights = vrm_expressions(_frame(visemes=visemes), Controls())
        by_viseme = dict(zip(VISEME_NAMES, visemes.tolist(), strict=True))
        assert weights["ou"] == pytest.approx(by_viseme["ou"] + 0.5 * (by_viseme["CH"] + by_viseme["RR"]), abs=1e-6)
        assert sum(weights[v] for v in ("aa", "ih", "ou", "ee", "oh")) <= 1.0 + 1e-6


def test_vrm_closed_mouth_visemes_show_no_vowel():
    for viseme in ("sil", "PP", "FF", "nn"):
        weights = vrm_expressions(_frame(visemes=np.eye(NUM_VISEMES, dtype=np.float32)[viseme_index(viseme)]),
                                  Controls())
        assert all(weights[v] == 0.0 for v in ("aa", "ih", "ou", "ee", "oh")), viseme


def test_vrm_blinks_split_into_shared_and_one_sided_parts():
    shapes = np.zeros(NUM_BLENDSHAPES, np.float32)
    shapes[blendshape_index("eyeBlinkLeft")] = 0.9
    shapes[blendshape_index("eyeBlinkRight")] = 0.25
    weights = vrm_expressions(_frame(blendshapes=shapes), Controls())
    assert weights["blink"] == pytest.approx(0.25)
    assert weights["blinkLeft"] == pytest.approx(0.65) and weights["blinkRight"] == 0.0
    assert weights["blink"] + weights["blinkLeft"] == pytest.approx(0.9)


@pytest.mark.parametrize(("emotion", "intensity", "expected"), [
    (Emotion.HAPPY, 0.7, {"happy": 0.7}),
    (Emotion.ANGRY, 1.0, {"angry": 1.0}),
    (Emotion.SAD, 0.5, {"sad": 0.5}),
    (Emotion.SURPRISED, 0.2, {"surprised": 0.2}),
    (Emotion.FEARFUL, 1.0, {"surprised": 0.6, "sad": 0.4}),
    (Emotion.NEUTRAL, 1.0, {}),
])
def test_vrm_emotion_presets_follow_the_emotion_control(emotion, intensity, expected):
    weights = vrm_expressions(_frame(), Controls(emotion=emotion, emotion_intensity=intensity))
    driven = {name: value for name, value in weights.items()
              if name in ("happy", "angry", "sad", "relaxed", "surprised") and value}
    assert driven == pytest.approx(expected)


def test_vrm_looks_follow_the_mean_gaze_with_the_avatars_own_left():
    # both eyes 15° towards the image's right (the avatar's own left) and 6° up
    gaze = Gaze(left=EyeGaze(yaw_deg=12.0, pitch_deg=-6.0), right=EyeGaze(yaw_deg=18.0, pitch_deg=-6.0))
    weights = vrm_expressions(_frame(gaze=gaze), Controls())
    assert weights["lookLeft"] == pytest.approx(0.5) and weights["lookRight"] == 0.0
    assert weights["lookUp"] == pytest.approx(0.2) and weights["lookDown"] == 0.0
    far = Gaze(left=EyeGaze(yaw_deg=-50.0, pitch_deg=45.0), right=EyeGaze(yaw_deg=-50.0, pitch_deg=45.0))
    weights = vrm_expressions(_frame(gaze=far), Controls())
    assert weights["lookRight"] == 1.0 and weights["lookDown"] == 1.0  # clipped at full


# --- Head bone (VMC /VMC/Ext/Bone/Pos, Unity's axes) ---------------------------------------------

MIRROR_X = np.diag([-1.0, 1.0, 1.0])  # our camera axes → Unity's (runtime/rigs/humanoid.py)


def _rotate(quaternion, vector) -> np.ndarray:
    """A vector turned by a unit quaternion (x, y, z, w): the same formula Unity's Quaternion * Vector3 uses."""
    from scipy.spatial.transform import Rotation

    return Rotation.from_quat(quaternion).apply(vector)


def test_head_bone_is_the_identity_at_rest():
    assert head_local_rotation(_frame()) == (0.0, 0.0, 0.0, 1.0)


@pytest.mark.parametrize(("pose", "axis", "direction"), [
    # our yaw > 0 turns to the subject's own left: Unity's -x (the avatar's right is +x)
    (HeadPose(yaw_deg=30.0), "nose", (-0.5, 0.0, np.sqrt(3) / 2)),
    # our pitch > 0 nods down: the nose towards Unity's -y
    (HeadPose(pitch_deg=30.0), "nose", (0.0, -0.5, np.sqrt(3) / 2)),
    # our roll > 0 tilts the top of the head towards the subject's right: Unity's +x
    (HeadPose(roll_deg=30.0), "crown", (0.5, np.sqrt(3) / 2, 0.0)),
])
def test_head_bone_turns_the_avatar_the_way_the_pose_says_in_unity_axes(pose, axis, direction):
    rest = {"nose": (0.0, 0.0, 1.0), "crown": (0.0, 1.0, 0.0)}[axis]  # Unity: +z forward, +y up
    turned = _rotate(head_local_rotation(_frame(pose=pose)), rest)
    np.testing.assert_allclose(turned, direction, atol=1e-12)


@pytest.mark.parametrize("angles", [(10.0, -25.0, 7.0), (-33.0, 12.5, -18.0), (4.0, 44.0, 29.0)])
def test_head_bone_is_the_mirrored_camera_rotation(angles):
    """Against an independent construction: scipy's R = Rz(roll)·Ry(yaw)·Rx(pitch) in our axes,
    mirrored into Unity's (M·R·M), as a quaternion (x, y, z, w), equal up to its sign."""
    from scipy.spatial.transform import Rotation

    pitch, yaw, roll = angles
    ours = Rotation.from_euler("ZYX", [roll, yaw, pitch], degrees=True).as_matrix()
    expected = Rotation.from_matrix(MIRROR_X @ ours @ MIRROR_X).as_quat()
    got = np.array(head_local_rotation(_frame(pose=HeadPose(pitch_deg=pitch, yaw_deg=yaw, roll_deg=roll))))
    assert np.linalg.norm(got) == pytest.approx(1.0)
    assert min(np.abs(got - expected).max(), np.abs(got + expected).max()) < 1e-12


# --- Perfect sync ---------------------------------------------------------------------------------

# The clip names of VMagicMirror's perfect-sync manual, which set the convention (runtime/rigs/vrm.py).
VMAGICMIRROR_PERFECT_SYNC = """
    BrowInnerUp BrowDownLeft BrowDownRight BrowOuterUpLeft BrowOuterUpRight
    EyeLookUpLeft EyeLookUpRight EyeLookDownLeft EyeLookDownRight EyeLookInLeft EyeLookInRight
    EyeLookOutLeft EyeLookOutRight EyeBlinkLeft EyeBlinkRight EyeSquintRight EyeSquintLeft EyeWideLeft
    EyeWideRight CheekPuff CheekSquintLeft CheekSquintRight NoseSneerLeft NoseSneerRight
    JawOpen JawForward JawLeft JawRight MouthFunnel MouthPucker MouthLeft MouthRight MouthRollUpper
    MouthRollLower MouthShrugUpper MouthShrugLower MouthClose MouthSmileLeft MouthSmileRight
    MouthFrownLeft MouthFrownRight MouthDimpleLeft MouthDimpleRight MouthUpperUpLeft MouthUpperUpRight
    MouthLowerDownLeft MouthLowerDownRight MouthPressLeft MouthPressRight MouthStretchLeft
    MouthStretchRight TongueOut
""".split()


def test_perfect_sync_names_are_the_52_clip_names_in_apples_order():
    assert len(PERFECT_SYNC_NAMES) == 52 == len(set(PERFECT_SYNC_NAMES))
    assert set(PERFECT_SYNC_NAMES) == set(VMAGICMIRROR_PERFECT_SYNC)
    assert PERFECT_SYNC_NAMES == LIVE_LINK_NAMES[:52]  # Epic's enum spells them the same way
    assert PERFECT_SYNC_NAMES[blendshape_index("jawOpen")] == "JawOpen"


def test_perfect_sync_weights_are_the_blendshapes_unchanged():
    shapes = np.linspace(0, 1, NUM_BLENDSHAPES, dtype=np.float32)
    weights = perfect_sync_expressions(_frame(blendshapes=shapes))
    assert tuple(weights) == PERFECT_SYNC_NAMES
    assert list(weights.values()) == shapes.tolist()


# --- The vectors that keep the Unity package's VrmExpressionMapper equal to these tables ----------

def test_the_vrm_vectors_unity_tests_against_are_what_the_tables_make_now():
    """tests/contract/vrm_expressions.json is read by clients/unity's VrmExpressionMapperTests: it
    must be what runtime/rigs/vrm.py makes today, or the C# test would check an old table."""
    committed = json.loads((make_vrm_vectors.HERE / make_vrm_vectors.NAME).read_text())
    assert committed == make_vrm_vectors.document(), (
        "tests/contract/vrm_expressions.json is stale: run `python -m tests.contract.make_vrm_vectors`, "
        "then make clients/unity's VrmExpressionMapper match (its NUnit test reads the file)")


def test_the_vrm_vectors_exercise_every_row():
    document = make_vrm_vectors.document()
    expected = np.array([case["expected"] for case in document["cases"]])
    driven = {preset for preset, column in zip(VRM_PRESETS, expected.T, strict=True) if column.max() > 0}
    assert driven == set(VRM_PRESETS) - {"relaxed"}  # nothing of ours means relaxed
    assert {case["emotion"] for case in document["cases"]} == {emotion.value for emotion in Emotion}
    assert any(value == 1.0 for value in expected.ravel()), "a case should reach the clamp"
