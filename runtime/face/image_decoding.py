"""Portrait bytes → an RGB uint8 array, refusing what is not a plain still image before the pixels
are decoded.

Animated images (GIF, WebP, APNG): the first frame is used, with a warning — a still portrait is
what the user meant far more often than a refusal would help. Transparent pixels are laid over
white, as viewers show them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from runtime.face.errors import InvalidImageError

DEFAULT_MAX_PIXELS = 40_000_000
# Pillow's own bomb check (a warning above this, an error above twice it) guards any path that
# reaches Image.open without our header check; keep it no looser than our limit.
Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS

# JPEG also opens MPO (phone JPEGs with a second picture). No EPS-like formats that run tools.
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")
ANIMATED_WARNING = "animated image: using its first frame"
_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}


@dataclass(frozen=True, eq=False)
class DecodedImage:
    rgb: np.ndarray  # (H, W, 3) uint8, EXIF orientation applied
    warnings: tuple[str, ...]


def decode_image(image_bytes: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> DecodedImage:
    """Raises InvalidImageError for non-images, images over max_pixels and unreadable files."""
    try:
        # Reads the header only; pixels are decoded by load(), after the size check.
        image = Image.open(io.BytesIO(image_bytes), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise InvalidImageError("not an image in a supported format (PNG, JPEG, WebP, GIF, BMP, TIFF)") from None
    except Image.DecompressionBombError:
        raise InvalidImageError(f"image has too many pixels; the limit is {max_pixels / 1e6:g} MP") from None
    except (OSError, ValueError, SyntaxError) as error:  # a recognised format with a torn or bogus header
        raise InvalidImageError(f"image data is damaged or unreadable ({error})") from None
    with image:
        _check_size(image.size, max_pixels)
        notes = _first_frame(image)
        rgb = _load_rgb(image)
    return DecodedImage(rgb, notes)


def _check_size(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width * height > max_pixels:
        raise InvalidImageError(
            f"image is {width}×{height} ({width * height / 1e6:.1f} MP); the limit is {max_pixels / 1e6:g} MP"
        )
    if width < 1 or height < 1:
        raise InvalidImageError(f"image has no pixels ({width}×{height})")


def _first_frame(image: Image.Image) -> tuple[str, ...]:
    # MPO is how phones store a JPEG with a depth or preview image: not an animation.
    animated = getattr(image, "is_animated", False) and image.format != "MPO"
    image.seek(0)
    return (ANIMATED_WARNING,) if animated else ()


def _load_rgb(image: Image.Image) -> np.ndarray:
    try:
        image.load()
        upright = ImageOps.exif_transpose(image) or image
        return _as_rgb(upright)
    except (OSError, ValueError, SyntaxError) as error:
        raise InvalidImageError(f"image data is damaged or unreadable ({error})") from None


def _as_rgb(image: Image.Image) -> np.ndarray:
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        # 16-bit and 32-bit greyscale: convert("RGB") would clip, not scale, to 8 bits.
        wide = np.asarray(image, dtype=np.float64)
        scale = 255.0 / 65535.0 if wide.max(initial=0.0) > 255.0 else 1.0
        grey = np.clip(np.round(wide * scale), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in _ALPHA_MODES:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()
