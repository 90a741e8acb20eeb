"""Viseme segments → per-hop training targets: hard viseme labels and smooth mouth curves.

Coarticulation by dominance blending (Cohen & Massaro 1993): every segment exerts a dominance
that is full inside it and decays exponentially with the distance outside it; a hop's viseme
weights are the segments' dominances normalised to sum 1, and its mouth pose is those weights
times the viseme poses. Lip closures and lip-teeth contacts dominate strongly (the lips must
really close for p/b/m), tongue consonants weakly (t/d/k/g/n keep the neighbouring vowel's jaw),
and silence closes the mouth except where speech is near.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from runtime.arkit import NUM_VISEMES, viseme_index
from runtime.audio.constants import HOP_S
from runtime.motion.viseme_targets import viseme_pose_matrix

DOMINANCE = {"sil": 1.0, "PP": 6.0, "FF": 3.0, "TH": 1.0, "DD": 0.3, "kk": 0.3, "CH": 1.0, "SS": 0.6,
             "nn": 0.3, "RR": 0.6, "aa": 1.0, "E": 1.0, "ih": 1.0, "oh": 1.2, "ou": 1.5}
REACH_S = 0.045  # dominance falls by e every 45 ms outside a segment (anticipation and carry-over)
# Contacts are strong but brief: the lips close fully for p/b/m without flattening the vowels around
# them; silence lets the mouth start opening ~100 ms before a voice onset.
REACH_BY_VISEME_S = {"PP": 0.02, "FF": 0.025, "sil": 0.03}
PLATEAU_SHRINK = 0.25  # the full-dominance plateau is the segment's middle 50 %: edges blend


@dataclass(frozen=True)
class VisemeSegment:
    viseme: str  # an OVR viseme name
    start_s: float
    end_s: float


def merge_segments(labelled: Iterable[tuple[str | None, float]], end_s: float) -> list[VisemeSegment]:
    """(viseme or None, start time) in time order → segments; None extends the previous segment,
    neighbours with the same viseme merge, and the time before the first start is silence."""
    segments: list[VisemeSegment] = []
    starts = [(viseme, start) for viseme, start in labelled]
    if not starts or starts[0][1] > 0:
        starts.insert(0, ("sil", 0.0))
    for index, (viseme, start) in enumerate(starts):
        stop = starts[index + 1][1] if index + 1 < len(starts) else end_s
        if stop <= start and index + 1 < len(starts):
            continue
        if viseme is None or (segments and segments[-1].viseme == viseme):
            if segments:
                segments[-1] = VisemeSegment(segments[-1].viseme, segments[-1].start_s, stop)
            continue
        segments.append(VisemeSegment(viseme, start, max(stop, start)))
    return segments


def hop_times(n_hops: int) -> np.ndarray:
    return np.arange(n_hops) * HOP_S


def viseme_labels(segments: Sequence[VisemeSegment], n_hops: int) -> np.ndarray:
    """(n_hops,) int64: the viseme of the segment each hop's time falls in (silence outside all)."""
    times = hop_times(n_hops)
    labels = np.full(n_hops, viseme_index("sil"), np.int64)
    for segment in segments:
        labels[(times >= segment.start_s) & (times < segment.end_s)] = viseme_index(segment.viseme)
    return labels


def viseme_weights(segments: Sequence[VisemeSegment], n_hops: int) -> np.ndarray:
    """(n_hops, 15) float32 coarticulated viseme weights, rows summing to 1."""
    times = hop_times(n_hops)
    weights = np.zeros((n_hops, NUM_VISEMES), np.float64)
    for segment in segments:
        half = (segment.end_s - segment.start_s) * (0.5 - PLATEAU_SHRINK)
        centre = 0.5 * (segment.start_s + segment.end_s)
        distance = np.maximum(np.abs(times - centre) - half, 0.0)
        reach = REACH_BY_VISEME_S.get(segment.viseme, REACH_S)
        weights[:, viseme_index(segment.viseme)] += DOMINANCE[segment.viseme] * np.exp(-distance / reach)
    total = weights.sum(axis=1, keepdims=True)
    weights[total[:, 0] <= 1e-12, viseme_index("sil")] = 1.0  # nothing near: silence
    return (weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)).astype(np.float32)


def mouth_curves(segments: Sequence[VisemeSegment], n_hops: int) -> np.ndarray:
    """(n_hops, 52) float32 ARKit mouth and jaw targets: coarticulated weights times the poses."""
    return (viseme_weights(segments, n_hops) @ viseme_pose_matrix()).astype(np.float32)


def mouth_columns() -> tuple[int, ...]:
    """The blendshape columns any viseme pose moves: the ones a mouth model predicts."""
    return tuple(int(i) for i in np.flatnonzero(np.abs(viseme_pose_matrix()).sum(axis=0) > 0))

