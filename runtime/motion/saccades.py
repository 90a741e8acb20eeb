"""Baseline gaze life: the eyes hold their target and make small quick saccades around it."""

from __future__ import annotations

import numpy as np

from runtime.audio.constants import HOP_S

SACCADES_PER_S = 0.7
SACCADE_STD_DEG = np.array([2.5, 1.5])  # yaw, pitch of the offset from the target
SACCADE_TIME_CONSTANT_S = 0.015  # a saccade completes in about 50 ms


class Saccades:
    """Streaming: get (n, 2) yaw/pitch offsets (degrees) added to the gaze target of each hop."""

    def __init__(self, timing: np.random.Generator, jumps: np.random.Generator) -> None:
        # Two generators: each draws a fixed amount per hop, so any split of the hops into
        # pushes reads the same random numbers.
        self._timing = timing
        self._jumps = jumps
        self._offset = np.zeros(2)
        self._target = np.zeros(2)
        self._step = 1.0 - np.exp(-HOP_S / SACCADE_TIME_CONSTANT_S)

    def push(self, count: int) -> np.ndarray:
        starts = self._timing.random(count)
        jumps = self._jumps.standard_normal((count, 2)) * SACCADE_STD_DEG
        offsets = np.zeros((count, 2), np.float32)
        for i in range(count):
            if starts[i] < SACCADES_PER_S * HOP_S:
                self._target = jumps[i]
            self._offset += self._step * (self._target - self._offset)
            offsets[i] = self._offset
        return offsets
