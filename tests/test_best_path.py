"""best_path: the dynamic-programming path glasses finders follow rims and bars along."""

import numpy as np

from runtime.face.best_path import best_path


def test_the_path_collects_the_most_moving_a_row_at_a_time() -> None:
    values = np.zeros((5, 6))
    values[1, :3] = 1.0
    values[3, 3:] = 1.0
    path = best_path(values)
    assert np.abs(np.diff(path)).max() <= 1
    assert values[path, np.arange(6)].sum() == 5.0  # one column lost to the step down two rows


def test_a_cost_per_row_moved_keeps_a_path_straight_where_a_jog_gains_nothing() -> None:
    values = np.zeros((5, 8))
    values[2] = 1.0  # a straight line
    values[1, 3:5] = 1.0  # a stretch beside it, as good as the line there
    path = best_path(values, step_cost=0.05)
    assert (path == 2).all()
    wobbly = values.copy()
    wobbly[2, 3:5] = 0.0  # the line breaks: stepping over to the stretch now gains more than it costs
    assert (best_path(wobbly, step_cost=0.05)[3:5] == 1).all()
