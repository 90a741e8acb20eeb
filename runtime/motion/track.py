"""Per-hop motion rows (100 per second) and their resampling to frames at any fps.

A row packs one hop's whole motion latent so buffering and interpolation are single array ops:
head pose (6), blendshapes (52), visemes (15), gaze (4: left yaw, left pitch, right yaw, right
pitch), voice activity (1).
"""

from __future__ import annotations

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
        self._rows = np.concatenate([self._rows, np.asarray(rows, np.float32)])  # a copy: the caller's rows stay theirs

    def take_frames(self, first: int, fps: int, limit: int | None = None) -> list[MotionFrame]:
        """Frames `first`, `first` + 1, ... (up to `limit`, exclusive) whose hops are all in, each
        row linearly interpolated between the two hops around its time; rows no later frame needs
        are dropped (frames come in increasing time)."""
        stop = frames_ready(self.end_hop, fps)
        if limit is not None:
            stop = min(stop, limit)
        if stop <= first:
            return []
        rows = []
        for index in range(first, stop):  # a frame or two per push: scalar steps beat array setup
            hop, remainder = divmod(index * FEATURE_RATE, fps)
            low = self._rows[hop - self._first_hop]
            if remainder:
                high = self._rows[hop + 1 - self._first_hop]
                low = low + np.float32(remainder / fps) * (high - low)
            rows.append(low)
        self._forget_before(hop)
        return rows_to_frames(range(first, stop), fps, np.array(rows))  # a copy: the frames keep it

    def _forget_before(self, hop: int) -> None:
        """Drops rows before `hop`."""
        keep_from = max(hop, self._first_hop)
        self._rows = self._rows[keep_from - self._first_hop:]
        self._first_hop = keep_from


def last_hop_needed(index: int, fps: int) -> int:
    """The hop at or after frame `index`'s time (index / fps), which its interpolation needs: exact
    integer arithmetic (time_s * 100 in floating point can land a hair above an integer and wait
    one hop too long)."""
    return -(-index * FEATURE_RATE // fps)


def frames_ready(end_hop: int, fps: int) -> int:
    """How many frames from the stream's start have every hop they need among hops [0, end_hop):
    frame i does when last_hop_needed(i) < end_hop, i.e. i * FEATURE_RATE <= (end_hop - 1) * fps."""
    return (end_hop - 1) * fps // FEATURE_RATE + 1 if end_hop > 0 else 0


def rows_to_frames(indices: range, fps: int, rows: np.ndarray) -> list[MotionFrame]:
    """MotionFrames of (k, ROW_WIDTH) rows, which they keep (views of their columns: pass a copy):
    one conversion to Python floats for all the scalar fields."""
    frames = []
    for row, index, values in zip(rows, indices, rows.tolist(), strict=True):
        gaze = values[GAZE]
        frames.append(MotionFrame(index, index / fps, HeadPose(*values[HEAD]), row[BLENDSHAPES], row[VISEMES],
                                  Gaze(EyeGaze(gaze[0], gaze[1]), EyeGaze(gaze[2], gaze[3])), values[VOICE]))
    return frames
