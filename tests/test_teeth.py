"""The synthesised rows of teeth (runtime/render/teeth.py): shade takes on the mouth's hue."""

from __future__ import annotations

import numpy as np

from runtime.render.teeth import LOWER_ROW_LIGHT, teeth_sprites, warm_shade

ENAMEL = np.array([200.0, 190.0, 180.0])
GUM = np.array([190.0, 120.0, 120.0])
WARM = np.array([1.4, 0.85, 0.75])  # a saturated print's lips, at mean 1


def _lit_enamel(sprite) -> np.ndarray:
    """The colour of a sprite's most brightly lit enamel (premultiplied RGB over alpha, where opaque)."""
    rgba = sprite.rgba[0].numpy()
    opaque = rgba[3] > 0.99
    colours = rgba[:3, opaque].T / rgba[3, opaque][:, None]
    return colours[np.argmax(colours.sum(axis=1))]


def _warmth(colour: np.ndarray) -> float:
    return float((colour[0] - colour[2]) / colour.mean())


def test_lit_enamel_keeps_its_colour_and_shade_takes_on_the_tint() -> None:
    assert np.allclose(warm_shade(np.array([1.0]), WARM), 1.0)  # fully lit: enamel as it is
    shaded = warm_shade(np.array([0.6]), WARM)
    assert shaded[0] > 0.6 > shaded[2] and np.isclose(shaded.mean(), 0.6)  # as dark on average, warmer


def test_the_lower_row_in_shade_is_warmer_than_the_upper_row_in_the_light() -> None:
    """The lower row sits in the shadow of the upper lip and teeth (LOWER_ROW_LIGHT): dimmed alone, in
    Grace Hopper's saturated print its enamel read blue-grey beside her orange lips, as the upper row's
    shade did before it was warmed (renderer 57); now it is warmed as shade is."""
    upper, lower = teeth_sprites(ENAMEL, GUM, 120.0, shade_tint=WARM)
    upper_lit, lower_lit = _lit_enamel(upper), _lit_enamel(lower)
    assert lower_lit.mean() < upper_lit.mean()  # in shade
    assert _warmth(lower_lit) > _warmth(upper_lit) + 0.05, (lower_lit, upper_lit)


def test_without_a_tint_the_rows_shade_grey() -> None:
    upper, lower = teeth_sprites(ENAMEL, GUM, 120.0)
    assert abs(_warmth(_lit_enamel(lower)) - _warmth(_lit_enamel(upper))) < 0.01
    assert LOWER_ROW_LIGHT < 1.0
