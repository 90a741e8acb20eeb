"""out_to_outer_edge and rim_to_its_edge on a drawn ring: a dark rim round an eye, a socket shaded as
dark inside it above the eye, lighter skin outside, and dark hair meeting the rim on one side."""

import cv2
import numpy as np

from runtime.face.rim_outer_edge import band_lightness, out_to_outer_edge, rim_to_its_edge

SKIN, RIM, SOCKET = 200.0, 110.0, 100.0
CENTRE = np.array([100.0, 100.0])
INNER, OUTER = 40, 55  # the rim's radii: 15 px wide
RAYS = 48


def _picture() -> np.ndarray:
    lightness = np.full((200, 200), SKIN, np.float32)
    cv2.circle(lightness, (100, 100), OUTER, RIM, -1)
    cv2.circle(lightness, (100, 100), INNER, SKIN, -1)
    cv2.ellipse(lightness, (100, 100), (INNER, INNER), 0, 180, 360, SOCKET, -1)  # above the eye (y down)
    cv2.rectangle(lightness, (0, 0), (68, 68), SOCKET, -1)  # hair over the rim's image-left top corner
    return lightness


def _ring(radius: float) -> tuple[np.ndarray, np.ndarray]:
    angles = np.linspace(0.0, 2.0 * np.pi, RAYS, endpoint=False)
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return CENTRE + radius * directions, directions


def test_a_ring_on_the_rims_inner_edge_above_the_eye_moves_out_to_its_middle() -> None:
    points, directions = _ring(INNER + 1.0)  # on the rim's inner edge, as a ring on the socket's shading is
    lightness = _picture()
    rim = band_lightness(lightness, CENTRE, points, OUTER - INNER)
    edge = out_to_outer_edge(lightness, CENTRE, points, OUTER - INNER, rim, SKIN)
    radius = np.linalg.norm(edge.points - CENTRE, axis=1)
    above = directions[:, 1] < -1e-6  # y down
    hair = (directions[:, 0] < -0.6) & (directions[:, 1] < -0.6)  # the rim runs on into the hair there
    seen = above & ((directions[:, 0] > -0.4) | (directions[:, 1] > -0.4))  # clear of the hair
    assert abs(rim - RIM) < 1.0  # read below the eye, where no socket is shaded
    assert np.all(np.abs(radius[seen] - 0.5 * (INNER + OUTER)) <= 1.5)
    assert np.allclose(radius[~above], INNER + 1.0) and np.allclose(radius[hair], INNER + 1.0)
    assert np.all(np.abs(radius[seen] + edge.reach[seen] - OUTER) <= 1.5) and np.isnan(edge.reach[hair]).all()


def test_the_rim_to_its_edge_covers_the_rim_where_its_edge_was_seen_and_nothing_beyond() -> None:
    points, _ = _ring(INNER + 1.0)
    lightness = _picture()
    edge = out_to_outer_edge(lightness, CENTRE, points, OUTER - INNER, RIM, SKIN)
    region = rim_to_its_edge(lightness.shape, CENTRE, edge, OUTER - INNER) > 0
    ys, xs = np.nonzero(region)
    radius = np.hypot(xs - CENTRE[0], ys - CENTRE[1])
    assert region.sum() > 500 and np.all(radius <= OUTER + 1.5) and np.all(radius >= INNER - 1.5)
    assert np.all(ys < CENTRE[1]) and not region[:62, :62].any()  # above the eye, and not under the hair
