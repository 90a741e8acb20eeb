"""runs_from: how far a line runs unbroken either way from a point on it; run_bounds: where its runs lie."""

import numpy as np

from runtime.face.line_runs import run_bounds, runs_from


def test_runs_count_unbroken_samples_either_way_and_none_off_the_line() -> None:
    on = np.array([[0, 1, 1, 1, 0, 1],
                   [1, 1, 1, 1, 1, 1],
                   [1, 1, 0, 1, 1, 1]], bool)
    before, after = runs_from(on, np.array([2, 0, 2]))
    assert before.tolist() == [1, 0, 0] and after.tolist() == [1, 5, 0]


def test_run_bounds_are_each_runs_start_and_end() -> None:
    starts, ends = run_bounds(np.array([1, 1, 0, 1, 0, 0, 1, 1, 1], bool))
    assert starts.tolist() == [0, 3, 6] and ends.tolist() == [2, 4, 9]
    assert [len(bound) for bound in run_bounds(np.zeros(4, bool))] == [0, 0]
