"""Opening.rows_reached: a layer computes an opening only on the window rows it bounds, so every pixel
the opening's `inside` gives more than 0 must lie on them — for wide, shut, rolled and steep-cornered
openings alike. The rendered frames' bits (python -m tests.render_digest) came out the same with it."""

from __future__ import annotations

import math

import pytest
import torch

from runtime.render.openings import Opening


def _curves(width: float, gap: float, roll_deg: float, corner_steepness: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(1, 7, 2) upper and lower curves sharing their corners: an opening `gap` px tall, `width` wide,
    rolled, whose first and last segments leave the corners `corner_steepness` times as steep as a
    half-ellipse's would."""
    u = torch.linspace(-width / 2, width / 2, 7)
    depth = torch.sqrt((1.0 - (2.0 * u / width) ** 2).clamp(min=0.0)) * gap / 2
    depth[1:-1] = depth[1:-1].clamp(min=0.0)
    depth[1] = depth[-2] = min(gap / 2, float(depth[1]) * corner_steepness)
    roll = math.radians(roll_deg)
    along, across = torch.tensor([math.cos(roll), math.sin(roll)]), torch.tensor([-math.sin(roll), math.cos(roll)])
    centre = torch.tensor([64.0, 64.0])
    upper = centre + u[:, None] * along - depth[:, None] * across
    lower = centre + u[:, None] * along + depth[:, None] * across
    return upper[None], lower[None]


@pytest.mark.parametrize("smooth", [True, False])
@pytest.mark.parametrize(("width", "gap", "roll_deg", "steepness"), [
    (80.0, 40.0, 0.0, 1.0), (80.0, 0.4, 0.0, 1.0), (80.0, 2.0, 25.0, 3.0), (60.0, 12.0, -40.0, 6.0),
    (30.0, 0.0, 10.0, 1.0), (90.0, 25.0, 80.0, 2.0),
])
def test_every_pixel_an_opening_shows_lies_on_the_rows_it_reaches(width, gap, roll_deg, steepness, smooth):
    upper, lower = _curves(width, gap, roll_deg, steepness)
    ys, xs = torch.meshgrid(torch.arange(0, 128, 0.25), torch.arange(0, 128, 0.25), indexing="ij")
    pixels = torch.stack([xs.flatten(), ys.flatten()], dim=-1)[None]
    for softness in (1.0, 3.0):
        shown = Opening.of(pixels, upper, lower, smooth=smooth).inside(softness_px=softness)[0] > 0.0
        low, high = Opening.rows_reached(upper, lower, softness, smooth=smooth)
        if shown.any():
            assert float(pixels[0, shown, 1].min()) >= float(low[0])
            assert float(pixels[0, shown, 1].max()) <= float(high[0])
        assert float(high[0] - low[0]) < gap + width + 4 * softness + 8  # a bound, not the window
