"""Per-frame 2×2 linear maps of the image plane, composed, inverted and applied elementwise.

A layer that moves its pixels by a map per frame (the glasses' rims, each temple arm) must draw a
frame the same whether it is rendered alone or batched with other sessions' frames (RenderBatcher).
Made with torch.linalg's inverse and determinant and with matrix products broadcast over the batch,
the maps came out a bit apart with the batch's size, and 1–3 of the glasses' pixels a level apart;
written out as multiplies and adds, every value of every frame is computed the same way. (The rigid
layer applies a frame's map to its pixels with openings.to_local, a coordinate at a time over (B, N)
planes: written out like these over (B, N, 2) pairs it cost 2.6 times as much as a batched product.)
"""

from __future__ import annotations

import torch


def applied(matrix: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    """(B or 1, 2, 2) maps, (B or 1, N, 2) points → (B, N, 2) each frame's points mapped by its matrix
    (matrix @ point)."""
    return points[..., :1] * matrix[:, None, :, 0] + points[..., 1:] * matrix[:, None, :, 1]


def product(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """(B or 1, 2, 2) @ (B or 1, 2, 2) → (B, 2, 2), frame by frame."""
    return applied(first, second.transpose(1, 2)).transpose(1, 2)


def determinant(matrix: torch.Tensor) -> torch.Tensor:
    """(B, 2, 2) → (B,)."""
    return matrix[:, 0, 0] * matrix[:, 1, 1] - matrix[:, 0, 1] * matrix[:, 1, 0]


def inverse(matrix: torch.Tensor) -> torch.Tensor:
    """(B, 2, 2) invertible maps → (B, 2, 2) their inverses (the adjugate over the determinant)."""
    adjugate = torch.stack([torch.stack([matrix[:, 1, 1], -matrix[:, 0, 1]], dim=1),
                            torch.stack([-matrix[:, 1, 0], matrix[:, 0, 0]], dim=1)], dim=1)
    return adjugate / determinant(matrix)[:, None, None]
