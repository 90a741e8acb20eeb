"""The MotionEngine: one pass advances every given session's Animator together.

A live session brings a frame's worth of audio (a few hops) at a time, and the work per hop is
small: run alone, a session pays Python's per-call cost on every little numpy call, dozens per
push. The engine gathers the hops that are ready across sessions and runs each stage once for all
of them:

    every session's windows (one buffer each, runtime.audio.hop_windows)
        ─▶ one FFT + one mel product (features) ─┬▶ per session: prosody trackers
        └▶ one YIN pass (pitch) ──────────────────┘
    sessions with the same hop count ─▶ voice activity, hop by hop with the sessions side by side
        ─▶ one pass of the mouth network ─▶ one pass of the dynamics ─▶ one compose
        ─▶ each session's track and frames

Voice activity: for a mouth that detects speech itself (`MouthModel.detects_speech`, the learned
mouth from version 2) the session's state machine runs on the mouth's speech probability, after the
mouth; for the others it runs on frame energy before the mouth, which gets its probability.

What is still paid per session per pass is bookkeeping: its windows, its trackers' Python steps,
gathering its state into the group's arrays and handing it back, its frames. The FFTs and the
mouth's products, which no batching makes cheaper here, are about 40 % of a pass at 64 sessions.

Every product runs in fixed-shape blocks and every filter channel by channel, and each session
draws from its own generators, so a session's frames are bit-identical whether it ran alone or
with 127 others (tests/test_engine.py pins it). The engine holds no session state: the Animators
do, so sessions join and leave between passes by simply being passed or not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from typing import TypeVar

import numpy as np

from runtime.arkit import NUM_BLENDSHAPES
from runtime.audio.constants import HOP_LENGTH, HOP_S
from runtime.audio.features import FeatureBlock, StreamingLogMel
from runtime.audio.prosody import ProsodyBlock, StreamingProsody
from runtime.audio.voice_activity import StreamingVoiceActivity, VoiceActivityBlock
from runtime.motion.adaptive_mouth import AdaptiveMouth
from runtime.motion.audio_to_mouth import LearnedMouth
from runtime.motion.composer import RestRows, compose
from runtime.motion.controls import CONTROL_WIDTH, ControlRows, control_rows
from runtime.motion.dynamics import DynamicsRows, ProceduralDynamics, ProsodyCues
from runtime.motion.listening import ListeningRows, quiet_listening
from runtime.motion.mouth_protocol import MouthRows
from runtime.motion.track import ROW_WIDTH
from runtime.motion.turn_blend import blend_turns, listening_blink_factor
from runtime.motion.turns import TurnRows
from runtime.numerics import stacked
from runtime.pipeline import Animator, AnimatorOptions
from runtime.types import SessionEvent

T = TypeVar("T")

MAX_PASS_HOPS = 50  # hops of one session per pass: a bake-sized upload cannot stall the others long


@dataclass(frozen=True, eq=False)
class _Analysis:
    """One session's share of a pass, before the motion models."""

    animator: Animator
    features: FeatureBlock
    prosody: ProsodyBlock


class MotionEngine:
    """Advances Animators in batched passes. One per process (or per device) is enough."""

    def open(self, options: AnimatorOptions | None = None) -> Animator:
        """A new session's Animator, advanced by this engine."""
        return Animator(options if options is not None else AnimatorOptions(), self)

    def advance(self, animators: list[Animator]) -> None:
        """One pass over every animator with work (`Animator.has_work`); each one's frames and
        events wait in it for `take_outputs`. Animators without work are skipped."""
        ready = [animator for animator in animators if animator.has_work]
        if not ready:
            return
        windows = [animator.windows.take(animator.take_pending(MAX_PASS_HOPS * HOP_LENGTH)) for animator in ready]
        counts = [len(own) for own in windows]
        windows = np.concatenate(windows) if len(windows) > 1 else windows[0]
        features = StreamingLogMel.analyse_many([a.features for a in ready], windows, counts)
        prosody = StreamingProsody.analyse_many([a.prosody for a in ready], windows, counts)
        analyses = [_Analysis(*parts) for parts in zip(ready, features, prosody, strict=True)]
        rows: dict[_Analysis, _SessionRows] = {}
        for group in _same_shape_groups(analyses):
            rows.update(_motion_rows(group))
        for analysis in analyses:
            session_rows, events, voice = rows[analysis]
            analysis.animator.accept(voice, session_rows, events)


def _same_shape_groups(analyses: list[_Analysis]) -> list[list[_Analysis]]:
    """Sessions that can share the motion pass: the same hop count and the same mouth model."""
    groups: dict[tuple, list[_Analysis]] = defaultdict(list)
    for analysis in analyses:
        mouth = analysis.animator.mouth
        groups[len(analysis.features), type(mouth), _batch_key(mouth)].append(analysis)
    return list(groups.values())


def _batch_key(mouth) -> object:
    """What sessions of one mouth type must share to go through it in one pass (the models with a
    batched pass say: their networks); the others go session by session."""
    return getattr(mouth, "batch_key", id(mouth))


_SessionRows = tuple[np.ndarray, tuple[SessionEvent, ...], VoiceActivityBlock]  # rows, turn events, voice activity
# A pass that completed no hop (a chunk shorter than a hop): nothing for any session, whatever its
# detector (no hop advances a state machine). Empty arrays, so every such session can share it.
_NO_HOPS: _SessionRows = (np.zeros((0, ROW_WIDTH), np.float32), (),
                          VoiceActivityBlock(np.zeros(0, np.float32), (), (), np.zeros(0, bool)))


def _motion_rows(group: list[_Analysis]) -> dict[_Analysis, _SessionRows]:
    """Mouth, dynamics and composition of sessions with the same hop count, one pass each: every
    session's rows from its stream's first hop on, its turn events and its voice activity, by its analysis."""
    count = len(group[0].features)
    animators = [analysis.animator for analysis in group]
    if count == 0:
        return dict.fromkeys(group, _NO_HOPS)
    energy = stacked([analysis.features.energy_db for analysis in group])
    mouth, voices, voice = _mouth_and_voice(group, energy)
    first_hops = np.array([a.first_motion_hop(analysis.features) for a, analysis in zip(animators, group, strict=True)])
    hops = first_hops[:, None] + np.arange(count)  # (S, n) the hops these rows are of
    controls = _control_rows(animators, hops)
    cues = ProsodyCues(stacked([a.prosody.pitch_accent for a in group]),
                       stacked([a.prosody.phrase_end for a in group]))
    turns = _turns(group, controls, voices)
    blink_rate = None if not turns else np.stack([
        listening_blink_factor(*turns[i]) if i in turns else np.ones(count, np.float32) for i in range(len(group))])
    dynamics = ProceduralDynamics.push_many([a.dynamics for a in animators], voice, energy, cues, controls.slow_share,
                                            blink_rate)
    if turns:
        mouth, dynamics = _blended(mouth, dynamics, turns)
    rest = RestRows.repeated([animator.rest_rows for animator in animators], count)
    rows = compose(_flat(mouth), _flat(dynamics), _flat(controls), rest).reshape(len(group), count, ROW_WIDTH)
    before_stream = np.maximum(-first_hops, 0).tolist()  # hops are consecutive: the rows before the stream lead
    return {analysis: (session_rows[skip:], _turn_events(analysis.animator, turns.get(i)), voices[i])
            for i, (analysis, session_rows, skip) in enumerate(zip(group, rows, before_stream, strict=True))}


def _control_rows(animators: list[Animator], hops: np.ndarray) -> ControlRows:
    """(S, n, ...) controls at the hops' times: settled sessions (the usual case) give their vector
    for every hop, the others their timeline's values."""
    times = hops * HOP_S
    values = np.empty((*hops.shape, CONTROL_WIDTH), np.float32)
    settled = [animator.controls.settled_from(float(row[0])) for animator, row in zip(animators, times, strict=True)]
    if all(vector is not None for vector in settled):
        values[:] = stacked(settled)[:, None]
    else:
        for index, (animator, vector) in enumerate(zip(animators, settled, strict=True)):
            values[index] = vector if vector is not None else animator.controls.sample_values(times[index])
    return control_rows(values)


def _mouth_and_voice(group: list[_Analysis], energy_db: np.ndarray
                     ) -> tuple[MouthRows, list[VoiceActivityBlock], np.ndarray]:
    """The group's mouth rows, each session's voice activity and their (S, n) speech probabilities:
    from frame energy, given to the mouth; or, for a mouth that detects speech, from the mouth's
    rows (so the two agree)."""
    detectors = [analysis.animator.voice for analysis in group]
    if group[0].animator.mouth.detects_speech:  # a group shares one mouth type and network
        unused = np.zeros((len(group), len(group[0].features)), np.float32)  # not listened to
        mouth = _mouth_rows(group, unused, energy_db)
        voice = mouth.voice_activity
    else:
        voice = StreamingVoiceActivity.probabilities_many(detectors, energy_db)
        mouth = _mouth_rows(group, voice, energy_db)
    return mouth, StreamingVoiceActivity.decide_many(detectors, voice), voice


def _turn_events(animator: Animator, turn: tuple[ListeningRows, TurnRows] | None) -> tuple[SessionEvent, ...]:
    """State changes are a conversation's events; an interrupted monologue reports only the interrupt."""
    if turn is None or animator.conversation is None:
        return ()
    return turn[1].events


def _turns(group: list[_Analysis], controls: ControlRows, voices: list[VoiceActivityBlock]
           ) -> dict[int, tuple[ListeningRows, TurnRows]]:
    """Listening rows and turns of the sessions that have them (conversations, interrupted
    monologues), by their index in the group: a per-hop state machine each, session by session."""
    turns = {}
    for index, analysis in enumerate(group):
        animator = analysis.animator
        if animator.turns is None:
            continue
        own_speaking = voices[index].speaking
        if animator.conversation is not None:
            session_controls = ControlRows(*(getattr(controls, f.name)[index] for f in fields(ControlRows)))
            turns[index] = animator.conversation.rows(len(own_speaking), session_controls, own_speaking)
        else:  # an interrupted monologue: nobody to listen to, only the mouth gate
            quiet = quiet_listening(len(own_speaking))
            turns[index] = (quiet, animator.turns.push(own_speaking, np.zeros(len(own_speaking), bool)))
    return turns


def _blended(mouth: MouthRows, dynamics: DynamicsRows, turns: dict[int, tuple[ListeningRows, TurnRows]]
             ) -> tuple[MouthRows, DynamicsRows]:
    """The group's (S, n, ...) mouth and dynamics with each turn-taking session's blend applied."""
    sessions, count = mouth.visemes.shape[:2]
    visemes, shapes = mouth.visemes.copy(), mouth.blendshapes.copy()
    head, gaze, emphasis = dynamics.head.copy(), dynamics.gaze_offset.copy(), dynamics.emphasis.copy()
    expression = np.zeros((sessions, count, NUM_BLENDSHAPES), np.float32)
    for index, (listening, turn) in turns.items():
        own_mouth = MouthRows(visemes[index], shapes[index], mouth.voice_activity[index])
        own_dynamics = DynamicsRows(head[index], dynamics.blinks[index], gaze[index], emphasis[index])
        blended_mouth, blended = blend_turns(own_mouth, own_dynamics, listening, turn)
        visemes[index], shapes[index] = blended_mouth.visemes, blended_mouth.blendshapes
        head[index], gaze[index], emphasis[index] = blended.head, blended.gaze_offset, blended.emphasis
        expression[index] = blended.expression
    return (MouthRows(visemes, shapes, mouth.voice_activity),
            DynamicsRows(head, dynamics.blinks, gaze, emphasis, expression))


def _mouth_rows(group: list[_Analysis], voice: np.ndarray, energy_db: np.ndarray) -> MouthRows:
    """(S, n, ...) mouth rows: the learned networks in one pass each; other models session by session."""
    mouths = [analysis.animator.mouth for analysis in group]
    if isinstance(mouths[0], LearnedMouth):
        return LearnedMouth.push_many(mouths, stacked([a.features.log_mel for a in group]), voice)
    if isinstance(mouths[0], AdaptiveMouth):
        return AdaptiveMouth.push_many(mouths, stacked([a.features.log_mel for a in group]), energy_db)
    return _stacked(MouthRows, [mouth.push(a.features, v) for mouth, a, v in zip(mouths, group, voice, strict=True)])


def _stacked(kind: type[T], items: list[T]) -> T:
    """A dataclass of arrays from S of them: each field stacked on a new first (session) axis."""
    return kind(*(stacked([getattr(item, f.name) for item in items]) for f in fields(kind)))


def _flat(rows: T) -> T:
    """A dataclass of (S, n, ...) arrays as (S·n, ...) rows, session after session."""
    return type(rows)(*(_merge_leading(getattr(rows, f.name)) for f in fields(rows)))


def _merge_leading(array: np.ndarray | None) -> np.ndarray | None:
    if array is None:  # an optional field left out
        return None
    return array.reshape(array.shape[0] * array.shape[1], *array.shape[2:])
