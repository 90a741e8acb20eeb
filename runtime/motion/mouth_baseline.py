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

import numpy as np

from runtime.arkit import NUM_VISEMES, Blendshape, viseme_index
from runtime.audio.features import FeatureBlock, mel_frequencies
from runtime.motion.mouth_protocol import MouthRows
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


# Spectral bands summed from the mel power (Hz), and two of them weighted by frequency for centroids.
BANDS_HZ = {"all": (0.0, 1e9), "murmur": (60.0, 350.0), "f1": (250.0, 1000.0), "f2": (800.0, 2600.0),
            "postalveolar": (2000.0, 4500.0), "sibilant": (4500.0, 1e9)}
_BAND_COLUMNS = (*BANDS_HZ, "f1_moment", "f2_moment")

# Cues: smooth functions of the spectrum and loudness (see `_cues`), in this column order.
CUES = ("one", "quiet", "loud", "frication", "hush", "murmur", "open_vowel", "mid_front_vowel",
        "close_front_vowel", "open_back_vowel", "close_back_vowel")
# Each speech viseme's score is a weighted sum of cues; the softmax over scores gives probabilities.
SCORES: dict[str, dict[str, float]] = {
    "PP": {"quiet": 2.5, "one": -1.0},
    "FF": {"frication": 3.0, "quiet": 1.0, "one": -1.5},
    "TH": {"frication": 2.0, "quiet": 1.0, "one": -1.8},
    "DD": {},
    "kk": {"one": -0.3},
    "CH": {"hush": 4.0, "one": -1.5},
    "SS": {"frication": 5.0, "one": -1.5},
    "nn": {"murmur": 3.0, "one": -1.2},
    "RR": {"one": -0.8},
    "aa": {"open_vowel": 3.0, "loud": 2.0, "one": -2.0},
    "E": {"mid_front_vowel": 3.0, "loud": 1.0, "one": -1.2},
    "ih": {"close_front_vowel": 3.0, "one": -1.0},
    "oh": {"open_back_vowel": 3.0, "one": -1.0},
    "ou": {"close_back_vowel": 3.0, "one": -1.0},
}


def _band_matrix() -> np.ndarray:
    """(N_MELS, 8) float32: band sums, then the F1 and F2 bands weighted by frequency."""
    frequencies = mel_frequencies()[1:-1]
    inside = {name: (frequencies >= low) & (frequencies < high) for name, (low, high) in BANDS_HZ.items()}
    columns = [*inside.values(), inside["f1"] * frequencies, inside["f2"] * frequencies]
    return np.column_stack(columns).astype(np.float32)


def _score_weights() -> np.ndarray:
    """(len(CUES), 15) float32; the `sil` column stays zero (silence comes from voice activity)."""
    weights = np.zeros((len(CUES), NUM_VISEMES), np.float32)
    for viseme, terms in SCORES.items():
        for cue, weight in terms.items():
            weights[CUES.index(cue), viseme_index(viseme)] = weight
    return weights


def _cues(bands: np.ndarray, loudness: np.ndarray) -> np.ndarray:
    """(n, len(CUES)) from band sums (n, 8): frication and vowel quality from the first formants."""
    band = dict(zip(_BAND_COLUMNS, bands.T, strict=True))
    total = band["all"] + 1e-12
    frication, hush, murmur = band["sibilant"] / total, band["postalveolar"] / total, band["murmur"] / total
    f1_hz = band["f1_moment"] / (band["f1"] + 1e-12)
    f2_hz = band["f2_moment"] / (band["f2"] + 1e-12)
    openness = np.minimum(np.maximum((f1_hz - 350.0) / 450.0, 0.0), 1.0)  # F1 rises as the jaw opens
    front = np.minimum(np.maximum((f2_hz - 1000.0) / 1000.0, 0.0), 1.0)  # F2 rises for front vowels
    vowel = 1.0 - np.minimum(2.0 * (frication + hush), 1.0)
    mid = 1.0 - np.abs(openness - 0.5) * 2.0
    columns = (np.ones_like(total), 1.0 - loudness, loudness, frication, hush * (1.0 - frication), murmur,
               vowel * openness, vowel * mid * front, vowel * (1.0 - openness) * front,
               vowel * openness * (1.0 - front), vowel * (1.0 - openness) * (1.0 - front))
    return np.column_stack(columns).astype(np.float32)


class BaselineMouth:
    """Streaming: push feature blocks with voice activity; get smoothed mouth rows back."""

    name = "baseline-dsp"
    version = "1"
    lookahead_hops = DELAY_HOPS
    detects_speech = False  # its rows carry the given voice probability, delayed

    def __init__(self) -> None:
        self._bands = _band_matrix()
        self._score_weights = _score_weights()
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
        return np.minimum(np.maximum(loudness, 0.0), 1.0)

    def _viseme_probabilities(self, log_mel: np.ndarray, loudness: np.ndarray,
                              voice: np.ndarray) -> np.ndarray:
        """(n, 15): silence gets `sil`; speech a softmax over the 14 speech visemes' scores."""
        cues = _cues(rowwise_matmul(np.power(np.float32(10.0), log_mel), self._bands), loudness)
        scores = rowwise_matmul(cues, self._score_weights) * SCORE_SHARPNESS
        scores[:, _SIL] = -np.inf
        speech = np.exp(scores - scores.max(axis=1, keepdims=True))
        speech /= speech.sum(axis=1, keepdims=True)
        probabilities = speech * voice[:, None]
        probabilities[:, _SIL] = 1.0 - voice
        return probabilities.astype(np.float32)

    def _blendshapes(self, visemes: np.ndarray, loudness: np.ndarray) -> np.ndarray:
        """Visemes blend their poses; the jaw opens further the louder the speech."""
        shapes = rowwise_matmul(visemes, self._poses)
        jaw_gain = 0.5 + 0.8 * loudness
        shapes[:, Blendshape.JAW_OPEN] *= jaw_gain
        return np.minimum(np.maximum(shapes, 0.0), 1.0).astype(np.float32)
