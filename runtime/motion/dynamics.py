"""The dynamics generator: head motion, blinks, gaze and expression emphasis from the voice and
its prosody, seeded. Procedural: its interface admits a learned sequence model later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.audio.constants import HOP_S
from runtime.motion.blinks import Blinks
from runtime.motion.controls import ControlRows
from runtime.motion.head_motion import HeadMotion
from runtime.motion.saccades import Saccades
from runtime.numerics import bump_filter, one_pole

QUIET_DB = -60.0  # loudness 0 at or below this level (dBFS)
LOUD_DB = -15.0  # loudness 1 at or above
EMPHASIS_GAIN = 0.6  # emphasis per unit of loudness rise over its recent level
ACCENT_EMPHASIS = 0.35  # emphasis a full pitch accent adds
MAX_EMPHASIS = 0.4
ACCENT_BUMP_S = 0.15  # brows peak 150 ms after an accent and fall back within about a second
ONSET_SILENCE_S = 0.3  # a speech onset needs this much quiet before it


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
    version = "2"

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
        self._quiet_s = np.inf  # time the voice has been quiet, for onsets

    def push(self, voice_activity: np.ndarray, energy_db: np.ndarray, prosody: ProsodyCues,
             controls: ControlRows, blink_rate_factor: np.ndarray | None = None) -> DynamicsRows:
        """blink_rate_factor (n,): multiplies the blink rate (a listener's; default 1)."""
        loudness = np.clip((energy_db - QUIET_DB) / (LOUD_DB - QUIET_DB), 0.0, 1.0)
        envelope = (voice_activity * loudness).astype(np.float32)
        return DynamicsRows(
            head=self._head.push(envelope, prosody.pitch_accent, prosody.phrase_end, controls.slow_share),
            blinks=self._blinks.push(voice_activity, blink_rate_factor),
            gaze_offset=self._saccades.push(self._speech_onsets(voice_activity)),
            emphasis=self._emphasis(envelope, prosody.pitch_accent),
        )

    def _speech_onsets(self, voice_activity: np.ndarray) -> np.ndarray:
        onsets = np.zeros(len(voice_activity), bool)
        for i, voice in enumerate(voice_activity.tolist()):
            if voice > 0.6:
                onsets[i] = self._quiet_s >= ONSET_SILENCE_S
                self._quiet_s = 0.0
            elif voice < 0.4:
                self._quiet_s += HOP_S
        return onsets

    def _emphasis(self, envelope: np.ndarray, accents: np.ndarray) -> np.ndarray:
        """Rises when the voice gets louder than its recent level, and on pitch accents."""
        column = envelope[:, None]
        rise = np.clip(self._fast.push(column) - self._slow.push(column), 0.0, None)[:, 0]
        loudening = self._smooth_emphasis.push(EMPHASIS_GAIN * rise[:, None])[:, 0]
        accent = self._accent_bump.push(accents[:, None])[:, 0] * ACCENT_EMPHASIS
        return np.clip(loudening + accent, 0.0, MAX_EMPHASIS)
