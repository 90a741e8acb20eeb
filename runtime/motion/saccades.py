"""Gaze life: the eyes hold their target, make small quick saccades around it, and often glance
away (sideways and up) when the speaker starts a phrase, returning after a second or so — the
gaze aversion of people gathering their thoughts."""

from __future__ import annotations

import numpy as np

from runtime.audio.constants import HOP_S

SACCADES_PER_S = 0.7
SACCADE_STD_DEG = np.array([2.5, 1.5])  # yaw, pitch of the offset from the target
SACCADE_TIME_CONSTANT_S = 0.015  # a saccade completes in about 50 ms
AVERSION_CHANCE = 0.6  # of glancing away at a speech onset
AVERSION_YAW_DEG = (6.0, 11.0)  # to either side
AVERSION_UP_DEG = (2.0, 6.0)  # and up (negative pitch: pitch > 0 looks down)
AVERSION_HOLD_S = (0.6, 1.4)


class Saccades:
    """Streaming: push speech onsets per hop; get (n, 2) yaw/pitch offsets (degrees) from the
    gaze target."""

    def __init__(self, timing: np.random.Generator, jumps: np.random.Generator) -> None:
        # Two generators, each drawing a fixed amount per hop, so any split of the hops into
        # pushes reads the same random numbers.
        self._timing = timing
        self._jumps = jumps
        self._offset = np.zeros(2)
        self._target = np.zeros(2)
        self._aversion = np.zeros(2)
        self._aversion_left_s = 0.0
        self._step = 1.0 - np.exp(-HOP_S / SACCADE_TIME_CONSTANT_S)

    def push(self, speech_onsets: np.ndarray) -> np.ndarray:
        count = len(speech_onsets)
        draws = self._timing.random((count, 5))  # saccade?, avert?, side, size, hold
        jumps = self._jumps.standard_normal((count, 2)) * SACCADE_STD_DEG
        offsets = np.zeros((count, 2), np.float32)
        for i in range(count):
            if speech_onsets[i] and draws[i, 1] < AVERSION_CHANCE:
                self._start_aversion(draws[i, 2:])
            if draws[i, 0] < SACCADES_PER_S * HOP_S:
                self._target = jumps[i]
            self._aversion_left_s = max(0.0, self._aversion_left_s - HOP_S)
            goal = self._target + (self._aversion if self._aversion_left_s > 0.0 else 0.0)
            self._offset += self._step * (goal - self._offset)  # each change is a quick saccade
            offsets[i] = self._offset
        return offsets

    def _start_aversion(self, draws: np.ndarray) -> None:
        """draws: three uniforms for the side, the size and the hold time."""
        side, size, hold = draws
        sign = 1.0 if side < 0.5 else -1.0
        self._aversion = np.array([sign * np.interp(size, (0, 1), AVERSION_YAW_DEG),
                                   -np.interp(size, (0, 1), AVERSION_UP_DEG)])
        self._aversion_left_s = float(np.interp(hold, (0, 1), AVERSION_HOLD_S))
