"""best_path: through a grid of values, the path from the first column to the last that collects most of
them, moving at most a few rows from column to column — how a glasses finder follows a rim or a bar
through rays or a strip unrolled from the portrait (dynamic programming)."""

from __future__ import annotations

import numpy as np


def best_path(values: np.ndarray, max_step: int = 1, step_cost: float = 0.0) -> np.ndarray:
    """(columns,) the row in each column of the left-to-right path collecting most of `values`
    (rows, columns), moving at most `max_step` rows from column to column, each row moved costing
    `step_cost` (dynamic programming)."""
    rows, columns = values.shape
    score = values[:, 0].copy()
    back = np.zeros((rows, columns), int)
    shifts = np.arange(-max_step, max_step + 1)
    for column in range(1, columns):
        candidates = np.full((len(shifts), rows), -np.inf)
        for index, shift in enumerate(shifts):  # candidates[index, r] = score[r - shift]
            if shift >= 0:
                candidates[index, shift:] = score[:rows - shift]
            else:
                candidates[index, :shift] = score[-shift:]
        if step_cost:
            candidates -= step_cost * np.abs(shifts)[:, None]
        chosen = candidates.argmax(axis=0)
        back[:, column] = np.arange(rows) - shifts[chosen]
        score = candidates[chosen, np.arange(rows)] + values[:, column]
    path = np.zeros(columns, int)
    path[-1] = int(score.argmax())
    for column in range(columns - 1, 0, -1):
        path[column - 1] = back[path[column], column]
    return path
