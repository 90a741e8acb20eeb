"""Gaze life: the eyes hold their target, make small quick saccades around it, and often glance
away (sideways and up) when the speaker starts a phrase, returning after a second or so — the
gaze aversion of people gathering their thoughts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.audio.constants import HOP_S
from runtime.motion.draws import HopDraws
from runtime.numerics import StreamingIir, stacked

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
    gaze target. A push is array work over its hops (and over many sessions with `push_many`): the
    goal is piecewise constant (the last saccade's target plus the aversion while it lasts), and the
    eyes follow it through a one-pole filter."""

    def __init__(self, timing: np.random.Generator, jumps: np.random.Generator, style: SaccadeStyle = SPEAKING
                 ) -> None:
        # Two generators, each drawing a fixed amount per hop, so any split of the hops into
        # pushes reads the same random numbers.
        self._timing = HopDraws(timing, "random", 5)  # saccade?, avert?, side, size, hold
        self._jumps = HopDraws(jumps, "standard_normal", 2)
        self.style = style
        self._target = np.zeros(2)
        self._aversion = np.zeros(2)
        self._aversion_hold_s = 0.0
        self._aversion_age = 0  # hops since the aversion started, its first hop counting 1
        step = 1.0 - np.exp(-HOP_S / SACCADE_TIME_CONSTANT_S)  # each change is a quick saccade
        self._follow = StreamingIir([step], [1.0, step - 1.0], 2)

    def push(self, speech_onsets: np.ndarray, spread: np.ndarray | None = None) -> np.ndarray:
        """speech_onsets (n,) bool: moments to maybe glance away; spread (n,): scales the saccades
        (default 1)."""
        return Saccades.push_many([self], np.asarray(speech_onsets, bool)[None],
                                  None if spread is None else np.asarray(spread)[None])[0]

    @staticmethod
    def push_many(saccades: list[Saccades], speech_onsets: np.ndarray, spread: np.ndarray | None = None
                  ) -> np.ndarray:
        """(S, n) onsets (and saccade spreads) of S sessions → (S, n, 2) offsets, each session's own.
        Sessions batched together share a style (the engine batches speakers with speakers)."""
        sessions, count = speech_onsets.shape
        if count == 0:
            return np.zeros((sessions, 0, 2), np.float32)
        hops = np.arange(count)
        draws = stacked([s._timing.take(count) for s in saccades])  # saccade?, avert?, side, size, hold
        style = saccades[0].style
        jumps = stacked([s._jumps.take(count) for s in saccades]) * np.array(style.std_deg)
        if spread is not None:
            jumps *= spread[..., None]
        target = _held(draws[..., 0] < style.per_s * HOP_S, jumps, stacked([s._target for s in saccades]))
        averting = speech_onsets & (draws[..., 1] < style.aversion_chance)
        side = np.where(draws[..., 2] < 0.5, 1.0, -1.0)
        size = draws[..., 3]
        aversions = np.stack([side * np.interp(size, (0, 1), style.aversion_yaw_deg),
                              -np.interp(size, (0, 1), style.aversion_up_deg)], axis=-1)
        aversion = _held(averting, aversions, stacked([s._aversion for s in saccades]))
        holds = np.interp(draws[..., 4], (0, 1), style.aversion_hold_s)
        hold_s = _held(averting, holds[..., None], np.array([[s._aversion_hold_s] for s in saccades]))[..., 0]
        latest = np.maximum.accumulate(np.where(averting, hops, -1), axis=1)
        age = np.where(latest >= 0, hops - latest + 1,
                       np.array([[s._aversion_age] for s in saccades]) + 1 + hops)
        active = hold_s - age * HOP_S > 0.0
        goal = target + np.where(active[..., None], aversion, 0.0)
        offsets = StreamingIir.push_many([s._follow for s in saccades], np.ascontiguousarray(goal.transpose(1, 0, 2)))
        for saccade, last_target, last_aversion, last_hold_s, last_age in zip(
                saccades, target[:, -1], aversion[:, -1], hold_s[:, -1].tolist(), age[:, -1].tolist(), strict=True):
            saccade._target, saccade._aversion = last_target, last_aversion
            saccade._aversion_hold_s, saccade._aversion_age = last_hold_s, last_age
        return offsets.transpose(1, 0, 2).astype(np.float32)


def _held(events: np.ndarray, values: np.ndarray, before: np.ndarray) -> np.ndarray:
    """(S, n, c): at each hop the value of the latest event at or before it, else `before` (S, c)."""
    hops = np.arange(events.shape[1])
    latest = np.maximum.accumulate(np.where(events, hops, -1), axis=1)
    taken = values[np.arange(len(values))[:, None], np.maximum(latest, 0)]  # (S, n, c)
    return np.where(latest[..., None] >= 0, taken, before[:, None, :])
