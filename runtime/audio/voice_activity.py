"""Streaming voice activity from frame energy: an adaptive noise floor, a soft probability per
hop, and a hysteresis state machine whose switches become speech start/end events.

A DSP detector, good for clean and moderately noisy speech; a learned mouth that knows when someone
is talking (`LearnedMouth.detects_speech`) replaces the probability with its own through `decide`,
but the state machine and its events stay.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.audio.constants import HOP_S

ABSOLUTE_THRESHOLD_DB = -55.0  # below this a frame is never speech (dBFS)
FLOOR_MARGIN_DB = 12.0  # speech must stand this far above the noise floor
SOFTNESS_DB = 3.0  # width of the probability's logistic ramp
FLOOR_RISE_DB_PER_HOP = 0.03  # the floor creeps up 3 dB/s so it follows rising noise
FLOOR_FALL = 0.2  # and falls quickly to a quieter frame
INITIAL_FLOOR_DB = -70.0
ONSET_HOPS = 3  # 30 ms above threshold starts speech
HANGOVER_HOPS = 25  # 250 ms below threshold ends it (short gaps inside words do not)


@dataclass(frozen=True)
class VoiceActivityBlock:
    probability: np.ndarray  # (n,) float32 in [0, 1], per hop
    speech_starts_s: tuple[float, ...]  # times at which speech began, detected in this block
    speech_ends_s: tuple[float, ...]
    speaking: np.ndarray  # (n,) bool: the state after each hop (switches ONSET_HOPS / HANGOVER_HOPS late)


class StreamingVoiceActivity:
    """`push` energy for the DSP detector; or `decide` on probabilities from elsewhere (a learned
    model's, whose hops start `first_hop` hops from the stream's start: -look-ahead for a model
    whose rows run late), never both."""

    def __init__(self, first_hop: int = 0) -> None:
        self._floor_db = INITIAL_FLOOR_DB
        self._speaking = False
        self._run = 0  # consecutive hops disagreeing with the current state
        self._hop = first_hop

    def push(self, energy_db: np.ndarray) -> VoiceActivityBlock:
        probabilities = np.array([self._probability(level) for level in energy_db.tolist()], np.float32)
        return self.decide(probabilities)

    def decide(self, probabilities: np.ndarray) -> VoiceActivityBlock:
        """The state machine and its events over per-hop speech probabilities (n,)."""
        probabilities = np.asarray(probabilities, np.float32)
        speaking = np.empty(len(probabilities), bool)
        starts: list[float] = []
        ends: list[float] = []
        for i, probability in enumerate(probabilities.tolist()):
            switched = self._advance_state(probability > 0.5)
            if switched:
                first_hop = self._hop - self._run + 1  # the switch happened where the run began
                (starts if self._speaking else ends).append(first_hop * HOP_S)
                self._run = 0
            speaking[i] = self._speaking
            self._hop += 1
        return VoiceActivityBlock(probabilities, tuple(starts), tuple(ends), speaking)

    def _probability(self, level_db: float) -> float:
        if level_db < self._floor_db:
            self._floor_db += FLOOR_FALL * (level_db - self._floor_db)
        else:
            self._floor_db += FLOOR_RISE_DB_PER_HOP
        threshold = max(self._floor_db + FLOOR_MARGIN_DB, ABSOLUTE_THRESHOLD_DB)
        return 1.0 / (1.0 + np.exp(-(level_db - threshold) / SOFTNESS_DB))

    def _advance_state(self, voiced: bool) -> bool:
        """Counts hops that disagree with the state; True when the state flips."""
        self._run = self._run + 1 if voiced != self._speaking else 0
        needed = ONSET_HOPS if not self._speaking else HANGOVER_HOPS
        if self._run >= needed:
            self._speaking = not self._speaking
            return True
        return False

    @property
    def speaking(self) -> bool:
        return self._speaking
