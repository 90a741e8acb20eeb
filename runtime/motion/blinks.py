"""Baseline blinks: a renewal process at human rates with an asymmetric lid curve.

Rates: about 26 blinks/min in conversation and 17/min at rest (Bentivoglio 1997); blinks cluster
at pauses, so the rate rises for a moment when the voice stops. A blink closes fast and opens
slower; after one, a refractory time passes before the next can start.
"""

from __future__ import annotations

import numpy as np

from runtime.audio.constants import HOP_S
from runtime.motion.draws import HopDraws
from runtime.numerics import stacked

SPEAKING_PER_MIN = 26.0
RESTING_PER_MIN = 17.0
REFRACTORY_S = 0.6
CLOSE_S = 0.07  # lid travel down
HOLD_S = 0.03  # fully closed
OPEN_S = 0.16  # lid travel up: slower than closing
BLINK_S = CLOSE_S + HOLD_S + OPEN_S
PERSON_RATE_RANGE = (0.7, 1.1)  # each seed is a person who blinks a little less or more than average
PAUSE_AFTER_S = 0.25  # quiet this long is a pause, not a gap between words...
PAUSE_WINDOW_S = 0.8  # ...and until this long, blinks are...
PAUSE_RATE_FACTOR = 2.0  # ...this much more likely


def hazard_per_hop(blinks_per_min: np.ndarray) -> np.ndarray:
    """Per-hop start probability after the refractory time giving `blinks_per_min` on average
    (elementwise)."""
    free_interval_s = 60.0 / blinks_per_min - REFRACTORY_S - BLINK_S
    return HOP_S / free_interval_s


READY_HOPS = round((BLINK_S + REFRACTORY_S) / HOP_S)  # hops from one blink's start to the next's earliest
PAUSE_HOPS = (round(PAUSE_AFTER_S / HOP_S), round(PAUSE_WINDOW_S / HOP_S))
NEVER = 10**9  # hops since an event that has not happened


def blink_curve(elapsed_s: np.ndarray) -> np.ndarray:
    """Lid closure 0..1 at `elapsed_s` after a blink starts, elementwise: ease-in close, hold,
    ease-out open."""
    closing = (elapsed_s / CLOSE_S) ** 2
    opening = 1.0 - ((elapsed_s - CLOSE_S - HOLD_S) / OPEN_S) ** 2
    # Nested where, not np.select: its argument handling cost 50 us a call on these small arrays.
    return np.where(elapsed_s < CLOSE_S, closing,
                    np.where(elapsed_s < CLOSE_S + HOLD_S, 1.0, np.where(elapsed_s < BLINK_S, opening, 0.0)))


class Blinks:
    """Streaming: push voice activity per hop; get (n, 2) eyeBlinkLeft/Right weights. Clocks count
    whole hops, and a push is array work over every hop at once (and over many sessions with
    `push_many`): a blink can only start READY_HOPS after the last one, so a push finds its few
    starts in a couple of vector steps instead of a Python step per hop."""

    def __init__(self, generator: np.random.Generator) -> None:
        self.person_rate = float(generator.uniform(*PERSON_RATE_RANGE))  # drawn once, before the hops
        self._draws = HopDraws(generator, "random", 3)  # start?, left depth, right depth
        self._since_start = READY_HOPS  # hops since the last blink started: ready to blink
        self._since_voice = NEVER  # hops since the voice was last active
        self._depth = np.ones(2)

    def push(self, voice_activity: np.ndarray, rate_factor: np.ndarray | None = None) -> np.ndarray:
        """voice_activity (n,) of the face's own voice; rate_factor (n,) multiplies the blink rate
        (default 1; a listener's, runtime.motion.listening)."""
        factor = None if rate_factor is None else np.asarray(rate_factor)[None]
        return Blinks.push_many([self], np.asarray(voice_activity)[None], factor)[0]

    @staticmethod
    def push_many(blinks: list[Blinks], voice_activity: np.ndarray, rate_factor: np.ndarray | None = None
                  ) -> np.ndarray:
        """(S, n) voice activity (and blink-rate factors) of S sessions → (S, n, 2) lids, each
        session's own."""
        sessions, count = voice_activity.shape
        hops = np.arange(count)
        draws = stacked([b._draws.take(count) for b in blinks])  # start?, left depth, right depth
        since_voice = _hops_since(voice_activity > 0.5, np.array([b._since_voice for b in blinks]))
        rate = RESTING_PER_MIN + (SPEAKING_PER_MIN - RESTING_PER_MIN) * voice_activity
        rate = rate * np.array([[b.person_rate] for b in blinks])
        if rate_factor is not None:
            rate = rate * rate_factor
        pausing = (PAUSE_HOPS[0] <= since_voice) & (since_voice <= PAUSE_HOPS[1])
        rate = np.where(pausing, rate * PAUSE_RATE_FACTOR, rate)
        wanted = draws[..., 0] < hazard_per_hop(rate)
        starts = _renewal_starts(wanted, np.array([b._since_start for b in blinks]))
        since_start = _hops_since(starts, np.array([b._since_start for b in blinks]) - 1)
        last_start = np.maximum.accumulate(np.where(starts, hops, -1), axis=1)
        previous_depth = stacked([b._depth for b in blinks])[:, None, :]
        rows = np.arange(sessions)[:, None]
        new_depth = 0.85 + 0.15 * draws[rows, np.maximum(last_start, 0), 1:]  # each hop: its latest start's draws
        depth = np.where(last_start[..., None] >= 0, new_depth, previous_depth)
        lids = (blink_curve(since_start * HOP_S)[..., None] * depth).astype(np.float32)
        if count:  # each session's clocks and depth after its last hop (Python ints: cheap to read back)
            for blink, start, voice, last_depth in zip(blinks, (since_start[:, -1] + 1).tolist(),
                                                       since_voice[:, -1].tolist(), depth[:, -1], strict=True):
                blink._since_start, blink._since_voice, blink._depth = start, voice, last_depth
        return lids


def _hops_since(events: np.ndarray, before: np.ndarray) -> np.ndarray:
    """(S, n) hops since the latest event at or before each hop; `before`: the count at the hop
    before the block (a session with no event in the block goes on counting from it)."""
    hops = np.arange(events.shape[1])
    latest = np.maximum.accumulate(np.where(events, hops, -1), axis=1)
    return np.where(latest >= 0, hops - latest, before[:, None] + 1 + hops)


def _renewal_starts(wanted: np.ndarray, since_start: np.ndarray) -> np.ndarray:
    """(S, n) bool: the hops where a blink starts — wanted, and READY_HOPS after the last start.
    Each round takes every session's next start, so the rounds are the most starts in one block."""
    hops = np.arange(wanted.shape[1])
    earliest = np.maximum(READY_HOPS - since_start, 0)  # first hop of the block a blink may start at
    starts = np.zeros(wanted.shape, bool)
    while True:
        candidates = wanted & (hops >= earliest[:, None])
        found = candidates.any(axis=1)
        if not found.any():
            return starts
        first = candidates.argmax(axis=1)
        rows = np.flatnonzero(found)
        starts[rows, first[rows]] = True
        earliest = np.where(found, first + READY_HOPS, wanted.shape[1])
