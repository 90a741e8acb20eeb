"""Baseline head motion: slow drift, speech-driven sway in the 1–2 Hz band, and breathing.

Head motion follows the 1–2 Hz speech envelope (Pedersen 2022) and grows with loudness (Munhall
2004); in pauses only drift and breathing remain. Every component is filtered noise from a
seeded generator, so motion is smooth (no steps) and reproducible.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter

from runtime.audio.constants import FEATURE_RATE, HOP_S
from runtime.numerics import StreamingIir, one_pole

DRIFT_TIME_CONSTANT_S = 2.5
DRIFT_STD = np.array([1.2, 1.6, 0.7, 0.006, 0.005, 0.004])  # pitch, yaw, roll (deg), x, y, z (face widths)
SWAY_BAND_HZ = (0.8, 2.5)
SWAY_STD = np.array([2.2, 2.6, 1.1, 0.008, 0.008, 0.004])  # at full speech envelope
ENVELOPE_TIME_CONSTANT_S = 0.25
BREATH_HZ = 0.25
BREATH_PITCH_DEG = 0.35  # chest rise tips the head slightly
BREATH_Y = 0.004  # and lifts it, in face widths


class HeadMotion:
    """Streaming: push speech envelopes per hop; get (n, 6) head pose offsets."""

    def __init__(self, generator: np.random.Generator) -> None:
        self._generator = generator
        decay = np.exp(-HOP_S / DRIFT_TIME_CONSTANT_S)
        # Ornstein-Uhlenbeck drift: unit-variance AR(1) scaled per channel.
        self._drift = StreamingIir([np.sqrt(1.0 - decay**2)], [1.0, -decay], 6)
        b, a = butter(2, SWAY_BAND_HZ, btype="band", fs=FEATURE_RATE)
        self._sway = StreamingIir(b, a, 6)
        self._sway_gain = 1.0 / _noise_gain(b, a)
        self._envelope = one_pole(ENVELOPE_TIME_CONSTANT_S, HOP_S, 1)
        self._breath_phase = generator.uniform(0.0, 2.0 * np.pi)
        self._hop = 0

    def push(self, speech_envelope: np.ndarray) -> np.ndarray:
        count = len(speech_envelope)
        noise = self._generator.standard_normal((count, 12))
        drift = self._drift.push(noise[:, :6]) * DRIFT_STD
        envelope = self._envelope.push(speech_envelope[:, None])  # (n, 1)
        sway = self._sway.push(noise[:, 6:]) * self._sway_gain * SWAY_STD * envelope
        pose = (drift + sway).astype(np.float32)
        pose += self._breathing(count)
        self._hop += count
        return pose

    def _breathing(self, count: int) -> np.ndarray:
        times = (self._hop + np.arange(count)) * HOP_S
        wave = np.sin(2.0 * np.pi * BREATH_HZ * times + self._breath_phase)
        breath = np.zeros((count, 6), np.float32)
        breath[:, 0] = BREATH_PITCH_DEG * wave
        breath[:, 4] = BREATH_Y * wave
        return breath


def _noise_gain(b: np.ndarray, a: np.ndarray, length: int = 4000) -> float:
    """Standard deviation of the filter's output for unit white noise (from its impulse response)."""
    impulse = np.zeros((length, 1))
    impulse[0] = 1.0
    response = StreamingIir(b, a, 1).push(impulse)
    return float(np.sqrt(np.sum(response.astype(np.float64) ** 2)))
