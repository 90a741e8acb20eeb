"""The controls of a session over time: values that change smoothly from one setting to the next.

A change takes effect at an audio-clock time and moves every control from its value at that
moment to the new one over `transition_s`, with a cosine ease (no velocity jumps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.arkit import NUM_BLENDSHAPES
from runtime.motion.emotions import emotion_offset, emotion_style, listening_smile
from runtime.numerics import smoothstep
from runtime.types import Controls

DEFAULT_TRANSITION_S = 0.3
MAX_TRANSITION_S = 10.0
# The control vector: gaze yaw, gaze pitch, head distance, motion intensity, the emotion style's
# head pitch, motion scale and slow share, the listening controls (attentiveness, nod rate) and the
# emotion's listening smile; then the 52 emotion blendshape offsets.
_SCALARS = 10
CONTROL_WIDTH = _SCALARS + NUM_BLENDSHAPES


@dataclass(frozen=True)
class ControlRows:
    """Control values at a run of hop times."""

    gaze: np.ndarray  # (n, 2) target yaw, pitch (deg)
    head_distance: np.ndarray  # (n,)
    motion_intensity: np.ndarray  # (n,)
    head_pitch_offset: np.ndarray  # (n,) degrees, from the emotion's style
    motion_scale: np.ndarray  # (n,) from the emotion's style
    slow_share: np.ndarray  # (n,) from the emotion's style
    emotion_offsets: np.ndarray  # (n, 52)
    attentiveness: np.ndarray  # (n,) 0..1, shapes listening (runtime.motion.listening)
    nod_rate: np.ndarray  # (n,) 0..2
    listening_smile: np.ndarray  # (n,) 0..1.5: how broad a listener's brief smiles are, from the emotion


def _as_vector(controls: Controls) -> np.ndarray:
    style = emotion_style(controls.emotion, controls.emotion_intensity)
    scalars = [controls.gaze_yaw_deg, controls.gaze_pitch_deg, controls.head_distance,
               controls.motion_intensity, style.head_pitch_deg, style.motion_scale, style.slow_share,
               controls.attentiveness, controls.nod_rate,
               listening_smile(controls.emotion, controls.emotion_intensity)]
    offsets = emotion_offset(controls.emotion, controls.emotion_intensity)
    return np.concatenate([np.array(scalars, np.float32), offsets])


def control_rows(values: np.ndarray) -> ControlRows:
    """ControlRows of (..., control vector) values: views of its columns."""
    return ControlRows(values[..., 0:2], values[..., 2], values[..., 3], values[..., 4], values[..., 5],
                       values[..., 6], values[..., _SCALARS:], values[..., 7], values[..., 8], values[..., 9])


@dataclass(frozen=True)
class _Transition:
    start_s: float
    duration_s: float
    before: np.ndarray  # control vector when the change began
    after: np.ndarray


class ControlTimeline:
    def __init__(self, initial: Controls) -> None:
        vector = _as_vector(initial)
        self.current = initial
        self._transitions = [_Transition(0.0, 0.0, vector, vector)]

    def change(self, controls: Controls, at_s: float, transition_s: float = DEFAULT_TRANSITION_S) -> None:
        """From `at_s` on, move to `controls` over `transition_s` seconds."""
        at_s = max(at_s, self._transitions[-1].start_s)  # changes never rewrite the past
        before = self._values(np.array([at_s]))[0]
        self._transitions.append(_Transition(at_s, transition_s, before, _as_vector(controls)))
        self.current = controls

    def sample(self, times_s: np.ndarray) -> ControlRows:
        return control_rows(self.sample_values(times_s))

    def sample_values(self, times_s: np.ndarray) -> np.ndarray:
        """(n, control vector) values at increasing times (the rows `control_rows` reads)."""
        values = self._values(times_s)
        self._forget_before(float(times_s[0]) if len(times_s) else 0.0)
        return values

    def settled_from(self, time_s: float) -> np.ndarray | None:
        """The control vector when every transition has ended by `time_s`, so that values from it
        on are all this vector (the usual case, with no array work), else None; `time_s` counts as
        sampled, as in `sample_values`."""
        last = self._transitions[-1]
        if time_s < last.start_s + last.duration_s:
            return None
        self._forget_before(time_s)
        return last.after

    def _values(self, times_s: np.ndarray) -> np.ndarray:
        last = self._transitions[-1]
        if len(times_s) and times_s[0] >= last.start_s + last.duration_s:  # the usual case: settled
            return np.broadcast_to(last.after, (len(times_s), len(last.after)))
        starts = np.array([t.start_s for t in self._transitions])
        which = np.searchsorted(starts, times_s, side="right") - 1
        values = np.empty((len(times_s), CONTROL_WIDTH), np.float32)
        for index in np.unique(which):
            rows = which == index
            transition = self._transitions[max(index, 0)]
            progress = (times_s[rows] - transition.start_s) / max(transition.duration_s, 1e-9)
            blend = smoothstep(progress)[:, None]
            values[rows] = transition.before + blend * (transition.after - transition.before)
        return values

    def _forget_before(self, time_s: float) -> None:
        """Drops transitions wholly in the past (times are sampled in increasing order)."""
        while len(self._transitions) > 1 and self._transitions[1].start_s <= time_s:
            self._transitions.pop(0)
