"""FaceLandmarker: MediaPipe Tasks' face landmarker (478 landmarks, 52 ARKit blendshapes, head pose)
over one RGB image, with a Haar-cascade crop fallback for faces too small for its detector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.arkit import NUM_BLENDSHAPES, blendshape_index
from runtime.face.face_candidates import CropBox, candidate_crops, cut_crop
from runtime.face.head_pose import head_pose_from_matrix
from runtime.face.model_file import face_landmarker_model
from runtime.types import HeadPose

NUM_LANDMARKS = 478
MAX_FACES = 4
CROP_PX = 512  # the crop fallback's working size; the landmarker itself works at 256²
DUPLICATE_CENTRE_FRACTION = 0.3  # two detections closer than this × face size are one face


@dataclass(frozen=True, eq=False)
class DetectedFace:
    """One face in image pixels: x right, y down, z into the image (right-handed), all scaled like x."""

    landmarks: np.ndarray  # (478, 3) float32
    blendshapes: np.ndarray  # (52,) float32, ARKit names in Apple's order
    head_pose: HeadPose  # rotation in our camera frame (runtime/types.py); translation 0
    found_in_crop: bool  # True when the Haar fallback found it

    @property
    def size_px(self) -> float:
        """The larger side of the landmarks' bounding box."""
        extent = self.landmarks[:, :2].max(axis=0) - self.landmarks[:, :2].min(axis=0)
        return float(extent.max())

    @property
    def centre_px(self) -> np.ndarray:
        return (self.landmarks[:, :2].max(axis=0) + self.landmarks[:, :2].min(axis=0)) / 2


class FaceLandmarker:
    """Use as a context manager (or call close()): MediaPipe complains at exit about open graphs.
    Not thread-safe: callers serialise detect() (AvatarStore holds a lock around it)."""

    def __init__(self, max_faces: int = MAX_FACES) -> None:
        # MediaPipe is imported by the landmarker, not with this module: importing it costs 0.9 s and 70 MB,
        # and processes that only render (a server's render workers) load avatars, whose module imports this.
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=face_landmarker_model()),
            running_mode=vision.RunningMode.IMAGE,
            num_faces=max_faces,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        self._landmarker = vision.FaceLandmarker.create_from_options(options)

    def __enter__(self) -> FaceLandmarker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._landmarker.close()

    def detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        """Every face in an (H, W, 3) uint8 RGB image; the crop fallback runs only if none is found."""
        faces = self._detect_in(rgb, crop=None)
        if faces:
            return faces
        for crop in candidate_crops(rgb):
            for face in self._detect_in(cut_crop(rgb, crop, CROP_PX), crop=crop):
                if not any(_same_face(face, other) for other in faces):
                    faces.append(face)
        return faces

    def _detect_in(self, rgb: np.ndarray, crop: CropBox | None) -> list[DetectedFace]:
        import mediapipe as mp  # imported by __init__ already: a lookup

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb, dtype=np.uint8))
        result = self._landmarker.detect(image)
        height, width = rgb.shape[:2]
        faces = []
        for landmarks, categories, matrix in zip(
            result.face_landmarks, result.face_blendshapes, result.facial_transformation_matrixes, strict=True
        ):
            points = _pixel_landmarks(landmarks, width, height)
            if crop is not None:
                points = _to_full_image(points, crop, width)
            faces.append(DetectedFace(
                landmarks=points.astype(np.float32),
                blendshapes=_arkit_blendshapes(categories),
                head_pose=head_pose_from_matrix(matrix),
                found_in_crop=crop is not None,
            ))
        return faces


def _pixel_landmarks(landmarks: list, width: int, height: int) -> np.ndarray:
    normalised = np.array([(p.x, p.y, p.z) for p in landmarks], dtype=np.float64)
    # MediaPipe's z is normalised like x (by the image width), negative towards the camera.
    return normalised * np.array([width, height, width])


def _to_full_image(points: np.ndarray, crop: CropBox, crop_px: int) -> np.ndarray:
    scale = crop.size / crop_px
    return points * scale + np.array([crop.left, crop.top, 0.0])


def _arkit_blendshapes(categories: list) -> np.ndarray:
    # MediaPipe lists `_neutral` first and otherwise its own order: map by name, never by position.
    weights = np.zeros(NUM_BLENDSHAPES, dtype=np.float32)
    for category in categories:
        if category.category_name != "_neutral":
            weights[blendshape_index(category.category_name)] = category.score
    return weights


def _same_face(face: DetectedFace, other: DetectedFace) -> bool:
    distance = float(np.linalg.norm(face.centre_px - other.centre_px))
    return distance < DUPLICATE_CENTRE_FRACTION * max(face.size_px, other.size_px)
