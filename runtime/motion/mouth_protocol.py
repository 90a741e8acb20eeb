"""What a mouth model is and what it returns: the MouthModel protocol and its MouthRows. Every
model (the DSP baseline, the learned network, later ones) implements the one and returns the other;
`mouth_models.py` names the models a session can choose."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from runtime.audio.features import FeatureBlock


@dataclass(frozen=True)
class MouthRows:
    """Mouth of consecutive hops: viseme probabilities, mouth blendshapes, voice activity."""

    visemes: np.ndarray  # (n, 15), rows sum to 1
    blendshapes: np.ndarray  # (n, 52), mouth and jaw weights only
    voice_activity: np.ndarray  # (n,)


class MouthModel(Protocol):
    """Streaming: the rows returned for input hops [a, b) describe hops [a - lookahead_hops, b - lookahead_hops)."""

    name: str
    version: str
    lookahead_hops: int
    # True: the rows' voice activity is the model's own speech probability (it ignores the given one),
    # and the session's voice-activity state machine runs on it; False: the given one, delayed.
    detects_speech: bool

    def push(self, features: FeatureBlock, voice_probability: np.ndarray) -> MouthRows: ...
