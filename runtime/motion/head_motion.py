"""Head motion: slow drift, speech-driven sway, nods on pitch accents and phrase ends, breathing.

Head motion follows the 1–2 Hz speech envelope (Pedersen 2022) and moves with F0 and loudness
(Munhall 2004): the sway is band-limited noise whose amplitude follows the speech envelope, and
every pitch accent or phrase end adds a nod. In pauses only drift and breathing remain. Every
component is noise or impulses passed through smooth filters (second order or more), so the head
never steps or jitters, and all of it comes from a seeded generator.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter

from runtime.audio.constants import FEATURE_RATE, HOP_S
from runtime.numerics import StreamingIir, bump_filter, impulse_response, one_pole
from runtime.types import POSE_ROTATION, POSE_WIDTH, PoseColumn

# Per pose column (PoseColumn): pitch, yaw, roll (degrees), x, y, z (face widths).
DRIFT_CUTOFF_HZ = 0.2
DRIFT_STD = np.array([1.0, 1.4, 1.0, 0.006, 0.005, 0.004])
SWAY_BAND_HZ = (0.6, 2.0)  # the speech-envelope band heads move in
SLOW_SWAY_BAND_HZ = (0.25, 0.8)  # the same motion, slower (sad, tired styles)
SWAY_STD = np.array([1.6, 1.9, 1.2, 0.006, 0.006, 0.003])  # at full speech envelope
ENVELOPE_TIME_CONSTANT_S = 0.25
NOD_PEAK_S = 0.15  # a nod peaks 150 ms after its accent and settles within about 0.8 s
ACCENT_NOD_DEG = 2.5  # pitch (down) at full accent strength
PHRASE_NOD_DEG = 1.0  # pitch (down) at a phrase end...
PHRASE_TILT_DEG = 0.8  # ...with a small roll to either side
MAX_HEAD_SPEED_DEG_S = 75.0  # documented bound: no rotation changes faster, at motion intensity 1
BREATH_HZ = 0.25
BREATH_PITCH_DEG = 0.35  # chest rise tips the head slightly
BREATH_Y = 0.004  # and lifts it, in face widths


class HeadMotion:
    """Streaming: push per-hop speech cues; get (n, POSE_WIDTH) head pose offsets."""

    def __init__(self, generator: np.random.Generator) -> None:
        self._generator = generator
        self._drift = _unit_noise_filter(butter(2, DRIFT_CUTOFF_HZ, btype="low", fs=FEATURE_RATE), POSE_WIDTH)
        self._sway = _unit_noise_filter(butter(2, SWAY_BAND_HZ, btype="band", fs=FEATURE_RATE), POSE_WIDTH)
        self._slow_sway = _unit_noise_filter(butter(2, SLOW_SWAY_BAND_HZ, btype="band", fs=FEATURE_RATE), POSE_WIDTH)
        self._envelope = one_pole(ENVELOPE_TIME_CONSTANT_S, HOP_S, 1)
        self._nod = bump_filter(NOD_PEAK_S, HOP_S, 2)
        self._breath_phase = generator.uniform(0.0, 2.0 * np.pi)
        self._hop = 0

    def push(self, speech_envelope: np.ndarray, accents: np.ndarray, phrase_ends: np.ndarray,
             slow_share: np.ndarray) -> np.ndarray:
        """speech_envelope, accents (0..1), phrase_ends (bool), slow_share (0..1): all (n,)."""
        count = len(speech_envelope)
        noise = self._generator.standard_normal((count, 3 * POSE_WIDTH + 1))  # a pose each filter, 1 for tilt sides
        drift, fast, slow_noise = (noise[:, k * POSE_WIDTH:(k + 1) * POSE_WIDTH] for k in range(3))
        envelope = self._envelope.push(speech_envelope[:, None])  # (n, 1)
        slow = slow_share[:, None]
        sway = (1.0 - slow) * self._sway.push(fast) + slow * self._slow_sway.push(slow_noise)
        pose = self._drift.push(drift) * DRIFT_STD + sway * SWAY_STD * envelope
        pose[:, POSE_ROTATION] += self._nods(accents, phrase_ends, np.sign(noise[:, 3 * POSE_WIDTH]))
        pose += self._breathing(count)
        self._hop += count
        return pose.astype(np.float32)

    def _nods(self, accents: np.ndarray, phrase_ends: np.ndarray, sides: np.ndarray) -> np.ndarray:
        """(n, 3) pitch/yaw/roll bumps: each accent or phrase end is an impulse into a smooth bump."""
        impulses = np.zeros((len(accents), 2))
        impulses[:, 0] = ACCENT_NOD_DEG * accents + PHRASE_NOD_DEG * phrase_ends
        impulses[:, 1] = PHRASE_TILT_DEG * phrase_ends * sides
        bumps = self._nod.push(impulses)
        return np.column_stack([bumps[:, 0], np.zeros(len(accents)), bumps[:, 1]])

    def _breathing(self, count: int) -> np.ndarray:
        times = (self._hop + np.arange(count)) * HOP_S
        wave = np.sin(2.0 * np.pi * BREATH_HZ * times + self._breath_phase)
        breath = np.zeros((count, POSE_WIDTH))
        breath[:, PoseColumn.PITCH] = BREATH_PITCH_DEG * wave
        breath[:, PoseColumn.Y] = BREATH_Y * wave
        return breath


def _unit_noise_filter(coefficients: tuple[np.ndarray, np.ndarray], channels: int) -> StreamingIir:
    """The filter scaled so white noise of unit variance comes out with unit variance."""
    b, a = coefficients
    gain = np.sqrt(np.sum(impulse_response(b, a, 8000) ** 2))
    return StreamingIir(b / gain, a, channels)
