"""The portrait's edge blur (runtime/render/edge_blur.py), and the opened mouth's edge it sets."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from runtime.face.avatar import analyse_avatar
from runtime.render.edge_blur import edge_blur_px
from runtime.render.frame_renderer import FrameRenderer
from runtime.render.landmark_groups import FACE_OVAL
from runtime.render.openings import EDGE_SOFTNESS_PX
from tests.portrait_set import portrait_png


def _discs() -> tuple[np.ndarray, np.ndarray]:
    """A picture of overlapping antialiased discs (step edges in every direction) and landmarks whose
    face oval rings its middle."""
    rng = np.random.default_rng(0)
    image = np.full((240, 240, 3), 200, np.uint8)
    for _ in range(40):
        centre = tuple(int(value) for value in rng.integers(20, 220, 2))
        colour = tuple(int(value) for value in rng.integers(0, 255, 3))
        cv2.circle(image, centre, int(rng.integers(6, 30)), colour, -1, lineType=cv2.LINE_AA)
    landmarks = np.zeros((478, 3))
    angles = np.linspace(0.0, 2.0 * np.pi, len(FACE_OVAL), endpoint=False)
    landmarks[list(FACE_OVAL), :2] = np.stack([120 + 100 * np.cos(angles), 120 + 100 * np.sin(angles)], axis=1)
    return image, landmarks


@pytest.mark.parametrize("sigma", [0.8, 1.2, 1.6, 2.0])
def test_the_blur_read_is_the_blur_applied(sigma: float) -> None:
    image, landmarks = _discs()
    own = edge_blur_px(image, landmarks)  # the antialiased discs' own edges, about 0.7 px
    blurred = np.stack([gaussian_filter(image[..., channel].astype(np.float64), sigma) for channel in range(3)],
                       axis=-1).round().astype(np.uint8)
    # Gaussian blurs add in quadrature.
    assert edge_blur_px(blurred, landmarks) == pytest.approx(np.hypot(own, sigma), rel=0.1)


def test_a_blank_face_counts_as_sharp() -> None:
    _, landmarks = _discs()
    assert edge_blur_px(np.full((240, 240, 3), 128, np.uint8), landmarks) == 0.0


def test_a_soft_photos_mouth_opens_with_a_soft_edge_and_an_ink_drawings_with_a_sharp_one() -> None:
    """The test set's photo (upscaled into the frame) against its ink drawing: their mouths' edges are
    as wide as their own edges' blur has them."""
    softness = {name: FrameRenderer(analyse_avatar(portrait_png(name), name))._renderer.mouth.edge_softness_px
                for name in ("closed-photo-gold", "closed-ink")}
    assert softness["closed-photo-gold"] > 2.0
    assert softness["closed-ink"] == pytest.approx(EDGE_SOFTNESS_PX, abs=0.1)
