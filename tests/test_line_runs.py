"""runs_from: how far a line runs unbroken either way from a point on it."""

import numpy as np

from runtime.face.line_runs import runs_from


def test_runs_count_unbroken_samples_either_way_and_none_off_the_line() -> None:
    on = np.array([[0, 1, 1, 1, 0, 1],
                   [1, 1, 1, 1, 1, 1],
                   [1, 1, 0, 1, 1, 1]], bool)
    before, after = runs_from(on, np.array([2, 0, 2]))
    assert before.tolist() == [1, 0, 0] and after.tolist() == [1, 5, 0]
