"""Frame encoding: the renderer's frames are channel planes viewed as (H, W, 3) rows; they must encode
exactly as the same pixels laid out row by row."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from runtime.render.encoders import EncodeOptions, ImageFormat, encode_frame


def _planar_frame() -> np.ndarray:
    """A (H, W, 3) view of (3, H, W) planes, the layout FrameRenderer hands out, with edges and noise."""
    rng = np.random.default_rng(7)
    planes = rng.integers(0, 256, (3, 96, 128), dtype=np.uint8)
    planes[:, 40:60, 30:90] = np.array([250, 20, 120], np.uint8)[:, None, None]  # a flat block, hard edges
    return planes.transpose(1, 2, 0)


@pytest.mark.parametrize("image_format", list(ImageFormat))
def test_a_planar_frame_encodes_as_its_row_by_row_copy(image_format: ImageFormat) -> None:
    planar = _planar_frame()
    assert not planar.flags.c_contiguous
    options = EncodeOptions(image_format)
    assert encode_frame(planar, options) == encode_frame(np.ascontiguousarray(planar), options)


def test_png_and_rgba_give_back_the_pixels() -> None:
    planar = _planar_frame()
    png = np.asarray(Image.open(io.BytesIO(encode_frame(planar, EncodeOptions(ImageFormat.PNG)))))
    rgba = np.frombuffer(encode_frame(planar, EncodeOptions(ImageFormat.RGBA)), np.uint8).reshape(96, 128, 4)
    assert np.array_equal(png, planar) and np.array_equal(rgba[..., :3], planar) and np.all(rgba[..., 3] == 255)


@pytest.mark.parametrize("quality", [1, 60, 85, 100])
def test_jpeg_is_what_pillow_writes(quality: int) -> None:
    """OpenCV encodes JPEG (faster) with the settings Pillow's encoder, the one clients were tested
    against, uses: the same pictures at the same size (byte for byte with the wheels of 2026-12; a
    later libjpeg in either may round a coefficient apart)."""
    planar = _planar_frame()
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(planar)).save(buffer, format="JPEG", quality=quality)
    ours = encode_frame(planar, EncodeOptions(ImageFormat.JPEG, quality))
    decoded = [np.asarray(Image.open(io.BytesIO(data))).astype(int) for data in (ours, buffer.getvalue())]
    assert np.abs(decoded[0] - decoded[1]).max() <= 2
    assert abs(len(ours) - len(buffer.getvalue())) <= 0.02 * len(buffer.getvalue())


def test_jpeg_keeps_red_red() -> None:
    """OpenCV's channel order is BGR: a red frame must not come back blue."""
    red = np.zeros((64, 64, 3), np.uint8)
    red[..., 0] = 230
    decoded = np.asarray(Image.open(io.BytesIO(encode_frame(red, EncodeOptions(ImageFormat.JPEG)))))
    assert decoded[..., 0].min() > 200 and decoded[..., 2].max() < 30
