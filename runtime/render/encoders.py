"""Rendered frames → bytes for the wire: JPEG (small, fast), PNG (lossless), raw RGBA (no codec)."""

from __future__ import annotations

import enum
import io

import numpy as np
from PIL import Image

from runtime.errors import InvalidConfigError

DEFAULT_JPEG_QUALITY = 85  # ~50 KB for a 512² face, 0.5–0.8 ms to encode here


class ImageFormat(enum.Enum):
    JPEG = "jpeg"
    PNG = "png"
    RGBA = "rgba"  # 8-bit RGBA rows, top to bottom


def check_jpeg_quality(quality: int) -> None:
    if not 1 <= quality <= 100:
        raise InvalidConfigError(f"jpeg_quality must be within [1, 100], got {quality}")


def encode_frame(rgb: np.ndarray, image_format: ImageFormat, jpeg_quality: int = DEFAULT_JPEG_QUALITY) -> bytes:
    """(H, W, 3) uint8 RGB → the bytes of one frame in `image_format`."""
    if image_format is ImageFormat.RGBA:
        alpha = np.full(rgb.shape[:2] + (1,), 255, np.uint8)
        return np.ascontiguousarray(np.concatenate([rgb, alpha], axis=2)).tobytes()
    buffer = io.BytesIO()
    if image_format is ImageFormat.JPEG:
        Image.fromarray(rgb).save(buffer, format="JPEG", quality=jpeg_quality)
    else:
        Image.fromarray(rgb).save(buffer, format="PNG", compress_level=1)  # speed over size
    return buffer.getvalue()
