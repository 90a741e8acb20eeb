"""runs_from: how far a line runs unbroken either way from a point on it — a rim's band along a ray
(runtime/face/glasses.py), a bar's height across its path (half_rim_frame.py); run_bounds: where a line's
runs start and end (a rim's turned-down end one row at a time, half_rim_frame.py; a lens's rim against
an arm, runtime/render/temple_arms.py)."""

from __future__ import annotations

import numpy as np


def runs_from(on: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """((N,), (N,)) for each row of `on` ((N, L) bool), how many samples before and after `at` ((N,)
    indices) are True unbroken up to it; (0, 0) where `on` is False at `at` itself."""
    index = np.arange(on.shape[1])[None]
    at = np.asarray(at)[:, None]
    last_off_before = np.where(~on & (index < at), index, -1).max(axis=1)
    first_off_after = np.where(~on & (index > at), index, on.shape[1]).min(axis=1)
    at = at[:, 0]
    start_on = on[np.arange(len(on)), at]
    return np.where(start_on, at - 1 - last_off_before, 0), np.where(start_on, first_off_after - at - 1, 0)


def run_bounds(line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """((R,), (R,)) the start and end (exclusive) of each run of True in `line` ((L,) bool)."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], np.asarray(line, np.int8), [0]])))
    return edges[::2], edges[1::2]
