"""Test portraits from scikit-image's astronaut (NASA, public domain): the photo, and a painting-like
and a drawing-like image made from it with OpenCV's non-photorealistic filters (REFERENCES.md).

No other public-domain face portrait ships in a package we can install here, so the three share a
face; the painting is mirrored and the drawing turned, scaled and set off-centre in a landscape
frame, so geometry, texture and colour all differ between them.
"""

from __future__ import annotations

import io
from functools import cache

import cv2
import numpy as np
from PIL import Image

PORTRAIT_NAMES = ("photo", "painting", "drawing")


@cache
def portrait_png(name: str) -> bytes:
    """PNG bytes of one of PORTRAIT_NAMES."""
    makers = {"photo": photo_rgb, "painting": _painting, "drawing": _drawing}
    if name not in makers:
        raise ValueError(f"unknown test portrait {name!r}; choose one of {', '.join(PORTRAIT_NAMES)}")
    buffer = io.BytesIO()
    Image.fromarray(makers[name]()).save(buffer, format="PNG")
    return buffer.getvalue()


def photo_rgb() -> np.ndarray:
    """(512, 512, 3) uint8: NASA's portrait of Eileen Collins."""
    from skimage import data

    return data.astronaut()


def painted(rgb: np.ndarray) -> np.ndarray:
    """A painting-like version of an image: edge-preserving flat colour areas."""
    return cv2.stylization(rgb, sigma_s=60, sigma_r=0.45)


def _painting() -> np.ndarray:
    return np.ascontiguousarray(painted(photo_rgb())[:, ::-1])


def _drawing() -> np.ndarray:
    photo = photo_rgb()
    strokes, _ = cv2.pencilSketch(photo, sigma_s=60, sigma_r=0.1, shade_factor=0.1)
    # Pencil strokes alone leave FaceLandmarker too little to hold on to: add soft tone, as shading does.
    tone = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(np.float64) / 255.0
    grey = (strokes * (0.4 + 0.6 * tone)).clip(0, 255).astype(np.uint8)
    sketch = np.repeat(grey[..., None], 3, axis=2)
    turn = cv2.getRotationMatrix2D((256.0, 256.0), 6.0, 0.8)  # degrees anticlockwise, scale
    turn[:, 2] += (150.0, -20.0)  # off-centre in a wider frame
    return cv2.warpAffine(sketch, turn, (640, 480), flags=cv2.INTER_AREA, borderValue=(255, 255, 255))
