"""analyse_portrait: portrait bytes → the one face to animate, its landmarks, expression and pose."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from runtime.errors import InvalidConfigError
from runtime.face.errors import FaceTooSmallError, InvalidImageError, NoFaceError
from runtime.face.image_decoding import DEFAULT_MAX_PIXELS, decode_image
from runtime.face.landmarker import MAX_FACES, DetectedFace, FaceLandmarker
from runtime.types import HeadPose

# Bump when anything that changes the analysis output changes (model, decoding, conversions):
# avatar ids hash it, so stored avatars are re-analysed rather than silently mixed.
ANALYSIS_VERSION = "1"

# Outer eye corners (subject's right, left) in MediaPipe's 478-point mesh.
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263
# Face width (cheek to cheek, landmarks 234–454) over the outer-eye-corner span: 1.48 measured on
# the astronaut portrait. The eyes are found reliably even where the cheek contour is guessed, and
# the span is measured in 3D (z is scaled like x) so a turned head does not shrink it.
FACE_WIDTH_PER_EYE_SPAN = 1.5
SMOOTHING_SIGMA_PX = 2.0  # the blur of the copy searched when the image itself shows no face (_detect)
SMOOTHED_NOTE = "the face was found on a smoothed copy of the image (its texture hid it)"  # an analysis warning


@dataclass(frozen=True)
class AnalysisOptions:
    max_pixels: int = DEFAULT_MAX_PIXELS
    min_face_width_px: float = 64.0
    max_faces: int = MAX_FACES

    def __post_init__(self) -> None:
        if not (1 <= self.max_pixels <= 200_000_000):
            raise InvalidConfigError(f"max_pixels must be within [1, 200000000], got {self.max_pixels}")
        if not (1.0 <= self.min_face_width_px <= 4096.0):
            raise InvalidConfigError(f"min_face_width_px must be within [1, 4096], got {self.min_face_width_px}")
        if not (1 <= self.max_faces <= 16):
            raise InvalidConfigError(f"max_faces must be within [1, 16], got {self.max_faces}")


@dataclass(frozen=True, eq=False)
class PortraitAnalysis:
    image: np.ndarray  # (H, W, 3) uint8 RGB, EXIF orientation applied
    landmarks: np.ndarray  # (478, 3) float32 pixels: x right, y down, z into the image, scaled like x
    blendshapes: np.ndarray  # (52,) float32, ARKit names in Apple's order
    head_pose: HeadPose  # rotation in our camera frame; translation 0 (the rest position)
    face_box: tuple[float, float, float, float]  # left, top, right, bottom in pixels, from the landmarks
    warnings: tuple[str, ...]

    @property
    def face_width_px(self) -> float:
        return face_width_px(self.landmarks)


def face_width_px(landmarks: np.ndarray) -> float:
    """Cheek-to-cheek face width estimated from the outer eye corners."""
    span = np.linalg.norm(landmarks[LEFT_EYE_OUTER] - landmarks[RIGHT_EYE_OUTER])
    return float(span) * FACE_WIDTH_PER_EYE_SPAN


def analyse_portrait(image_bytes: bytes, options: AnalysisOptions,
                     landmarker: FaceLandmarker | None = None) -> PortraitAnalysis:
    """Raises InvalidImageError (NoFaceError, FaceTooSmallError) with a one-line message.

    Pass a long-lived `landmarker` when analysing many portraits; otherwise one is opened per call.
    """
    if not isinstance(image_bytes, bytes | bytearray | memoryview):
        raise InvalidImageError(f"image must be bytes, got {type(image_bytes).__name__}")
    decoded = decode_image(bytes(image_bytes), options.max_pixels)
    if landmarker is None:
        with FaceLandmarker(options.max_faces) as own:
            faces, smoothed = _detect(own, decoded.rgb)
    else:
        faces, smoothed = _detect(landmarker, decoded.rgb)
    face, notes = _pick_face(faces, options)
    if smoothed:
        notes = (*notes, SMOOTHED_NOTE)
    return PortraitAnalysis(
        image=decoded.rgb,
        landmarks=face.landmarks,
        blendshapes=face.blendshapes,
        head_pose=face.head_pose,
        face_box=_box(face.landmarks),
        warnings=decoded.warnings + notes,
    )


def _detect(landmarker: FaceLandmarker, rgb: np.ndarray) -> tuple[list[DetectedFace], bool]:
    """The faces, and whether they were found only on the smoothed copy.

    A drawing's strokes and paper grain can hide a face from the detector: a pencil-drawn face behind
    thick black frames is found on none of the original's pixels, and on a copy blurred by 2 px. The
    copy has the original's size, so its landmarks are the original's; the original is what renders."""
    faces = landmarker.detect(rgb)
    if faces:
        return faces, False
    faces = landmarker.detect(smoothed_copy(rgb))
    return faces, bool(faces)


def smoothed_copy(rgb: np.ndarray) -> np.ndarray:
    """The copy of an (H, W, 3) image searched for a face its strokes or grain hide (same size)."""
    return cv2.GaussianBlur(rgb, (0, 0), SMOOTHING_SIGMA_PX)


def _pick_face(faces: list[DetectedFace], options: AnalysisOptions) -> tuple[DetectedFace, tuple[str, ...]]:
    if not faces:
        raise NoFaceError("no face found in the image; use a portrait with the face clearly visible")
    largest = max(faces, key=lambda face: face_width_px(face.landmarks))
    width = face_width_px(largest.landmarks)
    if width < options.min_face_width_px:
        raise FaceTooSmallError(
            f"the face is about {width:.0f} px wide; at least {options.min_face_width_px:g} px is needed"
        )
    notes = (f"found {len(faces)} faces; animating the largest",) if len(faces) > 1 else ()
    return largest, notes


def _box(landmarks: np.ndarray) -> tuple[float, float, float, float]:
    low = landmarks[:, :2].min(axis=0)
    high = landmarks[:, :2].max(axis=0)
    return float(low[0]), float(low[1]), float(high[0]), float(high[1])
