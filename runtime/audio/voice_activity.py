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
        return StreamingVoiceActivity.push_many([self], np.asarray(energy_db)[None])[0]

    def decide(self, probabilities: np.ndarray) -> VoiceActivityBlock:
        """The state machine and its events over per-hop speech probabilities (n,)."""
        return StreamingVoiceActivity.decide_many([self], np.asarray(probabilities)[None])[0]

    @staticmethod
    def push_many(detectors: list[StreamingVoiceActivity], energy_db: np.ndarray) -> list[VoiceActivityBlock]:
        """S sessions' (S, n) frame energies: each session's block, as its detector alone gives it."""
        return StreamingVoiceActivity.decide_many(detectors, StreamingVoiceActivity.probabilities_many(detectors,
                                                                                                       energy_db))

    @staticmethod
    def probabilities_many(detectors: list[StreamingVoiceActivity], energy_db: np.ndarray) -> np.ndarray:
        """S sessions' (S, n) float32 speech probabilities from their (S, n) frame energies, each
        detector's noise floor advanced over them (`decide_many` then runs the state machines)."""
        levels = np.asarray(energy_db, np.float64)
        floors = _floors(detectors, levels)
        threshold = np.maximum(floors + FLOOR_MARGIN_DB, ABSOLUTE_THRESHOLD_DB)
        return (1.0 / (1.0 + np.exp(-(levels - threshold) / SOFTNESS_DB))).astype(np.float32)

    @staticmethod
    def decide_many(detectors: list[StreamingVoiceActivity], probabilities: np.ndarray) -> list[VoiceActivityBlock]:
        """The state machines of S sessions over their (S, n) speech probabilities, hop by hop with
        the sessions side by side: a state flips after a run of ONSET_HOPS (HANGOVER_HOPS) hops
        that disagree with it, and the flip is dated where the run began."""
        probabilities = np.asarray(probabilities, np.float32)
        if len(detectors) == 1:  # a lone session: Python steps, 2 us a push against 18 for the array steps below
            return [detectors[0]._decide_alone(probabilities[0])]
        sessions, count = probabilities.shape
        voiced = probabilities > 0.5
        speaking = np.array([detector._speaking for detector in detectors], bool)
        run = np.array([detector._run for detector in detectors])
        first_hop = np.array([detector._hop for detector in detectors])
        states = np.empty((sessions, count), bool)
        switches: list[tuple[int, int, bool]] = []  # (session, hop the run began, speaking after)
        for hop in range(count):
            run = np.where(voiced[:, hop] != speaking, run + 1, 0)
            switched = run >= np.where(speaking, HANGOVER_HOPS, ONSET_HOPS)
            if switched.any():
                speaking = speaking ^ switched
                for index in np.flatnonzero(switched).tolist():
                    switches.append((index, int(first_hop[index]) + hop - int(run[index]) + 1, bool(speaking[index])))
                run = np.where(switched, 0, run)
            states[:, hop] = speaking
        for detector, now, length, index in zip(detectors, speaking.tolist(), run.tolist(), range(sessions),
                                                 strict=True):
            detector._speaking, detector._run, detector._hop = now, length, int(first_hop[index]) + count
        starts: list[list[float]] = [[] for _ in detectors]
        ends: list[list[float]] = [[] for _ in detectors]
        for index, hop, started in switches:
            (starts if started else ends)[index].append(hop * HOP_S)
        return [VoiceActivityBlock(probabilities[index], tuple(starts[index]), tuple(ends[index]), states[index])
                for index in range(sessions)]

    def _decide_alone(self, probabilities: np.ndarray) -> VoiceActivityBlock:
        """`decide_many`'s state machine for this session alone, in Python steps."""
        speaking, run, first_hop = self._speaking, self._run, self._hop
        states, starts, ends = [], [], []
        for hop, voiced in enumerate((probabilities > 0.5).tolist()):
            run = run + 1 if voiced != speaking else 0
            if run >= (HANGOVER_HOPS if speaking else ONSET_HOPS):
                speaking = not speaking
                (starts if speaking else ends).append((first_hop + hop - run + 1) * HOP_S)
                run = 0
            states.append(speaking)
        self._speaking, self._run, self._hop = speaking, run, first_hop + len(states)
        return VoiceActivityBlock(probabilities, tuple(starts), tuple(ends), np.array(states, bool))

    @property
    def speaking(self) -> bool:
        return self._speaking


def _floors(detectors: list[StreamingVoiceActivity], levels: np.ndarray) -> np.ndarray:
    """(S, n) float64 noise floors after each hop of the (S, n) levels, each detector's floor
    advanced. A recursion over hops: with many sessions the loop runs over hops with the sessions
    side by side, for a lone one in Python floats (the same float64 operations in the same order)."""
    if len(detectors) == 1:
        detector = detectors[0]
        floor, floors = detector._floor_db, []
        for level in levels[0].tolist():
            floor = floor + FLOOR_FALL * (level - floor) if level < floor else floor + FLOOR_RISE_DB_PER_HOP
            floors.append(floor)
        detector._floor_db = floor
        return np.array(floors, np.float64).reshape(1, len(floors))
    floor = np.array([detector._floor_db for detector in detectors])
    floors = np.empty(levels.shape)
    for hop in range(levels.shape[1]):
        level = levels[:, hop]
        floor = np.where(level < floor, floor + FLOOR_FALL * (level - floor), floor + FLOOR_RISE_DB_PER_HOP)
        floors[:, hop] = floor
    for detector, last in zip(detectors, floor.tolist(), strict=True):
        detector._floor_db = last
    return floors
