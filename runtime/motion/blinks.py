"""Baseline blinks: a renewal process at human rates with an asymmetric lid curve.

Rates: about 26 blinks/min in conversation and 17/min at rest (Bentivoglio 1997); blinks cluster
at pauses, so the rate rises for a moment when the voice stops. A blink closes fast and opens
slower; after one, a refractory time passes before the next can start.
"""

from __future__ import annotations

import numpy as np

from runtime.audio.constants import HOP_S

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


def blink_curve(elapsed_s: float) -> float:
    """Lid closure 0..1 at `elapsed_s` after a blink starts: ease-in close, hold, ease-out open."""
    if elapsed_s < CLOSE_S:
        return (elapsed_s / CLOSE_S) ** 2
    if elapsed_s < CLOSE_S + HOLD_S:
        return 1.0
    if elapsed_s < BLINK_S:
        remaining = 1.0 - (elapsed_s - CLOSE_S - HOLD_S) / OPEN_S
        return 1.0 - (1.0 - remaining) ** 2
    return 0.0


def hazard_per_hop(blinks_per_min: float) -> float:
    """Per-hop start probability after the refractory time giving `blinks_per_min` on average."""
    free_interval_s = 60.0 / blinks_per_min - REFRACTORY_S - BLINK_S
    return HOP_S / free_interval_s


class Blinks:
    """Streaming: push voice activity per hop; get (n, 2) eyeBlinkLeft/Right weights."""

    def __init__(self, generator: np.random.Generator) -> None:
        self._generator = generator
        self.person_rate = float(generator.uniform(*PERSON_RATE_RANGE))  # drawn once, before the hops
        self._since_start_s = REFRACTORY_S + BLINK_S  # ready to blink
        self._since_voice_s = np.inf  # time since the voice was last active
        self._depth = (1.0, 1.0)

    def push(self, voice_activity: np.ndarray, rate_factor: np.ndarray | None = None) -> np.ndarray:
        """voice_activity (n,) of the face's own voice; rate_factor (n,) multiplies the blink rate
        (default 1; a listener's, runtime.motion.listening)."""
        draws = self._generator.random((len(voice_activity), 3))  # start?, left depth, right depth
        lids = np.zeros((len(voice_activity), 2), np.float32)
        factors = np.ones(len(voice_activity)) if rate_factor is None else rate_factor
        for i, (voice, factor, draw) in enumerate(zip(voice_activity.tolist(), factors.tolist(), draws, strict=True)):
            rate = (RESTING_PER_MIN + (SPEAKING_PER_MIN - RESTING_PER_MIN) * voice) * self.person_rate * factor
            self._since_voice_s = 0.0 if voice > 0.5 else self._since_voice_s + HOP_S
            if PAUSE_AFTER_S <= self._since_voice_s <= PAUSE_WINDOW_S:
                rate *= PAUSE_RATE_FACTOR
            ready = self._since_start_s >= BLINK_S + REFRACTORY_S
            if ready and draw[0] < hazard_per_hop(rate):
                self._since_start_s = 0.0
                self._depth = (0.85 + 0.15 * draw[1], 0.85 + 0.15 * draw[2])
            closure = blink_curve(self._since_start_s)
            lids[i] = (closure * self._depth[0], closure * self._depth[1])
            self._since_start_s += HOP_S
        return lids
