"""Head motion: slow drift, speech-driven sway, nods on pitch accents and phrase ends, breathing.

Head motion follows the 1–2 Hz speech envelope (Pedersen 2022) and moves with F0 and loudness
(Munhall 2004): the sway is band-limited noise whose amplitude follows the speech envelope, and
every pitch accent or phrase end adds a nod. In pauses only drift and breathing remain. Every
component is noise or impulses passed through smooth filters (second order or more), so the head
never steps or jitters, and all of it comes from a seeded generator.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.signal import butter

from runtime.audio.constants import FEATURE_RATE, HOP_S
from runtime.motion.draws import HopDraws
from runtime.numerics import StreamingIir, bump_filter, coefficients, impulse_response, one_pole, stacked
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
        self._drift = _unit_noise_filter(DRIFT_CUTOFF_HZ, "low", POSE_WIDTH)
        self._sway = _unit_noise_filter(SWAY_BAND_HZ, "band", POSE_WIDTH)
        self._slow_sway = _unit_noise_filter(SLOW_SWAY_BAND_HZ, "band", POSE_WIDTH)
        self._envelope = one_pole(ENVELOPE_TIME_CONSTANT_S, HOP_S, 1)
        self._nod = bump_filter(NOD_PEAK_S, HOP_S, 2)
        self._breath_phase = generator.uniform(0.0, 2.0 * np.pi)
        self._noise = HopDraws(generator, "standard_normal", 3 * POSE_WIDTH + 1)  # after the phase: the hops' draws
        self._hop = 0

    def push(self, speech_envelope: np.ndarray, accents: np.ndarray, phrase_ends: np.ndarray,
             slow_share: np.ndarray) -> np.ndarray:
        """speech_envelope, accents (0..1), phrase_ends (bool), slow_share (0..1): all (n,)."""
        return HeadMotion.push_many([self], speech_envelope[None], accents[None], phrase_ends[None],
                                    slow_share[None])[0]

    @staticmethod
    def push_many(heads: list[HeadMotion], speech_envelope: np.ndarray, accents: np.ndarray,
                  phrase_ends: np.ndarray, slow_share: np.ndarray) -> np.ndarray:
        """S sessions at once: every input (S, n); returns (S, n, POSE_WIDTH). Each session draws
        from its own generator and runs its own filter state, so its rows are what it alone gets."""
        count = speech_envelope.shape[1]
        noise = stacked([head._noise.take(count) for head in heads])
        drift, fast, slow_noise = (_by_hop(noise[..., k * POSE_WIDTH:(k + 1) * POSE_WIDTH]) for k in range(3))
        envelopes = _by_hop(speech_envelope[..., None])
        envelope = _by_session(StreamingIir.push_many([h._envelope for h in heads], envelopes))
        slow = slow_share[..., None]
        sway = ((1.0 - slow) * _by_session(StreamingIir.push_many([h._sway for h in heads], fast))
                + slow * _by_session(StreamingIir.push_many([h._slow_sway for h in heads], slow_noise)))
        drifted = _by_session(StreamingIir.push_many([h._drift for h in heads], drift))
        pose = drifted * DRIFT_STD + sway * SWAY_STD * envelope
        pose[..., POSE_ROTATION] += _nods(heads, accents, phrase_ends, np.sign(noise[..., 3 * POSE_WIDTH]))
        pose += _breathing(heads, count)
        for head in heads:
            head._hop += count
        return pose.astype(np.float32)


def _by_hop(rows: np.ndarray) -> np.ndarray:
    """(S, n, c) → (n, S, c), the layout StreamingIir.push_many filters."""
    return np.ascontiguousarray(rows.transpose(1, 0, 2))


def _by_session(rows: np.ndarray) -> np.ndarray:
    return rows.transpose(1, 0, 2)


def _nods(heads: list[HeadMotion], accents: np.ndarray, phrase_ends: np.ndarray, sides: np.ndarray) -> np.ndarray:
    """(S, n, 3) pitch/yaw/roll bumps: each accent or phrase end is an impulse into a smooth bump."""
    impulses = np.zeros((*accents.shape, 2))
    impulses[..., 0] = ACCENT_NOD_DEG * accents + PHRASE_NOD_DEG * phrase_ends
    impulses[..., 1] = PHRASE_TILT_DEG * phrase_ends * sides
    bumps = _by_session(StreamingIir.push_many([head._nod for head in heads], _by_hop(impulses)))
    return np.stack([bumps[..., 0], np.zeros(accents.shape), bumps[..., 1]], axis=-1)


def _breathing(heads: list[HeadMotion], count: int) -> np.ndarray:
    first_hops = np.array([[head._hop] for head in heads])
    phases = np.array([[head._breath_phase] for head in heads])
    times = (first_hops + np.arange(count)) * HOP_S  # (S, n)
    wave = np.sin(2.0 * np.pi * BREATH_HZ * times + phases)
    breath = np.zeros((len(heads), count, POSE_WIDTH))
    breath[..., PoseColumn.PITCH] = BREATH_PITCH_DEG * wave
    breath[..., PoseColumn.Y] = BREATH_Y * wave
    return breath


def _unit_noise_filter(cutoff_hz: float | tuple[float, float], kind: str, channels: int) -> StreamingIir:
    """A second-order Butterworth filter (`kind`: low or band) over the hops, scaled so white noise of
    unit variance comes out with unit variance."""
    b, a = _unit_noise_design(cutoff_hz, kind)
    return StreamingIir(b, a, channels)


@functools.lru_cache(maxsize=16)
def _unit_noise_design(cutoff_hz: float | tuple[float, float], kind: str
                       ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """_unit_noise_filter's (b, a), once per band: designing it was most of the cost of opening a
    session. Tuples, as bump_filter's: what a cache hands every caller must not be changed by one."""
    b, a = butter(2, cutoff_hz, btype=kind, fs=FEATURE_RATE)
    gain = np.sqrt(np.sum(impulse_response(b, a, 8000) ** 2))
    return coefficients(b / gain), coefficients(a)
