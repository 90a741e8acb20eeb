"""Where a glasses bridge is sought: across the nose between the two lenses, at about the eyes' height."""

from __future__ import annotations

import numpy as np

BRIDGE_ROWS = np.linspace(-0.6, 0.3, 24)  # eye widths about the lenses' mean centre height (y down)


def bridge_grid(right, left, eye_width: float) -> np.ndarray | None:
    """(Y, X, 2) pixel points between two lenses' rings (anything with `.centre` (2,) and `.points`
    (N, 2)), the image's right lens first; None when the lenses touch: no room for a bridge to show."""
    start, end = right.points[:, 0].max(), left.points[:, 0].min()
    if end - start < 2.0:
        return None
    xs = np.linspace(start, end, 12)[1:-1]
    ys = bridge_level(right, left) + BRIDGE_ROWS * eye_width
    return np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)


def bridge_level(right, left) -> float:
    """The lenses' mean centre height, in pixels."""
    return (right.centre[1] + left.centre[1]) / 2
