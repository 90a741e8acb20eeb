"""A listener's face: attention to the other party's voice, per 10 ms hop, seeded.

Listeners hold their gaze on the speaker far more than speakers do on them (Argyle & Cook 1976),
nod back at the speaker's phrase ends — in the pause, never over a word (Maynard 1987; Ward &
Tsukahara 2000: backchannels follow a pause after a pitch cue) — tilt the head a little at
accented words, smile briefly, and blink at the speaker's pauses (Nakano & Kitazawa 2010). The
mouth stays closed or barely parted: the other voice never reaches the mouth model.

Output is offsets around what the dynamics already give (drift, breathing, idle blinks): the turn
machine (runtime.motion.turns) weights them in and out (runtime.motion.turn_blend). Streaming and
chunk-invariant: every generator draws a fixed amount per hop and all state is carried, so any
split of the hops into pushes gives the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.arkit import NUM_BLENDSHAPES, Blendshape
from runtime.audio.constants import HOP_S
from runtime.audio.voice_cues import VoiceCues
from runtime.motion.controls import ControlRows
from runtime.motion.saccades import Saccades, SaccadeStyle
from runtime.numerics import bump_filter, one_pole
from runtime.types import POSE_WIDTH, PoseColumn

NOD_CHANCE = 0.55  # of a nod at a phrase end, at nod_rate 1 and full attentiveness
NOD_DELAY_S = (0.0, 0.3)  # after the phrase end is confirmed (itself ~0.23 s after the last word)
NOD_DEG = (2.5, 4.5)  # pitch down at full attentiveness
NOD_PEAK_S = 0.18  # a nod peaks this long after it starts and is back within about 0.7 s
DOUBLE_NOD_CHANCE = 0.3  # "mm-hm": a second, smaller nod...
DOUBLE_NOD_AFTER_S = 0.3  # ...this long after the first
DOUBLE_NOD_SHARE = 0.6
ACCENT_MIN = 0.3  # accents weaker than this draw no tilt
TILT_CHANCE = 0.4  # of a tilt after an accent, at full attentiveness
TILT_WAIT_S = 0.6  # the tilt waits for the next gap between words, at most this long
GAP_VOICE = 0.3  # voice activity below this is a gap between words
TILT_DEG = (1.0, 2.5)  # roll, to either side
TILT_PEAK_S = 0.45
LEAN_ROLL_DEG = 1.5  # an attentive listener's head tilts to their own side...
LEAN_Z = 0.015  # ...and comes a little closer (face widths), both at full attentiveness
LEAN_TIME_CONSTANT_S = 0.8
SMILE_CHANCE = 0.3  # of a brief smile at a phrase end, at full attentiveness and a neutral emotion
SMILE_WEIGHT = (0.15, 0.35)  # mouthSmileLeft/Right at a listening_smile of 1
SMILE_PEAK_S = 0.5  # rises over half a second and fades over about two
SMILE_SHAPES = {Blendshape.MOUTH_SMILE_LEFT: 1.0, Blendshape.MOUTH_SMILE_RIGHT: 1.0,
                Blendshape.CHEEK_SQUINT_LEFT: 0.4, Blendshape.CHEEK_SQUINT_RIGHT: 0.4}
LIPS_PARTED = 0.02  # jawOpen of a relaxed listener (the bound is 0.05)
BLINK_BASE_FACTOR = 0.8  # listeners blink a little less than people at rest...
BLINK_PAUSE_FACTOR = 1.8  # ...and more in the speaker's pauses...
BLINK_PAUSE_S = 0.8  # ...for this long after a phrase end
AVERSIONS_PER_S = 0.12  # glances away, at attentiveness 0 (none at full attentiveness)
# A listener's eyes: steadier than a speaker's, smaller and rarer glances away.
LISTENING_SACCADES = SaccadeStyle(per_s=0.5, std_deg=(1.6, 1.0), aversion_chance=1.0, aversion_yaw_deg=(4.0, 8.0),
                                  aversion_up_deg=(1.0, 3.0), aversion_hold_s=(0.4, 0.9))
LISTENING_SEED_KEY = 14  # the listener's generators: a branch of the session seed the dynamics never use

_SMILE_COLUMNS = np.array(list(SMILE_SHAPES))
_SMILE_SHARES = np.array(list(SMILE_SHAPES.values()), np.float32)


@dataclass(frozen=True)
class ListeningRows:
    """A listener's offsets for consecutive hops."""

    head: np.ndarray  # (n, POSE_WIDTH) pose offsets by PoseColumn: nods, tilts, lean
    gaze_offset: np.ndarray  # (n, 2) yaw, pitch (deg) around the gaze target, in place of the speaker's
    blendshapes: np.ndarray  # (n, 52) offsets: brief smiles, lips barely parted
    blink_rate_factor: np.ndarray  # (n,) multiplies the blink rate (Blinks.push)


def quiet_listening(count: int) -> ListeningRows:
    """Rows of nobody to listen to: no offsets, the blink rate as it is."""
    return ListeningRows(np.zeros((count, POSE_WIDTH), np.float32), np.zeros((count, 2), np.float32),
                         np.zeros((count, NUM_BLENDSHAPES), np.float32), np.ones(count, np.float32))


class ListeningBehaviour:
    """Streaming: push the other party's voice cues and the controls per hop; get listening rows."""

    name = "listening-procedural"
    version = "1"

    def __init__(self, seed: int) -> None:
        root = np.random.SeedSequence(seed, spawn_key=(LISTENING_SEED_KEY,))
        person, nods, tilts, smiles, timing, jumps = (np.random.Generator(np.random.PCG64(c)) for c in root.spawn(6))
        self._lean_side = 1.0 if person.random() < 0.5 else -1.0  # drawn once: which way this person tilts
        self._nod_draws, self._tilt_draws, self._smile_draws = nods, tilts, smiles
        self._saccades = Saccades(timing, jumps, LISTENING_SACCADES)
        self._nod = bump_filter(NOD_PEAK_S, HOP_S, 1)
        self._tilt = bump_filter(TILT_PEAK_S, HOP_S, 1)
        self._smile = bump_filter(SMILE_PEAK_S, HOP_S, 1)
        self._lean = one_pole(LEAN_TIME_CONSTANT_S, HOP_S, 1)
        self._hop = 0
        self._nods_due: list[tuple[int, float]] = []  # (hop, degrees) of nods scheduled after a phrase end
        self._tilt_waiting: tuple[int, float] | None = None  # (deadline hop, degrees) of a tilt awaiting a gap
        self._since_phrase_end_s = np.inf

    def push(self, cues: VoiceCues, controls: ControlRows) -> ListeningRows:
        count = len(cues)
        nod_draws = self._nod_draws.random((count, 5))  # nod?, delay, size, double?, aversion?
        tilt_draws = self._tilt_draws.random((count, 3))  # tilt?, size, side
        smile_draws = self._smile_draws.random((count, 2))  # smile?, size
        nods = np.zeros(count)
        tilts = np.zeros(count)
        smiles = np.zeros(count)
        blink_factor = np.empty(count)
        aversions = np.zeros(count, bool)
        for i in range(count):
            attention = float(controls.attentiveness[i])
            if cues.phrase_end[i]:
                self._after_phrase_end(nod_draws[i], smile_draws[i], attention, float(controls.nod_rate[i]),
                                       float(controls.listening_smile[i]), smiles, i)
            if cues.pitch_accent[i] >= ACCENT_MIN and tilt_draws[i, 0] < TILT_CHANCE * attention:
                side = 1.0 if tilt_draws[i, 2] < 0.5 else -1.0
                self._tilt_waiting = (self._hop + round(TILT_WAIT_S / HOP_S), side * np.interp(tilt_draws[i, 1], (0, 1),
                                                                                                TILT_DEG))
            nods[i] = self._due_nod(float(cues.voice_activity[i]))
            tilts[i] = self._due_tilt(float(cues.voice_activity[i]))
            blink_factor[i] = BLINK_BASE_FACTOR * (BLINK_PAUSE_FACTOR if self._since_phrase_end_s < BLINK_PAUSE_S
                                                   else 1.0)
            aversions[i] = nod_draws[i, 4] < AVERSIONS_PER_S * (1.0 - attention) * HOP_S
            self._since_phrase_end_s += HOP_S
            self._hop += 1
        spread = 1.25 - 0.5 * controls.attentiveness  # steadier eyes when attentive
        return ListeningRows(
            head=self._head(nods, tilts, controls.attentiveness),
            gaze_offset=self._saccades.push(aversions, spread),
            blendshapes=self._blendshapes(smiles),
            blink_rate_factor=blink_factor.astype(np.float32),
        )

    def _after_phrase_end(self, nod_draw: np.ndarray, smile_draw: np.ndarray, attention: float, nod_rate: float,
                          smile_scale: float, smiles: np.ndarray, i: int) -> None:
        """Schedules a nod (maybe a double one) in the pause, and maybe starts a smile."""
        self._since_phrase_end_s = 0.0
        if nod_draw[0] < NOD_CHANCE * nod_rate * (0.5 + 0.5 * attention):
            start = self._hop + round(np.interp(nod_draw[1], (0, 1), NOD_DELAY_S) / HOP_S)
            size = np.interp(nod_draw[2], (0, 1), NOD_DEG) * (0.6 + 0.4 * attention)
            self._nods_due.append((start, size))
            if nod_draw[3] < DOUBLE_NOD_CHANCE:
                self._nods_due.append((start + round(DOUBLE_NOD_AFTER_S / HOP_S), size * DOUBLE_NOD_SHARE))
        if smile_draw[0] < SMILE_CHANCE * attention:
            smiles[i] = np.interp(smile_draw[1], (0, 1), SMILE_WEIGHT) * smile_scale

    def _due_nod(self, voice: float) -> float:
        """The size of a nod starting at this hop; a nod that falls on a word (the speaker went on)
        is dropped, never moved."""
        due = [size for hop, size in self._nods_due if hop == self._hop]
        self._nods_due = [(hop, size) for hop, size in self._nods_due if hop > self._hop]
        return sum(due) if due and voice < GAP_VOICE else 0.0

    def _due_tilt(self, voice: float) -> float:
        """A waiting tilt starts at the first gap between words, or is dropped at its deadline."""
        if self._tilt_waiting is None:
            return 0.0
        deadline, size = self._tilt_waiting
        if voice < GAP_VOICE:
            self._tilt_waiting = None
            return size
        if self._hop >= deadline:
            self._tilt_waiting = None
        return 0.0

    def _head(self, nods: np.ndarray, tilts: np.ndarray, attentiveness: np.ndarray) -> np.ndarray:
        head = np.zeros((len(nods), POSE_WIDTH), np.float32)
        lean = self._lean.push(attentiveness[:, None])[:, 0]
        head[:, PoseColumn.PITCH] = self._nod.push(nods[:, None])[:, 0]
        head[:, PoseColumn.ROLL] = self._tilt.push(tilts[:, None])[:, 0] + LEAN_ROLL_DEG * self._lean_side * lean
        head[:, PoseColumn.Z] = LEAN_Z * lean
        return head

    def _blendshapes(self, smiles: np.ndarray) -> np.ndarray:
        shapes = np.zeros((len(smiles), NUM_BLENDSHAPES), np.float32)
        smile = self._smile.push(smiles[:, None])[:, 0]
        shapes[:, _SMILE_COLUMNS] = _SMILE_SHARES * smile[:, None]
        shapes[:, Blendshape.JAW_OPEN] = LIPS_PARTED
        return shapes
