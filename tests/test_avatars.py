"""Avatars: portrait analysis with the real FaceLandmarker model, pose signs, refusals, and the store."""

from __future__ import annotations

import io
import math
import os
import time

import cv2
import numpy as np
import pytest
from PIL import Image
from scipy.interpolate import griddata

from runtime.arkit import NUM_BLENDSHAPES, Blendshape
from runtime.errors import AvatarNotFoundError
from runtime.face.analysis import AnalysisOptions, PortraitAnalysis, analyse_portrait
from runtime.face.avatar_store import AvatarStore
from runtime.face.errors import FaceTooSmallError, InvalidImageError, NoFaceError
from runtime.face.image_decoding import ANIMATED_WARNING, decode_image
from runtime.face.landmarker import NUM_LANDMARKS, FaceLandmarker
from tests.portrait_set import portrait_rgb
from tests.portraits import painted, photo_rgb

OPTIONS = AnalysisOptions()


def png_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buffer, format="PNG")
    return buffer.getvalue()


photo = photo_rgb  # NASA portrait of Eileen Collins, public domain (tests/portraits.py)


def painting() -> np.ndarray:
    return painted(photo())  # unmirrored, unlike tests/portraits.py's: the face stays where the photo has it


def drawing() -> np.ndarray:
    # The colour output of pencilSketch; its grey output loses too much for the face detector.
    return cv2.pencilSketch(photo(), sigma_s=60, sigma_r=0.07, shade_factor=0.05)[1]


def rotated_counter_clockwise(rgb: np.ndarray, degrees: float) -> np.ndarray:
    height, width = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)  # cv2: > 0 is counter-clockwise
    return cv2.warpAffine(rgb, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)


def turned_face(rgb: np.ndarray, landmarks: np.ndarray, yaw_deg: float = 0.0, nod_deg: float = 0.0) -> np.ndarray:
    """The portrait with its face mesh rotated in 3D and the pixels dragged along (piecewise linear).

    Image frame: x right, y down, z into the image; yaw > 0 moves the nose (z < 0) to the image's
    right, nod > 0 moves it down — the motions our pitch > 0 and yaw > 0 name.
    """
    height, width = rgb.shape[:2]
    points = landmarks.astype(np.float64)
    centre = points.mean(axis=0)
    yaw, nod = math.radians(yaw_deg), math.radians(nod_deg)
    turn = np.array([[math.cos(yaw), 0, -math.sin(yaw)], [0, 1, 0], [math.sin(yaw), 0, math.cos(yaw)]])
    tilt = np.array([[1, 0, 0], [0, math.cos(nod), -math.sin(nod)], [0, math.sin(nod), math.cos(nod)]])
    moved = (points - centre) @ (tilt @ turn).T + centre
    edge = np.linspace(0, 1, 9)
    border = np.array([(x * (width - 1), y * (height - 1)) for x in edge for y in edge if x in (0, 1) or y in (0, 1)])
    source = np.concatenate([points[:, :2], border])
    target = np.concatenate([moved[:, :2], border])
    rows, cols = np.mgrid[0:height, 0:width]
    map_x = griddata(target, source[:, 0], (cols, rows), method="linear").astype(np.float32)
    map_y = griddata(target, source[:, 1], (cols, rows), method="linear").astype(np.float32)
    return cv2.remap(rgb, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


@pytest.fixture(scope="module")
def landmarker():
    with FaceLandmarker() as opened:
        yield opened


@pytest.fixture(scope="module")
def analyse(landmarker):
    def run(image_bytes: bytes, options: AnalysisOptions = OPTIONS) -> PortraitAnalysis:
        return analyse_portrait(image_bytes, options, landmarker=landmarker)

    return run


@pytest.fixture(scope="module")
def portraits(analyse) -> dict[str, PortraitAnalysis]:
    return {name: analyse(png_bytes(make())) for name, make in
            (("photo", photo), ("painting", painting), ("drawing", drawing))}


def pose_of(analyse, rgb: np.ndarray):
    return analyse(png_bytes(rgb)).head_pose


# --- analysis ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["photo", "painting", "drawing"])
def test_photo_painting_and_drawing_each_give_one_face_with_open_eyes(portraits, kind):
    analysis = portraits[kind]
    assert analysis.landmarks.shape == (NUM_LANDMARKS, 3) and analysis.landmarks.dtype == np.float32
    assert analysis.blendshapes.shape == (NUM_BLENDSHAPES,) and analysis.blendshapes.dtype == np.float32
    assert ((analysis.blendshapes >= 0) & (analysis.blendshapes <= 1)).all()
    assert analysis.blendshapes[Blendshape.EYE_BLINK_LEFT] < 0.5
    assert analysis.blendshapes[Blendshape.EYE_BLINK_RIGHT] < 0.5
    assert analysis.warnings == ()
    left, top, right, bottom = analysis.face_box
    assert 150 < left < right < 330 and 40 < top < bottom < 260  # the astronaut's face, in pixels
    assert 80 < analysis.face_width_px < 120


def test_the_smiling_astronaut_reads_as_smiling(portraits):
    smile = portraits["photo"].blendshapes[[Blendshape.MOUTH_SMILE_LEFT, Blendshape.MOUTH_SMILE_RIGHT]]
    assert smile.min() > 0.3


def test_landmarks_are_in_pixels_with_the_nose_nearest_the_viewer(portraits):
    landmarks = portraits["photo"].landmarks
    nose_tip = landmarks[1]
    assert 200 < nose_tip[0] < 260 and 110 < nose_tip[1] < 160
    assert nose_tip[2] < np.median(landmarks[:, 2])  # z grows into the image


def test_counter_clockwise_image_rotation_adds_positive_roll(analyse, portraits):
    before = portraits["photo"].head_pose
    after = pose_of(analyse, rotated_counter_clockwise(photo(), 10.0))
    assert after.roll_deg - before.roll_deg == pytest.approx(10.0, abs=2.0)


def test_horizontal_flip_negates_roll(analyse, portraits):
    before = portraits["photo"].head_pose
    flipped = pose_of(analyse, photo()[:, ::-1])
    assert abs(before.roll_deg) > 2.0
    assert flipped.roll_deg == pytest.approx(-before.roll_deg, abs=1.5)


def test_a_face_turned_towards_the_image_right_has_positive_yaw_and_its_mirror_negative(analyse, portraits):
    turned = turned_face(photo(), portraits["photo"].landmarks, yaw_deg=20.0)
    yaw = pose_of(analyse, turned).yaw_deg
    mirrored_yaw = pose_of(analyse, turned[:, ::-1]).yaw_deg
    assert yaw > 10.0
    assert mirrored_yaw < -10.0


def test_a_face_nodding_down_has_larger_pitch(analyse, portraits):
    level = portraits["photo"].head_pose.pitch_deg
    down = pose_of(analyse, turned_face(photo(), portraits["photo"].landmarks, nod_deg=15.0)).pitch_deg
    up = pose_of(analyse, turned_face(photo(), portraits["photo"].landmarks, nod_deg=-15.0)).pitch_deg
    assert down > level + 8.0 > up + 16.0


def test_a_small_off_centre_face_in_a_large_image_is_found_through_a_crop(analyse, landmarker):
    canvas = np.full((1200, 1600, 3), 128, np.uint8)
    canvas[650:1162, 1000:1512] = photo()  # the face is ~6 % of the width: too small for the detector
    faces = landmarker.detect(canvas)
    assert len(faces) == 1 and faces[0].found_in_crop
    analysis = analyse(png_bytes(canvas))
    left, top, right, bottom = analysis.face_box
    assert 1150 < left < right < 1330 and 690 < top < bottom < 910  # mapped back to the full image
    assert analysis.blendshapes[Blendshape.EYE_BLINK_LEFT] < 0.5


def test_a_drawing_whose_grain_hides_its_face_is_analysed_on_a_smoothed_copy(analyse, landmarker):
    drawing = np.ascontiguousarray(portrait_rgb("closed-pencil-acetate"))
    assert landmarker.detect(drawing) == []  # MediaPipe alone, on the drawing's own pixels
    analysis = analyse(png_bytes(drawing))
    assert analysis.warnings == ("the face was found on a smoothed copy of the image (its texture hid it)",)
    assert np.array_equal(analysis.image, drawing)  # the original is what renders
    left, top, right, bottom = analysis.face_box
    assert 150 < left < right < 420 and 150 < top < bottom < 480


def test_two_faces_give_the_larger_with_a_warning(analyse):
    canvas = np.full((512, 1024, 3), 128, np.uint8)
    canvas[:, :512] = photo()
    canvas[:360, 588:948] = cv2.resize(photo(), (360, 360), interpolation=cv2.INTER_AREA)
    analysis = analyse(png_bytes(canvas))
    assert analysis.warnings == ("found 2 faces; animating the largest",)
    assert analysis.face_box[2] < 512


# --- refusals and formats ---------------------------------------------------------------------


def test_random_bytes_are_not_an_image(analyse):
    with pytest.raises(InvalidImageError, match="not an image"):
        analyse(np.random.default_rng(0).bytes(4096))


def test_a_text_file_is_not_an_image(analyse):
    with pytest.raises(InvalidImageError, match="not an image"):
        analyse(b"Hello, I am a portrait.\n" * 20)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_over_40_megapixels_is_refused_from_its_header(analyse):
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, format="PNG")
    header_only = buffer.getvalue()[:200]  # no pixel data at all: decoding would fail differently
    assert len(buffer.getvalue()) < 20_000
    started = time.perf_counter()
    with pytest.raises(InvalidImageError, match=r"8000×6000 \(48.0 MP\); the limit is 40 MP"):
        analyse(header_only)
    with pytest.raises(InvalidImageError, match="48.0 MP"):
        analyse(buffer.getvalue())
    assert time.perf_counter() - started < 0.5


def test_a_blank_image_has_no_face(analyse):
    with pytest.raises(NoFaceError, match="no face found"):
        analyse(png_bytes(np.full((480, 640, 3), 200, np.uint8)))


def test_a_face_under_64_pixels_is_refused(analyse):
    tiny = cv2.resize(photo(), (160, 160), interpolation=cv2.INTER_AREA)  # face ~30 px wide
    with pytest.raises(FaceTooSmallError, match=r"about \d+ px wide; at least 64 px"):
        analyse(png_bytes(tiny))


def test_a_cmyk_jpeg_is_analysed(analyse):
    buffer = io.BytesIO()
    Image.fromarray(photo()).convert("CMYK").save(buffer, format="JPEG", quality=90)
    analysis = analyse(buffer.getvalue())
    assert analysis.image.shape == (512, 512, 3) and analysis.landmarks.shape == (NUM_LANDMARKS, 3)


def test_a_palette_png_is_analysed(analyse):
    buffer = io.BytesIO()
    Image.fromarray(photo()).quantize(colors=256).save(buffer, format="PNG")
    analysis = analyse(buffer.getvalue())
    assert analysis.image.dtype == np.uint8 and analysis.image.shape == (512, 512, 3)


def test_an_animated_gif_uses_its_first_frame_with_a_warning(analyse):
    frames = [Image.fromarray(photo()).quantize(colors=256), Image.new("P", (512, 512), 0)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    analysis = analyse(buffer.getvalue())
    assert analysis.warnings == (ANIMATED_WARNING,)


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 20, 30)).save(buffer, format="JPEG", exif=exif)
    assert decode_image(buffer.getvalue()).rgb.shape == (40, 20, 3)


def test_16_bit_greyscale_is_scaled_not_clipped():
    buffer = io.BytesIO()
    Image.fromarray(np.full((8, 8), 32768, np.uint16)).save(buffer, format="PNG")
    rgb = decode_image(buffer.getvalue()).rgb
    assert rgb.shape == (8, 8, 3) and int(rgb[0, 0, 0]) == 128


def test_transparent_pixels_become_white():
    rgba = np.zeros((4, 4, 4), np.uint8)
    assert (decode_image(png_bytes(rgba)).rgb == 255).all()


# --- the store --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def photo_png() -> bytes:
    return png_bytes(photo())


@pytest.fixture
def store(tmp_path):
    with AvatarStore(tmp_path / "avatars") as opened:
        yield opened


def test_creating_the_same_image_twice_gives_the_same_avatar_without_reanalysis(store, photo_png):
    first, warnings = store.create(photo_png, "Eileen")
    record = store.directory / f"{first.avatar_id}.msgpack"
    written = record.stat().st_mtime_ns
    second, _ = store.create(photo_png, "another name")
    assert len(first.avatar_id) == 32 and second.avatar_id == first.avatar_id
    assert second.display_name == "Eileen" and second.created_unix_s == first.created_unix_s
    assert record.stat().st_mtime_ns == written and warnings == ()
    assert first.rest_state.blendshapes.shape == (NUM_BLENDSHAPES,)


def test_avatars_survive_a_restart(tmp_path, photo_png):
    with AvatarStore(tmp_path) as before:
        created, _ = before.create(photo_png, "Eileen")
    with AvatarStore(tmp_path) as after:
        loaded = after.get(created.avatar_id)
    assert loaded.display_name == "Eileen" and (loaded.width, loaded.height) == (512, 512)
    np.testing.assert_array_equal(loaded.image, created.image)
    np.testing.assert_array_equal(loaded.landmarks, created.landmarks)
    np.testing.assert_array_equal(loaded.rest_blendshapes, created.rest_blendshapes)
    assert loaded.rest_head_pose.yaw_deg == pytest.approx(created.rest_head_pose.yaw_deg, abs=1e-5)
    assert loaded.face_box == pytest.approx(created.face_box)


def test_a_deleted_avatar_is_gone(store, photo_png):
    avatar, _ = store.create(photo_png)
    store.delete(avatar.avatar_id)
    with pytest.raises(AvatarNotFoundError):
        store.get(avatar.avatar_id)
    with pytest.raises(AvatarNotFoundError):
        store.delete(avatar.avatar_id)
    assert list(store.directory.iterdir()) == []


def test_list_is_oldest_first(store, photo_png):
    first, _ = store.create(photo_png, "first")
    second, _ = store.create(png_bytes(painting()), "second")
    assert [a.display_name for a in store.list()] == ["first", "second"]
    assert first.created_unix_s <= second.created_unix_s


def test_unknown_and_malformed_ids_are_not_found(store):
    for avatar_id in ("0" * 32, "../../etc/passwd", ""):
        with pytest.raises(AvatarNotFoundError):
            store.get(avatar_id)


def test_a_corrupted_record_is_dropped_not_served(tmp_path, photo_png, caplog):
    with AvatarStore(tmp_path) as before:
        avatar, _ = before.create(photo_png)
    record = tmp_path / f"{avatar.avatar_id}.msgpack"
    record.write_bytes(b"\xc1garbage")
    with AvatarStore(tmp_path) as after:
        with pytest.raises(AvatarNotFoundError):
            after.get(avatar.avatar_id)
        assert after.list() == []
    assert not record.exists() and not (tmp_path / f"{avatar.avatar_id}.png").exists()
    assert "dropping damaged avatar record" in caplog.text


def test_a_record_with_wrong_shapes_is_dropped(tmp_path, photo_png):
    import msgpack

    with AvatarStore(tmp_path) as before:
        avatar, _ = before.create(photo_png)
    record = tmp_path / f"{avatar.avatar_id}.msgpack"
    fields = msgpack.unpackb(record.read_bytes())
    fields["landmarks"]["shape"] = [100, 3]
    record.write_bytes(msgpack.packb(fields))
    with AvatarStore(tmp_path) as after, pytest.raises(AvatarNotFoundError):
        after.get(avatar.avatar_id)


def test_a_leftover_temp_file_from_a_crashed_write_is_ignored_and_cleaned(tmp_path, photo_png):
    with AvatarStore(tmp_path) as before:
        avatar, _ = before.create(photo_png)
    stale = tmp_path / f".{'a' * 32}.msgpack.x1y2z3.tmp"
    fresh = tmp_path / f".{'b' * 32}.msgpack.x1y2z3.tmp"
    stale.write_bytes(b"half a rec")
    fresh.write_bytes(b"another process mid-write")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    with AvatarStore(tmp_path) as after:
        assert [a.avatar_id for a in after.list()] == [avatar.avatar_id]
    assert not stale.exists()
    assert fresh.exists()  # young: may belong to a live writer
