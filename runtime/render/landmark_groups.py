"""Named index sets of MediaPipe's 478-point face mesh, derived from MediaPipe's own connection lists
(runtime/render/face_mesh_connections.py: copied, checked against MediaPipe's by the tests).

MediaPipe's "left" is the subject's left (the image's right), the same as ARKit's. Each feature's
connections are listed as chains walked in a fixed order (lips: outer lower, outer upper, inner
lower, inner upper; eyes: lower lid, then upper lid, each from the outer corner to the inner one;
brows: the lower row, then the upper row, each from the outer end to the inner one). The chains are
rebuilt from the connections here and their ends checked at import, and the copy checked against the
MediaPipe installed (tests/test_landmark_groups.py), so a MediaPipe release that reorders them fails
loudly rather than deforming the wrong points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.render import face_mesh_connections as connections_of

NUM_LANDMARKS = 478
FIRST_IRIS_LANDMARK = 468  # 468–472: subject's right iris (centre first), 473–477: left


Connections = tuple[tuple[int, int], ...]  # (start, end) landmark pairs


def _chains(connections: Connections) -> list[tuple[int, ...]]:
    """Connections (start → end) joined into the polylines they were listed as."""
    chains: list[list[int]] = []
    for start, end in connections:
        if chains and chains[-1][-1] == start:
            chains[-1].append(end)
        else:
            chains.append([start, end])
    return [tuple(chain) for chain in chains]


def _ordered(chain: tuple[int, ...], first: int) -> tuple[int, ...]:
    if chain[0] == first:
        return chain
    if chain[-1] == first:
        return chain[::-1]
    raise ImportError(f"MediaPipe face-mesh chain {chain} does not end at landmark {first}")


@dataclass(frozen=True)
class EyeGroup:
    """One eye: both lids run outer corner → inner corner, so lid points pair up by position."""

    upper_lid: tuple[int, ...]
    lower_lid: tuple[int, ...]
    iris: tuple[int, ...]  # centre first, then the four ring points
    brow: tuple[int, ...]  # both rows, each outer end → inner end
    brow_inner: tuple[int, ...]  # the inner end of each row
    brow_outer: tuple[int, ...]

    @property
    def brow_lower_row(self) -> tuple[int, ...]:
        return self.brow[:len(self.brow) // 2]

    @property
    def brow_upper_row(self) -> tuple[int, ...]:
        return self.brow[len(self.brow) // 2:]

    @property
    def lids(self) -> tuple[int, ...]:
        """Both lids' points, upper then lower: their mean is the eye's centre."""
        return self.upper_lid + self.lower_lid

    @property
    def outer_corner(self) -> int:
        return self.upper_lid[0]

    @property
    def inner_corner(self) -> int:
        return self.upper_lid[-1]

    def width(self, landmarks: np.ndarray) -> float:
        """The eye's width, corner to corner, in the landmarks' pixels (their x and y)."""
        return float(np.linalg.norm(landmarks[self.outer_corner, :2] - landmarks[self.inner_corner, :2]))


def mean_eye_width(landmarks: np.ndarray) -> float:
    """The mean of both eyes' widths: the scale the glasses' finder measures everything in."""
    return float(np.mean([eye.width(landmarks) for eye in (RIGHT_EYE, LEFT_EYE)]))


def _eye(eye_connections: Connections, brow_connections: Connections, iris_connections: Connections,
         outer_corner: int) -> EyeGroup:
    lower, upper = (_ordered(chain, outer_corner) for chain in _chains(eye_connections))
    if lower[-1] != upper[-1]:
        raise ImportError("MediaPipe eye lids do not share their inner corner")
    ring = sorted({index for connection in iris_connections for index in connection})
    rows = _chains(brow_connections)
    return EyeGroup(
        upper_lid=upper,
        lower_lid=lower,
        iris=(ring[0] - 1, *ring),
        brow=tuple(index for row in rows for index in row),
        brow_inner=tuple(row[-1] for row in rows),
        brow_outer=tuple(row[0] for row in rows),
    )


@dataclass(frozen=True)
class LipGroup:
    """Lip contours, each running from the subject's right corner to the left corner."""

    outer_upper: tuple[int, ...]
    outer_lower: tuple[int, ...]
    inner_upper: tuple[int, ...]
    inner_lower: tuple[int, ...]

    @property
    def corners(self) -> tuple[int, int]:
        """(subject's right, subject's left) outer corners."""
        return self.outer_upper[0], self.outer_upper[-1]

    @property
    def upper(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.outer_upper[1:-1] + self.inner_upper[1:-1])))

    @property
    def lower(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.outer_lower[1:-1] + self.inner_lower[1:-1])))

    @property
    def all(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.outer_upper + self.outer_lower + self.inner_upper + self.inner_lower)))


def _lips(connections: Connections) -> LipGroup:
    outer_lower, outer_upper, inner_lower, inner_upper = _chains(connections)
    if outer_lower[0] != outer_upper[0] or inner_lower[-1] != inner_upper[-1]:
        raise ImportError("MediaPipe lip contours are not listed as expected")
    return LipGroup(outer_upper, outer_lower, inner_upper, inner_lower)


def _oval(connections: Connections) -> tuple[int, ...]:
    (chain,) = _chains(connections)
    return chain[:-1]  # the loop closes on its first point


LIPS = _lips(connections_of.LIPS)
RIGHT_EYE = _eye(connections_of.RIGHT_EYE, connections_of.RIGHT_EYEBROW, connections_of.RIGHT_IRIS, outer_corner=33)
LEFT_EYE = _eye(connections_of.LEFT_EYE, connections_of.LEFT_EYEBROW, connections_of.LEFT_IRIS, outer_corner=263)
FACE_OVAL = _oval(connections_of.FACE_OVAL)  # clockwise from the forehead top
NOSE = tuple(sorted({index for connection in connections_of.NOSE for index in connection}))
NOSE_TIP = 1
NOSE_BRIDGE = 168  # between the eyes, at the top of the nose
CHIN = 152  # the bottom of the face oval


def face_oval_points(landmarks: np.ndarray) -> np.ndarray:
    """(K, 2) float64 the face oval's landmarks, in FACE_OVAL's order."""
    return np.asarray(landmarks, dtype=np.float64)[list(FACE_OVAL), :2]
