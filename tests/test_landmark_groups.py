"""The face mesh's named groups (runtime/render/landmark_groups.py): the connection lists they are built
from are MediaPipe's own, and rendering needs no MediaPipe."""

from __future__ import annotations

import subprocess
import sys

import pytest
from mediapipe.tasks.python.vision import FaceLandmarksConnections

from runtime.render import face_mesh_connections
from runtime.render.landmark_groups import FACE_OVAL, LEFT_EYE, LIPS, NOSE, RIGHT_EYE

COPIED = ("LIPS", "LEFT_EYE", "LEFT_EYEBROW", "LEFT_IRIS", "RIGHT_EYE", "RIGHT_EYEBROW", "RIGHT_IRIS", "FACE_OVAL",
          "NOSE")


@pytest.mark.parametrize("name", COPIED)
def test_the_copied_connections_are_mediapipes_in_its_order(name: str) -> None:
    theirs = [(connection.start, connection.end) for connection in getattr(FaceLandmarksConnections,
                                                                            f"FACE_LANDMARKS_{name}")]
    assert list(getattr(face_mesh_connections, name)) == theirs


def test_the_groups_name_the_points_they_always_have() -> None:
    """Fixed points the renderer and the glasses' search rely on (MediaPipe's canonical face mesh)."""
    assert (RIGHT_EYE.outer_corner, RIGHT_EYE.inner_corner, LEFT_EYE.outer_corner, LEFT_EYE.inner_corner) == \
        (33, 133, 263, 362)
    assert (RIGHT_EYE.iris[0], LEFT_EYE.iris[0]) == (468, 473) and LIPS.corners == (61, 291)
    assert (LIPS.inner_upper[len(LIPS.inner_upper) // 2], LIPS.inner_lower[len(LIPS.inner_lower) // 2]) == (13, 14)
    assert len(FACE_OVAL) == 36 and FACE_OVAL[0] == 10 and 1 in NOSE


def test_rendering_loads_no_mediapipe() -> None:
    """A server's render workers import the renderer and unpickle avatars: MediaPipe (0.9 s, 70 MB) is
    the landmarker's alone, loaded when a portrait is analysed."""
    probe = ("import sys; import runtime.render.frame_renderer, runtime.face.avatar, service.render_processes; "
             "print('mediapipe' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          check=True).stdout.strip() == "False"
