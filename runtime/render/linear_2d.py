"""Per-frame 2×2 linear maps of the image plane, written out elementwise.

A layer that moves its pixels by a map per frame (the glasses' rims, each temple arm) must draw a
frame the same whether it is rendered alone or batched with other sessions' frames (RenderBatcher).
A batched matrix product or LAPACK call may split and round a frame's sums differently with the
batch's size (1 LSB on a few of the glasses' pixels, measured); a product written as elementwise
multiplies and adds computes every value of every frame the same way, and for 2×2 maps it is no
slower than the BLAS call.
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
