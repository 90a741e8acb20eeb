"""Where small or off-centre faces may be: OpenCV Haar cascades, for when MediaPipe's short-range
detector (which sees the whole image at 128²) misses a face that is small in a large image."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

HAAR_SEARCH_LONG_SIDE = 1600  # cascades cost grows with pixels; faces worth animating survive this
MIN_CANDIDATE_PX = 24  # in the search image; smaller boxes are noise for the cascade
MAX_CANDIDATES = 4
CROP_SCALE = 2.0  # the landmarker wants context around the face, as in its own detector crops


@dataclass(frozen=True)
class CropBox:
    """A square region of the full image in pixels (may extend past its borders)."""

    left: int
    top: int
    size: int


@functools.cache
def _frontal_face_cascade() -> cv2.CascadeClassifier:
    return cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")


def candidate_crops(rgb: np.ndarray) -> list[CropBox]:
    """Square crops ~2× around each Haar face candidate, largest first."""
    height, width = rgb.shape[:2]
    scale = min(1.0, HAAR_SEARCH_LONG_SIDE / max(height, width))
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if scale < 1.0:
        grey = cv2.resize(grey, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    boxes = _frontal_face_cascade().detectMultiScale(
        cv2.equalizeHist(grey), scaleFactor=1.1, minNeighbors=4, minSize=(MIN_CANDIDATE_PX, MIN_CANDIDATE_PX)
    )
    ordered = sorted((tuple(int(v) for v in box) for box in boxes), key=lambda b: b[2] * b[3], reverse=True)
    return [_crop_around(box, scale) for box in ordered[:MAX_CANDIDATES]]


def _crop_around(box: tuple[int, ...], scale: float) -> CropBox:
    x, y, w, h = (v / scale for v in box)
    size = round(max(w, h) * CROP_SCALE)
    return CropBox(left=round(x + w / 2 - size / 2), top=round(y + h / 2 - size / 2), size=size)


def cut_crop(rgb: np.ndarray, crop: CropBox, output_px: int) -> np.ndarray:
    """The crop resized to output_px², edge pixels replicated where it leaves the image."""
    to_crop = np.array([[output_px / crop.size, 0, -crop.left * output_px / crop.size],
                        [0, output_px / crop.size, -crop.top * output_px / crop.size]], dtype=np.float64)
    interpolation = cv2.INTER_AREA if crop.size > output_px else cv2.INTER_LINEAR
    return cv2.warpAffine(rgb, to_crop, (output_px, output_px), flags=interpolation, borderMode=cv2.BORDER_REPLICATE)
