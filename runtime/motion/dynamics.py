"""The dynamics generator: head motion, blinks, gaze and expression emphasis from the voice and
its prosody, seeded. Procedural: its interface admits a learned sequence model later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.audio.constants import HOP_S
from runtime.motion.blinks import NEVER, Blinks
from runtime.motion.controls import ControlRows
from runtime.motion.head_motion import HeadMotion
from runtime.motion.saccades import Saccades
from runtime.numerics import StreamingIir, bump_filter, one_pole

QUIET_DB = -60.0  # loudness 0 at or below this level (dBFS)
LOUD_DB = -15.0  # loudness 1 at or above
EMPHASIS_GAIN = 0.6  # emphasis per unit of loudness rise over its recent level
ACCENT_EMPHASIS = 0.35  # emphasis a full pitch accent adds
MAX_EMPHASIS = 0.4
ACCENT_BUMP_S = 0.15  # brows peak 150 ms after an accent and fall back within about a second
ONSET_SILENCE_HOPS = round(0.3 / HOP_S)  # a speech onset needs this much quiet before it


@dataclass(frozen=True)
class ProsodyCues:
    """What the dynamics take from the prosody front end, per hop."""

    pitch_accent: np.ndarray  # (n,) 0..1
    phrase_end: np.ndarray  # (n,) bool


@dataclass(frozen=True)
class DynamicsRows:
    head: np.ndarray  # (n, POSE_WIDTH) pose offsets by PoseColumn: pitch, yaw, roll (deg), x, y, z (face widths)
    blinks: np.ndarray  # (n, 2) eyeBlinkLeft, eyeBlinkRight
    gaze_offset: np.ndarray  # (n, 2) yaw, pitch (deg) around the gaze target
    emphasis: np.ndarray  # (n,) 0..MAX_EMPHASIS: raises brows, narrows eyes and cheeks
    expression: np.ndarray | None = None  # (n, 52) blendshape offsets (a listener's smiles), or none


class ProceduralDynamics:
    """Streaming: push voice activity, energy and prosody per hop; get those hops' dynamics."""

    name = "procedural"
    version = "3"  # 3: the accents and phrase ends it nods on come from YIN at 8 kHz (runtime.audio.pitch)

    def __init__(self, seed: int) -> None:
        head, blinks, saccade_timing, saccade_jumps = (
            np.random.Generator(np.random.PCG64(child)) for child in np.random.SeedSequence(seed).spawn(4))
        self._head = HeadMotion(head)
        self._blinks = Blinks(blinks)
        self._saccades = Saccades(saccade_timing, saccade_jumps)
        self._fast = one_pole(0.05, HOP_S, 1)
        self._slow = one_pole(1.0, HOP_S, 1)
        self._smooth_emphasis = one_pole(0.12, HOP_S, 1)
        self._accent_bump = bump_filter(ACCENT_BUMP_S, HOP_S, 1)
        self._quiet_hops = NEVER  # hops the voice has been quiet, for onsets

    def push(self, voice_activity: np.ndarray, energy_db: np.ndarray, prosody: ProsodyCues,
             controls: ControlRows, blink_rate_factor: np.ndarray | None = None) -> DynamicsRows:
        """blink_rate_factor (n,): multiplies the blink rate (a listener's; default 1)."""
        rows = ProceduralDynamics.push_many(
            [self], voice_activity[None], energy_db[None],
            ProsodyCues(prosody.pitch_accent[None], prosody.phrase_end[None]), controls.slow_share[None],
            None if blink_rate_factor is None else np.asarray(blink_rate_factor)[None])
        return DynamicsRows(rows.head[0], rows.blinks[0], rows.gaze_offset[0], rows.emphasis[0])

    @staticmethod
    def push_many(generators: list[ProceduralDynamics], voice_activity: np.ndarray, energy_db: np.ndarray,
                  prosody: ProsodyCues, slow_share: np.ndarray, blink_rate_factor: np.ndarray | None = None
                  ) -> DynamicsRows:
        """S sessions' next n hops at once: inputs (S, n), DynamicsRows of (S, n, ...) arrays, each
        session's rows what it alone would get (its own generators and filter states)."""
        loudness = np.clip((energy_db - QUIET_DB) / (LOUD_DB - QUIET_DB), 0.0, 1.0)
        envelope = (voice_activity * loudness).astype(np.float32)
        head = HeadMotion.push_many([g._head for g in generators], envelope, prosody.pitch_accent,
                                    prosody.phrase_end, slow_share)
        blinks = Blinks.push_many([g._blinks for g in generators], voice_activity, blink_rate_factor)
        gaze = Saccades.push_many([g._saccades for g in generators], _speech_onsets(generators, voice_activity))
        return DynamicsRows(head=head, blinks=blinks, gaze_offset=gaze,
                            emphasis=_emphasis(generators, envelope, prosody.pitch_accent))



def _speech_onsets(generators: list[ProceduralDynamics], voice_activity: np.ndarray) -> np.ndarray:
    """(S, n) bool: hops where the voice turns on (> 0.6) after ONSET_SILENCE_HOPS of quiet (< 0.4;
    hops in between neither count nor reset)."""
    loud, quiet = voice_activity > 0.6, voice_activity < 0.4
    hops = np.arange(voice_activity.shape[1])
    counted = np.cumsum(quiet, axis=1)  # quiet hops up to and including each hop
    before = counted - quiet  # ... up to the hop before
    last_loud = np.maximum.accumulate(np.where(loud, hops, -1), axis=1)
    previous_loud = np.concatenate([np.full((len(loud), 1), -1), last_loud[:, :-1]], axis=1)
    carried = np.array([[g._quiet_hops] for g in generators])
    rows = np.arange(len(loud))
    at_loud = counted[rows[:, None], np.maximum(previous_loud, 0)]
    quiet_before = np.where(previous_loud >= 0, before - at_loud, carried + before)
    if voice_activity.shape[1]:
        at_end = counted[rows, np.maximum(last_loud[:, -1], 0)]
        ends = np.where(last_loud[:, -1] >= 0, counted[:, -1] - at_end, carried[:, 0] + counted[:, -1])
        for generator, hops_quiet in zip(generators, ends.tolist(), strict=True):
            generator._quiet_hops = hops_quiet
    return loud & (quiet_before >= ONSET_SILENCE_HOPS)


def _emphasis(generators: list[ProceduralDynamics], envelope: np.ndarray, accents: np.ndarray) -> np.ndarray:
    """(S, n): rises when the voice gets louder than its recent level, and on pitch accents."""
    def filtered(name: str, rows: np.ndarray) -> np.ndarray:
        block = np.ascontiguousarray(rows.T[:, :, None])  # (n, S, 1)
        return StreamingIir.push_many([getattr(g, name) for g in generators], block)[:, :, 0].T

    rise = np.clip(filtered("_fast", envelope) - filtered("_slow", envelope), 0.0, None)
    loudening = filtered("_smooth_emphasis", EMPHASIS_GAIN * rise)
    accent = filtered("_accent_bump", accents) * ACCENT_EMPHASIS
    return np.clip(loudening + accent, 0.0, MAX_EMPHASIS)
