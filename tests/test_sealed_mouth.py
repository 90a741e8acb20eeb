"""sealed_mouth.pressed_line on a drawn line whose geometry is known: thinner by PRESS_THINNING about
its middle, as long as drawn, and made of the line's own pixels."""

from __future__ import annotations

import numpy as np

from runtime.render.sealed_mouth import PRESS_THINNING, pressed_line

PAPER, INK = 240, 20
LINE_ROWS, LINE_COLUMNS = (27, 36), (20, 80)  # a 9 px line (rows 27..35), 60 px long, in a 60 x 100 crop


def _drawn_line() -> tuple[np.ndarray, np.ndarray]:
    crop = np.full((60, 100, 3), PAPER, np.uint8)
    line = np.zeros((60, 100), np.uint8)
    line[slice(*LINE_ROWS), slice(*LINE_COLUMNS)] = 1
    crop[line > 0] = INK
    return crop, line


def test_a_pressed_line_is_thinner_about_its_middle_and_as_long_as_drawn() -> None:
    crop, line = _drawn_line()
    squeezed, core = pressed_line(crop, line)
    middle_column = core[:, 50]
    thickness = float(middle_column.sum())
    centre = float((np.arange(60) * middle_column).sum() / thickness)
    assert abs(thickness - 9 / PRESS_THINNING) < 0.6 and abs(centre - 31.0) < 0.5
    # the core holds the line's own ink along the line and the crop as it was past its ends, and it
    # reaches the drawn ends, fading out within a few pixels past them
    in_core = core > 0.5
    along = np.zeros_like(in_core)
    along[:, slice(*LINE_COLUMNS)] = True
    assert np.all(squeezed[in_core & along] == INK) and np.all(squeezed[in_core & ~along] == PAPER)
    core_columns = np.flatnonzero(in_core.any(axis=0))
    assert LINE_COLUMNS[0] - 3 <= core_columns.min() <= LINE_COLUMNS[0]
    assert LINE_COLUMNS[1] - 1 <= core_columns.max() <= LINE_COLUMNS[1] + 2
    assert not core[:, :LINE_COLUMNS[0] - 8].any() and not core[:, LINE_COLUMNS[1] + 8:].any()


def test_a_crop_without_a_line_is_returned_as_it_is() -> None:
    crop, line = _drawn_line()
    squeezed, core = pressed_line(crop, np.zeros_like(line))
    assert np.array_equal(squeezed, crop.astype(np.float32)) and not core.any()
