"""Per-hop motion rows (100 per second) and their resampling to frames at any fps.

A row packs one hop's whole motion latent so buffering and interpolation are single array ops:
head pose (6), blendshapes (52), visemes (15), gaze (4: left yaw, left pitch, right yaw, right
pitch), voice activity (1).
"""

from __future__ import annotations

import math

import numpy as np

from runtime.arkit import NUM_BLENDSHAPES, NUM_VISEMES
from runtime.audio.constants import FEATURE_RATE
from runtime.types import EyeGaze, Gaze, HeadPose, MotionFrame

HEAD = slice(0, 6)
BLENDSHAPES = slice(HEAD.stop, HEAD.stop + NUM_BLENDSHAPES)
VISEMES = slice(BLENDSHAPES.stop, BLENDSHAPES.stop + NUM_VISEMES)
GAZE = slice(VISEMES.stop, VISEMES.stop + 4)
VOICE = GAZE.stop
ROW_WIDTH = VOICE + 1  # 78


class MotionTrack:
    """Rows of hops [first_hop, end_hop), appended in order; frames are read off by time."""

    def __init__(self) -> None:
        self._rows = np.zeros((0, ROW_WIDTH), np.float32)
        self._first_hop = 0

    @property
    def end_hop(self) -> int:
        return self._first_hop + len(self._rows)

    def append(self, rows: np.ndarray) -> None:
        self._rows = np.concatenate([self._rows, rows.astype(np.float32)])

    def can_sample(self, time_s: float) -> bool:
        return math.ceil(time_s * FEATURE_RATE) < self.end_hop

    def sample(self, time_s: float) -> np.ndarray:
        """The row at `time_s`, linearly interpolated between the two hops around it."""
        position = time_s * FEATURE_RATE
        below = math.floor(position)
        fraction = np.float32(position - below)
        low = self._rows[below - self._first_hop]
        if fraction == 0.0:
            return low.copy()
        high = self._rows[below + 1 - self._first_hop]
        return low + fraction * (high - low)

    def forget_before(self, time_s: float) -> None:
        """Drops rows no later frame can need (frames come in increasing time)."""
        keep_from = max(math.floor(time_s * FEATURE_RATE), self._first_hop)
        self._rows = self._rows[keep_from - self._first_hop:]
        self._first_hop = keep_from


def row_to_frame(index: int, time_s: float, row: np.ndarray) -> MotionFrame:
    gaze = row[GAZE]
    return MotionFrame(
        index=index,
        time_s=time_s,
        head_pose=HeadPose.from_array(row[HEAD]),
        blendshapes=row[BLENDSHAPES].copy(),
        visemes=row[VISEMES].copy(),
        gaze=Gaze(EyeGaze(float(gaze[0]), float(gaze[1])), EyeGaze(float(gaze[2]), float(gaze[3]))),
        voice_activity=float(row[VOICE]),
    )
