"""Gaze life: the eyes hold their target, make small quick saccades around it, and often glance
away (sideways and up) when the speaker starts a phrase, returning after a second or so — the
gaze aversion of people gathering their thoughts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.audio.constants import HOP_S

SACCADE_TIME_CONSTANT_S = 0.015  # a saccade completes in about 50 ms


@dataclass(frozen=True)
class SaccadeStyle:
    """How the eyes move around their target."""

    per_s: float  # small saccades per second
    std_deg: tuple[float, float]  # yaw, pitch spread of the offset from the target
    aversion_chance: float  # of glancing away when asked to (a speech onset)
    aversion_yaw_deg: tuple[float, float]  # to either side
    aversion_up_deg: tuple[float, float]  # and up (negative pitch: pitch > 0 looks down)
    aversion_hold_s: tuple[float, float]


# A speaker's eyes: lively, and often away at the start of a phrase (gathering their thoughts).
SPEAKING = SaccadeStyle(per_s=0.7, std_deg=(2.5, 1.5), aversion_chance=0.6, aversion_yaw_deg=(6.0, 11.0),
                        aversion_up_deg=(2.0, 6.0), aversion_hold_s=(0.6, 1.4))


class Saccades:
    """Streaming: push speech onsets per hop; get (n, 2) yaw/pitch offsets (degrees) from the
    gaze target."""

    def __init__(self, timing: np.random.Generator, jumps: np.random.Generator, style: SaccadeStyle = SPEAKING) -> None:
        # Two generators, each drawing a fixed amount per hop, so any split of the hops into
        # pushes reads the same random numbers.
        self._timing = timing
        self._jumps = jumps
        self._style = style
        self._offset = np.zeros(2)
        self._target = np.zeros(2)
        self._aversion = np.zeros(2)
        self._aversion_left_s = 0.0
        self._step = 1.0 - np.exp(-HOP_S / SACCADE_TIME_CONSTANT_S)

    def push(self, speech_onsets: np.ndarray, spread: np.ndarray | None = None) -> np.ndarray:
        """speech_onsets (n,) bool: moments to maybe glance away; spread (n,): scales the saccades
        (default 1)."""
        count = len(speech_onsets)
        style = self._style
        draws = self._timing.random((count, 5))  # saccade?, avert?, side, size, hold
        jumps = self._jumps.standard_normal((count, 2)) * np.array(style.std_deg)
        if spread is not None:
            jumps *= spread[:, None]
        offsets = np.zeros((count, 2), np.float32)
        for i in range(count):
            if speech_onsets[i] and draws[i, 1] < style.aversion_chance:
                self._start_aversion(draws[i, 2:])
            if draws[i, 0] < style.per_s * HOP_S:
                self._target = jumps[i]
            self._aversion_left_s = max(0.0, self._aversion_left_s - HOP_S)
            goal = self._target + (self._aversion if self._aversion_left_s > 0.0 else 0.0)
            self._offset += self._step * (goal - self._offset)  # each change is a quick saccade
            offsets[i] = self._offset
        return offsets

    def _start_aversion(self, draws: np.ndarray) -> None:
        """draws: three uniforms for the side, the size and the hold time."""
        side, size, hold = draws
        style = self._style
        sign = 1.0 if side < 0.5 else -1.0
        self._aversion = np.array([sign * np.interp(size, (0, 1), style.aversion_yaw_deg),
                                   -np.interp(size, (0, 1), style.aversion_up_deg)])
        self._aversion_left_s = float(np.interp(hold, (0, 1), style.aversion_hold_s))
