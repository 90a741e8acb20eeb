"""Per-hop motion rows (100 per second) and their resampling to frames at any fps.

A row packs one hop's whole motion latent so buffering and interpolation are single array ops:
head pose (6), blendshapes (52), visemes (15), gaze (4: left yaw, left pitch, right yaw, right
pitch), voice activity (1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.arkit import NUM_BLENDSHAPES, NUM_VISEMES
from runtime.audio.constants import FEATURE_RATE
from runtime.types import POSE_WIDTH, EyeGaze, Gaze, HeadPose, MotionFrame

HEAD = slice(0, POSE_WIDTH)
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

    def can_sample(self, position: HopPosition) -> bool:
        return position.last_hop_needed < self.end_hop

    def sample(self, position: HopPosition) -> np.ndarray:
        """The row at `position`, linearly interpolated between the two hops around it."""
        low = self._rows[position.hop - self._first_hop]
        if position.remainder == 0:
            return low.copy()
        high = self._rows[position.hop + 1 - self._first_hop]
        return low + np.float32(position.fraction) * (high - low)

    def forget_before(self, hop: int) -> None:
        """Drops rows before `hop` (frames come in increasing time, so no later frame needs them)."""
        keep_from = max(hop, self._first_hop)
        self._rows = self._rows[keep_from - self._first_hop:]
        self._first_hop = keep_from


@dataclass(frozen=True)
class HopPosition:
    """Where frame `index` at `fps` falls among the hops, in exact integer arithmetic (time_s * 100
    in floating point can land a hair above an integer and wait one hop too long)."""

    hop: int  # the hop at or before the frame's time
    remainder: int  # (index * FEATURE_RATE) mod fps: 0 when the frame falls exactly on a hop
    fps: int

    @classmethod
    def of_frame(cls, index: int, fps: int) -> HopPosition:
        hop, remainder = divmod(index * FEATURE_RATE, fps)
        return cls(hop, remainder, fps)

    @property
    def fraction(self) -> float:
        return self.remainder / self.fps

    @property
    def last_hop_needed(self) -> int:
        return self.hop + (1 if self.remainder else 0)


def row_to_frame(index: int, time_s: float, row: np.ndarray) -> MotionFrame:
    values = row.tolist()  # one conversion to Python floats for the scalar fields
    gaze = values[GAZE]
    return MotionFrame(
        index=index,
        time_s=time_s,
        head_pose=HeadPose(*values[HEAD]),
        blendshapes=row[BLENDSHAPES].copy(),
        visemes=row[VISEMES].copy(),
        gaze=Gaze(EyeGaze(gaze[0], gaze[1]), EyeGaze(gaze[2], gaze[3])),
        voice_activity=values[VOICE],
    )
