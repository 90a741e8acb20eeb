"""eye_openings: the eyes' openings with a margin round them, or less a margin inside them; EyeStrip.below:
what lies under a path along the strip."""

import numpy as np

from runtime.face.eye_strip import EyeStrip, eye_openings
from runtime.render.landmark_groups import LEFT_EYE, RIGHT_EYE


def _eyes_as_ellipses(width: float) -> np.ndarray:
    """(478, 2) landmarks with each eye's lids on an ellipse `width` px wide and half as high."""
    landmarks = np.zeros((478, 2))
    for eye, centre_x in ((RIGHT_EYE, 60.0), (LEFT_EYE, 140.0)):
        upper = np.linspace(np.pi, 2.0 * np.pi, len(eye.upper_lid))  # y down: sin < 0 is above
        lower = np.linspace(np.pi, 0.0, len(eye.lower_lid))
        for indices, angles in ((eye.upper_lid, upper), (eye.lower_lid, lower)):
            landmarks[list(indices)] = np.stack([centre_x + width / 2 * np.cos(angles),
                                                 50.0 + width / 4 * np.sin(angles)], axis=1)
    return landmarks


def test_a_margin_grows_the_openings_and_a_negative_one_shrinks_them() -> None:
    eye_width = 40.0
    landmarks = _eyes_as_ellipses(eye_width)
    shape = (100, 200)
    plain, grown, shrunk = (eye_openings(shape, landmarks, eye_width, margin) > 0 for margin in (0.0, 0.1, -0.1))
    assert shrunk.any() and np.all(plain[shrunk]) and np.all(grown[plain])
    # 0.1 eye widths, 4 px, either way at an eye's outer corner (at x = 40)
    assert grown[50, 37] and not plain[50, 37]
    assert plain[50, 43] and not shrunk[50, 43]
    assert shrunk[50, 46]


def test_below_a_path_is_everything_under_it_between_its_ends() -> None:
    eye_width = 40.0
    landmarks = _eyes_as_ellipses(eye_width)
    for eye, centre_x in ((RIGHT_EYE, 60.0), (LEFT_EYE, 140.0)):  # level brows 20 px over the eyes
        for indices in (eye.brow_upper_row, eye.brow_lower_row):
            landmarks[list(indices)] = np.stack([np.linspace(centre_x - 20, centre_x + 20, len(indices)),
                                                 np.full(len(indices), 30.0)], axis=1)
    strip = EyeStrip(landmarks, eye_width)
    columns = np.arange(20, strip.columns - 20)
    row = 10.0
    below = strip.below(np.full(len(columns), row), columns, (100, 200))
    path_y = 50.0 + strip.top + row  # a level strip: its rows run straight down from the eyes' line
    middle_x = int(round(100.0 + strip.start + columns.mean()))
    assert below[int(path_y) + 2, middle_x] == 1.0 and below[int(path_y) - 2, middle_x] == 0.0
    assert below[int(path_y) + 2, int(round(100.0 + strip.start + columns[0])) - 3] == 0.0  # not past its ends
