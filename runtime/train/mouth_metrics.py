"""Lip-sync scores of a mouth model's rows against reference visemes and curves, hop by hop.

- viseme accuracy: the most probable of the 15 visemes equals the reference label; and the same
  over the 6 coarse groups (`visemes.COARSE_NAMES`);
- closure recall: hops inside p/b/m (reference `PP`) where the lips are closed;
- jawOpen r: Pearson correlation with the reference jawOpen curve;
- closed in silence: hops of reference silence, at least SILENCE_MARGIN_S from speech, with lips closed;
- lag: the shift (hops) that maximises the jawOpen cross-correlation; positive = the model is late;
- voice activity: how often the detector says someone talks (probability > 0.5) in reference speech
  and in deep silence, and how often the lips would be closed in silence if the mouth were gated
  by it (closed, or the detector says nobody talks);
- support: how many hops, closures (p/b/m segments) and seconds of silence a figure rests on.

Lips count as closed when the lip aperture (ARKit jawOpen minus mouthClose, which closes the lips
over an open jaw) is below CLOSED_APERTURE.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from runtime.arkit import Blendshape, viseme_index
from runtime.audio.constants import HOP_S
from runtime.train.visemes import coarse_group_index

CLOSED_APERTURE = 0.1
SILENCE_MARGIN_S = 0.1  # the mouth may rightly open this early before speech, or close this late
MAX_LAG_HOPS = 20
OPEN_VOWELS = [viseme_index(name) for name in ("aa", "E", "ih", "oh", "ou")]  # the lips are apart for these


@dataclass(frozen=True)
class MouthScores:
    viseme_accuracy: float
    coarse_accuracy: float
    closure_recall: float
    closed_on_vowels: float  # the closures' false alarms: open-vowel hops (aa E ih oh ou) read as closed lips
    jaw_r: float
    closed_in_silence: float
    lag_hops: int

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


def lip_aperture(blendshapes: np.ndarray) -> np.ndarray:
    return blendshapes[:, Blendshape.JAW_OPEN] - blendshapes[:, Blendshape.MOUTH_CLOSE]


def deep_silence(labels: np.ndarray) -> np.ndarray:
    """Reference silence hops at least SILENCE_MARGIN_S away from any speech hop."""
    margin = round(SILENCE_MARGIN_S / HOP_S)
    speech = np.convolve((labels != viseme_index("sil")).astype(float), np.ones(2 * margin + 1), "same") > 0
    return ~speech


def best_lag(model: np.ndarray, reference: np.ndarray, max_lag: int = MAX_LAG_HOPS) -> int:
    """The lag (hops) at which `model` shifted back best matches `reference`."""
    a, b = model - model.mean(), reference - reference.mean()
    scores = [float(np.dot(a[max(lag, 0):len(a) + min(lag, 0)], b[max(-lag, 0):len(b) + min(-lag, 0)]))
              for lag in range(-max_lag, max_lag + 1)]
    return int(np.argmax(scores)) - max_lag


def _mean(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else float("nan")


def score(visemes: np.ndarray, blendshapes: np.ndarray, labels: np.ndarray, reference: np.ndarray) -> MouthScores:
    """visemes (n, 15), blendshapes (n, 52) of the model; labels (n,) and reference (n, 52) curves."""
    predicted = visemes.argmax(axis=1)
    closed = lip_aperture(blendshapes) < CLOSED_APERTURE
    jaw, reference_jaw = blendshapes[:, Blendshape.JAW_OPEN], reference[:, Blendshape.JAW_OPEN]
    return MouthScores(
        viseme_accuracy=_mean(predicted == labels),
        coarse_accuracy=_mean(coarse_group_index(predicted) == coarse_group_index(labels)),
        closure_recall=_mean(closed[labels == viseme_index("PP")]),
        closed_on_vowels=_mean(closed[np.isin(labels, OPEN_VOWELS)]),
        jaw_r=float(np.corrcoef(jaw, reference_jaw)[0, 1]) if jaw.std() > 0 and reference_jaw.std() > 0
        else float("nan"),
        closed_in_silence=_mean(closed[deep_silence(labels)]),
        lag_hops=best_lag(jaw, reference_jaw),
    )


@dataclass(frozen=True)
class Support:
    hops: int
    speech_hops: int
    closure_hops: int
    closures: int  # p/b/m segments: the closure recall's independent events
    silence_hops: int  # deep silence
    repeats: int = 1  # times the same speech appears in the set (the same clips under several noises)

    @property
    def closure_margin(self) -> float:
        """Half-width of a rough 95 % interval of a closure recall near 0.5 (1.96 √(p(1-p)/n)), with n
        the distinct closures: not hops, since the hops of one closure are not independent, and not
        the same closure heard again through another noise."""
        distinct = self.closures / self.repeats
        return 1.96 * 0.5 / np.sqrt(distinct) if distinct else float("nan")


def support(labels: np.ndarray, repeats: int = 1) -> Support:
    closing = labels == viseme_index("PP")
    starts = int(np.count_nonzero(closing[1:] & ~closing[:-1]) + (1 if closing.size and closing[0] else 0))
    return Support(len(labels), int(np.count_nonzero(labels != viseme_index("sil"))), int(closing.sum()), starts,
                   int(deep_silence(labels).sum()), repeats)


@dataclass(frozen=True)
class VoiceActivityScores:
    talking_in_speech: float  # detector recall on reference speech hops
    talking_in_silence: float  # false alarms on deep-silence hops
    closed_in_silence_if_gated: float  # lips closed, or the detector says nobody talks

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


def voice_activity_scores(probability: np.ndarray, blendshapes: np.ndarray, labels: np.ndarray
                          ) -> VoiceActivityScores:
    talking = probability > 0.5
    silence = deep_silence(labels)
    closed = lip_aperture(blendshapes) < CLOSED_APERTURE
    return VoiceActivityScores(_mean(talking[labels != viseme_index("sil")]), _mean(talking[silence]),
                               _mean((closed | ~talking)[silence]))
