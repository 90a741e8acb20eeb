"""sealed_mouth on drawn mouths whose geometry is known: pressed_line thinner by PRESS_THINNING about
its middle, as long as drawn, and made of the line's own pixels; dark_corners holding a shut mouth's
dark corner dabs and nothing else dark around it; an open mouth's soft-edged cavity filled whole."""

from __future__ import annotations

import cv2
import numpy as np

from runtime.render.landmark_groups import LIPS
from runtime.render.mouth_interior import MAX_EDGE_SOFTNESS_PX
from runtime.render.sealed_mouth import PRESS_THINNING, dark_corners, pressed_line, sealed_lips

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
    # the core's solid part holds the line's own ink along the line and the crop as it was past its
    # ends (its soft pixel either side may read where the line's edge lands between rows), and it
    # reaches the drawn ends, fading out within a few pixels past them
    in_core = core > 0.75
    along = np.zeros_like(in_core)
    along[:, slice(*LINE_COLUMNS)] = True
    assert np.all(squeezed[in_core & along] == INK) and np.all(squeezed[in_core & ~along] == PAPER)
    core_columns = np.flatnonzero(in_core.any(axis=0))
    assert LINE_COLUMNS[0] - 3 <= core_columns.min() <= LINE_COLUMNS[0]
    assert LINE_COLUMNS[1] - 1 <= core_columns.max() <= LINE_COLUMNS[1] + 2
    assert not core[:, :LINE_COLUMNS[0] - 8].any() and not core[:, LINE_COLUMNS[1] + 8:].any()


def test_a_pressed_line_keeps_at_least_half_its_stroke() -> None:
    """Pressed lips in a drawing meet in the drawing's own stroke, a little thinner: squeezed to a third,
    a stylised portrait's bold mouth became a hairline at every p, b and m of its speech."""
    crop, line = _drawn_line()
    _, core = pressed_line(crop, line)
    assert float(core[:, 50].sum()) >= 0.5 * (LINE_ROWS[1] - LINE_ROWS[0])


def test_a_crop_without_a_line_is_returned_as_it_is() -> None:
    crop, line = _drawn_line()
    squeezed, core = pressed_line(crop, np.zeros_like(line))
    assert np.array_equal(squeezed, crop.astype(np.float32)) and not core.any()


SKIN, LIP, DARK = (220, 180, 160), (180, 110, 110), (60, 35, 30)


def _mouth(outer: tuple[float, float], inner: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 60 x 100 crop of skin with lips from x 20 to 80 about row 30, bulging up and down by `outer`
    (the outer contours) and `inner` (the inner ones) pixels at their middle; its landmarks (the lips'
    contours only, from the image's left corner, landmark 61, to its right) and the opening between the
    inner contours, (h, w) bool."""
    points = np.zeros((478, 2))
    xs = np.linspace(20.0, 80.0, len(LIPS.outer_upper))
    bulge = np.sin(np.linspace(0.0, np.pi, len(xs)))
    for contour, rows in ((LIPS.outer_upper, 30.0 - outer[0] * bulge), (LIPS.outer_lower, 30.0 + outer[1] * bulge),
                          (LIPS.inner_upper, 30.0 - inner[0] * bulge), (LIPS.inner_lower, 30.0 + inner[1] * bulge)):
        points[list(contour)] = np.stack([xs, rows], axis=1)
    crop = np.zeros((60, 100, 3), np.uint8)
    crop[:] = SKIN
    lips, opening = np.zeros((60, 100), np.uint8), np.zeros((60, 100), np.uint8)
    outline = np.concatenate([points[list(LIPS.outer_upper)], points[list(LIPS.outer_lower)][::-1]])
    cv2.fillPoly(lips, [outline.round().astype(np.int32)], 1)
    inner_outline = np.concatenate([points[list(LIPS.inner_upper)], points[list(LIPS.inner_lower)][::-1]])
    cv2.fillPoly(opening, [inner_outline.round().astype(np.int32)], 1)
    crop[lips > 0] = LIP
    return crop, points, opening > 0


def _shut_mouth() -> tuple[np.ndarray, np.ndarray]:
    """Shut lips (`_mouth`) meeting on row 30 (the inner contours half a pixel apart)."""
    crop, points, _ = _mouth(outer=(8.0, 9.0), inner=(0.0, 0.0))
    points[list(LIPS.inner_lower), 1] += 0.5
    return crop, points


def test_dark_corners_are_a_shut_mouths_corner_dabs_only() -> None:
    crop, points = _shut_mouth()
    crop[29:32, 18:22] = DARK  # a dab over the left corner, reaching past the lips
    crop[31:33, 81:83] = DARK  # one just past the right corner, apart from the lips
    crop[20:23, 49:52] = DARK  # a dark spot on the upper lip's middle, and one on the chin: neither is a corner
    crop[50:53, 49:52] = DARK
    mask = dark_corners(crop, points) > 0
    assert mask[29:32, 18:22].all() and mask[31:33, 81:83].all()
    assert not mask[20:23, 49:52].any() and not mask[50:53, 49:52].any()
    assert not mask[:, 30:70].any()  # the lips between the corners keep what they are


def _open_mouth_blurred(sigma_px: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lips (`_mouth`) parted on a dark opening, the whole blurred by `sigma_px` (a small portrait
    enlarged into the frame): the crop, its landmarks and the opening as drawn."""
    crop, points, opening = _mouth(outer=(14.0, 16.0), inner=(6.0, 7.0))
    crop[opening] = DARK
    return cv2.GaussianBlur(crop, (0, 0), sigma_px), points, opening


def test_an_open_mouths_soft_edge_is_filled_with_its_cavity() -> None:
    """Filled as far as its edge is soft, a blurred opening leaves no dark outline around the fill: grown
    by a pixel, the enlarged small cartoon's teeth and the dark shapes joined to them stayed outlined
    around every closure (here the fill's darkest, beside the opening, 0.80 of the lips' tone; now 0.95).
    The edge is as soft as the renderer measures such a portrait's (σ 2.5 px: MAX_EDGE_SOFTNESS_PX)."""
    crop, points, opening = _open_mouth_blurred(sigma_px=2.5)
    fill, _ = sealed_lips(crop, points, shut=False, edge_px=MAX_EDGE_SOFTNESS_PX)
    around = cv2.dilate(opening.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    around[:, :26] = around[:, 75:] = False  # the corners, where the blurred opening fades into the skin
    assert float(fill[around].mean(axis=-1).min()) >= 0.9 * float(np.mean(LIP))
