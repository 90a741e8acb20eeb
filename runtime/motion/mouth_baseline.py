"""The DSP baseline mouth: energy and spectral shape → visemes, jaw and lips.

Not a lip reader: it hears loudness (→ jaw), frication (→ SS/FF/CH), the first two formant
regions (→ open/closed and front/back vowels), nasal murmur, and quiet moments inside speech
(→ lip closure). It is the yardstick the learned model must beat, and the fallback
(`mouth_model="baseline"`).

Timing: raw per-hop targets are smoothed by a symmetric window of SMOOTHING_HOPS and read
LEAD_HOPS early, because mouths move ahead of the sound (Chandrasekaran 2009). The row this
model emits for input hop j therefore describes hop j - DELAY_HOPS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.arkit import NUM_VISEMES, Blendshape, viseme_index
from runtime.audio.features import FeatureBlock, mel_frequencies
from runtime.motion.viseme_targets import viseme_pose_matrix
from runtime.numerics import StreamingFir, hann_taps, rowwise_matmul

SMOOTHING_HOPS = 7  # 70 ms window: group delay 3 hops
LEAD_HOPS = 2  # the mouth leads the audio by 20 ms
DELAY_HOPS = (SMOOTHING_HOPS - 1) // 2 + LEAD_HOPS  # the model's look-ahead: 50 ms
PEAK_DECAY_DB_PER_HOP = 0.05  # the loudness reference falls 5 dB/s after a loud peak
LOUDNESS_RANGE_DB = 30.0  # loudness 0..1 spans this far below the recent peak
QUIETEST_PEAK_DB = -45.0  # a quieter peak than this is not treated as full loudness
SCORE_SHARPNESS = 1.6  # softmax temperature of the viseme scores

_SIL = viseme_index("sil")


@dataclass(frozen=True)
class MouthRows:
    """Mouth of consecutive hops: viseme probabilities, mouth blendshapes, voice activity."""

    visemes: np.ndarray  # (n, 15), rows sum to 1
    blendshapes: np.ndarray  # (n, 52), mouth and jaw weights only
    voice_activity: np.ndarray  # (n,)


def _band(frequencies: np.ndarray, low_hz: float, high_hz: float) -> np.ndarray:
    return np.flatnonzero((frequencies >= low_hz) & (frequencies < high_hz))


class BaselineMouth:
    """Streaming: push feature blocks with voice activity; get smoothed mouth rows back."""

    name = "baseline-dsp"
    version = "1"
    lookahead_hops = DELAY_HOPS

    def __init__(self) -> None:
        frequencies = mel_frequencies()[1:-1]
        self._bands = {name: _band(frequencies, low, high) for name, (low, high) in {
            "all": (0, 1e9), "murmur": (60, 350), "f1": (250, 1000), "f2": (800, 2600),
            "postalveolar": (2000, 4500), "sibilant": (4500, 1e9)}.items()}
        self._frequencies = frequencies
        self._poses = viseme_pose_matrix()
        self._peak_db = QUIETEST_PEAK_DB
        self._smoother = StreamingFir(hann_taps(SMOOTHING_HOPS), NUM_VISEMES + 2)

    def push(self, features: FeatureBlock, voice_probability: np.ndarray) -> MouthRows:
        loudness = self._loudness(features.energy_db)
        raw_visemes = self._viseme_probabilities(features.log_mel, loudness, voice_probability)
        stacked = np.column_stack([raw_visemes, loudness * voice_probability, voice_probability])
        smoothed = self._smoother.push(stacked)
        visemes = smoothed[:, :NUM_VISEMES] / smoothed[:, :NUM_VISEMES].sum(axis=1, keepdims=True)
        return MouthRows(visemes, self._blendshapes(visemes, smoothed[:, -2]), smoothed[:, -1])

    def _loudness(self, energy_db: np.ndarray) -> np.ndarray:
        """0..1 relative to a slowly decaying peak (automatic gain: quiet recordings still move)."""
        loudness = np.empty(len(energy_db), np.float32)
        for i, level in enumerate(energy_db.tolist()):
            self._peak_db = max(level, self._peak_db - PEAK_DECAY_DB_PER_HOP, QUIETEST_PEAK_DB)
            loudness[i] = 1.0 - (self._peak_db - level) / LOUDNESS_RANGE_DB
        return np.clip(loudness, 0.0, 1.0)

    def _viseme_probabilities(self, log_mel: np.ndarray, loudness: np.ndarray,
                              voice: np.ndarray) -> np.ndarray:
        """(n, 15): silence gets `sil`; speech a softmax over the 14 speech visemes' scores."""
        scores = self._speech_scores(log_mel, loudness) * SCORE_SHARPNESS
        scores[:, _SIL] = -np.inf
        speech = np.exp(scores - scores.max(axis=1, keepdims=True))
        speech /= speech.sum(axis=1, keepdims=True)
        probabilities = speech * voice[:, None]
        probabilities[:, _SIL] = 1.0 - voice
        return probabilities.astype(np.float32)

    def _speech_scores(self, log_mel: np.ndarray, loudness: np.ndarray) -> np.ndarray:
        power = 10.0 ** log_mel.astype(np.float64)
        total = power[:, self._bands["all"]].sum(axis=1) + 1e-12
        share = {name: power[:, index].sum(axis=1) / total for name, index in self._bands.items()}
        openness = np.clip((self._centroid(power, "f1") - 350.0) / 450.0, 0.0, 1.0)  # F1 region
        frontness = np.clip((self._centroid(power, "f2") - 1000.0) / 1000.0, 0.0, 1.0)  # F2 region
        frication, hush = share["sibilant"], share["postalveolar"]
        vowel = 1.0 - np.clip(2.0 * (frication + hush), 0.0, 1.0)
        quiet = 1.0 - loudness
        columns = {
            "PP": 2.5 * quiet - 1.0,
            "FF": 3.0 * frication + quiet - 1.5,
            "TH": 2.0 * frication + quiet - 1.8,
            "DD": 0.0 * quiet,
            "kk": 0.0 * quiet - 0.3,
            "CH": 4.0 * hush * (1.0 - frication) - 1.5,
            "SS": 5.0 * frication - 1.5,
            "nn": 3.0 * share["murmur"] - 1.2,
            "RR": 0.0 * quiet - 0.8,
            "aa": 3.0 * vowel * openness + 2.0 * loudness - 2.0,
            "E": 3.0 * vowel * (1.0 - np.abs(openness - 0.5) * 2.0) * frontness + loudness - 1.2,
            "ih": 3.0 * vowel * (1.0 - openness) * frontness - 1.0,
            "oh": 3.0 * vowel * openness * (1.0 - frontness) - 1.0,
            "ou": 3.0 * vowel * (1.0 - openness) * (1.0 - frontness) - 1.0,
        }
        scores = np.zeros((len(log_mel), NUM_VISEMES))
        for name, column in columns.items():
            scores[:, viseme_index(name)] = column
        return scores

    def _centroid(self, power: np.ndarray, band: str) -> np.ndarray:
        index = self._bands[band]
        weights = power[:, index]
        return (weights * self._frequencies[index]).sum(axis=1) / (weights.sum(axis=1) + 1e-12)

    def _blendshapes(self, visemes: np.ndarray, loudness: np.ndarray) -> np.ndarray:
        """Visemes blend their poses; the jaw opens further the louder the speech."""
        shapes = rowwise_matmul(visemes, self._poses)
        jaw_gain = 0.5 + 0.8 * loudness
        shapes[:, Blendshape.JAW_OPEN] *= jaw_gain
        return np.clip(shapes, 0.0, 1.0).astype(np.float32)
