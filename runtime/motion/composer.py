"""Composes mouth, dynamics and controls into per-hop motion rows around the rest state."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.arkit import Blendshape
from runtime.motion.controls import ControlRows
from runtime.motion.dynamics import DynamicsRows
from runtime.motion.eye_look import add_eye_look
from runtime.motion.mouth_protocol import MouthRows
from runtime.motion.track import BLENDSHAPES, GAZE, HEAD, ROW_WIDTH, VISEMES, VOICE
from runtime.types import PoseColumn, RestState

REST_CAMERA_DISTANCE = 5.0  # face widths from the camera to the head at rest (motion.proto)
# How much of the emphasis each shape shows: the inner brow rises most, the outer brows less, and
# the eyes and cheeks narrow a little (the "Duchenne" part of an emphatic face).
EMPHASIS_SHAPES = {Blendshape.BROW_INNER_UP: 1.0, Blendshape.BROW_OUTER_UP_LEFT: 0.6,
                   Blendshape.BROW_OUTER_UP_RIGHT: 0.6, Blendshape.EYE_SQUINT_LEFT: 0.25,
                   Blendshape.EYE_SQUINT_RIGHT: 0.25, Blendshape.CHEEK_SQUINT_LEFT: 0.25,
                   Blendshape.CHEEK_SQUINT_RIGHT: 0.25}
_EMPHASIS_COLUMNS = np.array(list(EMPHASIS_SHAPES))
_EMPHASIS_SHARES = np.array(list(EMPHASIS_SHAPES.values()), np.float32)


@dataclass(frozen=True)
class RestRows:
    """The rest state of each row: (1, ...) for rows of one session, (n, ...) for many sessions'."""

    head: np.ndarray  # (1 or n, POSE_WIDTH)
    blendshapes: np.ndarray  # (1 or n, 52)

    @classmethod
    def of(cls, rest: RestState) -> RestRows:
        return cls(rest.head_pose.as_array()[None], np.asarray(rest.blendshapes, np.float32)[None])

    @classmethod
    def repeated(cls, rests: list[RestRows], count: int) -> RestRows:
        """Rows of S sessions (each one's `of`), `count` hops each, session after session."""
        if len(rests) == 1:
            return rests[0]
        heads = np.concatenate([rest.head for rest in rests])
        shapes = np.concatenate([rest.blendshapes for rest in rests])
        return cls(np.repeat(heads, count, axis=0), np.repeat(shapes, count, axis=0))


def compose(mouth: MouthRows, dynamics: DynamicsRows, controls: ControlRows, rest: RestRows) -> np.ndarray:
    """(n, ROW_WIDTH) rows: everything relative to `rest`, blendshapes clipped to [0, 1]."""
    rows = np.zeros((len(mouth.visemes), ROW_WIDTH), np.float32)
    rows[:, HEAD] = _head(dynamics, controls, rest)
    gaze = controls.gaze + dynamics.gaze_offset  # (n, 2), both eyes look the same way
    rows[:, GAZE] = np.concatenate([gaze, gaze], axis=1)
    rows[:, BLENDSHAPES] = _blendshapes(mouth, dynamics, controls, rest, rows[:, GAZE])
    rows[:, VISEMES] = mouth.visemes
    rows[:, VOICE] = mouth.voice_activity
    return rows


def _head(dynamics: DynamicsRows, controls: ControlRows, rest: RestRows) -> np.ndarray:
    scale = (controls.motion_intensity * controls.motion_scale)[:, None]
    head = rest.head + dynamics.head * scale
    head[:, PoseColumn.PITCH] += controls.head_pitch_offset
    head[:, PoseColumn.Z] += REST_CAMERA_DISTANCE * (1.0 - controls.head_distance)
    return head


def _blendshapes(mouth: MouthRows, dynamics: DynamicsRows, controls: ControlRows,
                 rest: RestRows, gaze: np.ndarray) -> np.ndarray:
    shapes = rest.blendshapes + mouth.blendshapes + controls.emotion_offsets
    shapes[:, Blendshape.EYE_BLINK_LEFT] += dynamics.blinks[:, 0]
    shapes[:, Blendshape.EYE_BLINK_RIGHT] += dynamics.blinks[:, 1]
    add_eye_look(shapes, gaze)
    shapes[:, _EMPHASIS_COLUMNS] += _EMPHASIS_SHARES * dynamics.emphasis[:, None]  # one op per push, not seven
    if dynamics.expression is not None:
        shapes += dynamics.expression
    return np.minimum(np.maximum(shapes, 0.0), 1.0)
