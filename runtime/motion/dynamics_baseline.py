"""The baseline dynamics generator: head motion, blinks, gaze saccades and brow emphasis from
voice activity and loudness, seeded. The full prosody-driven dynamics replace it in their issue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.audio.constants import HOP_S
from runtime.motion.blinks import Blinks
from runtime.motion.head_motion import HeadMotion
from runtime.motion.saccades import Saccades
from runtime.numerics import one_pole

QUIET_DB = -60.0  # loudness 0 at or below this level (dBFS)
LOUD_DB = -15.0  # loudness 1 at or above
BROW_GAIN = 0.6  # browInnerUp per unit of emphasis
BROW_MAX = 0.35


@dataclass(frozen=True)
class DynamicsRows:
    head: np.ndarray  # (n, 6) pose offsets: pitch, yaw, roll (deg), x, y, z (face widths)
    blinks: np.ndarray  # (n, 2) eyeBlinkLeft, eyeBlinkRight
    gaze_offset: np.ndarray  # (n, 2) yaw, pitch (deg) around the gaze target
    brow_raise: np.ndarray  # (n,) 0..BROW_MAX


class BaselineDynamics:
    """Streaming: push voice activity and energy per hop; get the dynamics of those hops."""

    name = "baseline-procedural"
    version = "1"

    def __init__(self, seed: int) -> None:
        head, blinks, saccade_timing, saccade_jumps = (
            np.random.Generator(np.random.PCG64(child)) for child in np.random.SeedSequence(seed).spawn(4))
        self._head = HeadMotion(head)
        self._blinks = Blinks(blinks)
        self._saccades = Saccades(saccade_timing, saccade_jumps)
        self._fast = one_pole(0.05, HOP_S, 1)
        self._slow = one_pole(1.0, HOP_S, 1)
        self._brow = one_pole(0.12, HOP_S, 1)

    def push(self, voice_activity: np.ndarray, energy_db: np.ndarray) -> DynamicsRows:
        loudness = np.clip((energy_db - QUIET_DB) / (LOUD_DB - QUIET_DB), 0.0, 1.0)
        envelope = (voice_activity * loudness).astype(np.float32)
        return DynamicsRows(
            head=self._head.push(envelope),
            blinks=self._blinks.push(voice_activity),
            gaze_offset=self._saccades.push(len(envelope)),
            brow_raise=self._brow_raise(envelope),
        )

    def _brow_raise(self, envelope: np.ndarray) -> np.ndarray:
        """Brows rise when the voice gets louder than its recent level (emphasis)."""
        column = envelope[:, None]
        emphasis = np.clip(self._fast.push(column) - self._slow.push(column), 0.0, None)
        return np.clip(self._brow.push(emphasis * BROW_GAIN)[:, 0], 0.0, BROW_MAX)
