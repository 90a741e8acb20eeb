"""Turn-taking (runtime.motion.turns): states and their events, eased weights with no pops, and a
barge-in that shuts the mouth within 100 ms of audio time."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import soxr

from benchmarks.listening import ROWS_PER_S, conversation_rows
from runtime.arkit import Blendshape
from runtime.audio.constants import HOP_S, SAMPLE_RATE
from runtime.motion.track import BLENDSHAPES, GAZE, HEAD
from runtime.motion.turns import LISTEN_HOLD_S, MOUTH_CLOSE_S, TRANSITION_S, TurnState, TurnTaking, interrupt_time
from runtime.types import POSE_ROTATION, EventKind
from tests.speech import concatenate, silence, speech_clip

FPS = 25


def _run(own: np.ndarray, other: np.ndarray, splits: tuple[int, ...] = (), interrupt_at_s: float | None = None):
    turns = TurnTaking()
    if interrupt_at_s is not None:
        turns.interrupt(interrupt_at_s)
    bounds = [0, *splits, len(own)]
    pieces = [turns.push(own[a:b], other[a:b]) for a, b in itertools.pairwise(bounds)]
    states = [state for piece in pieces for state in piece.states]
    weights = np.concatenate([p.listening_weight for p in pieces])
    gates = np.concatenate([p.mouth_gate for p in pieces])
    return states, weights, gates, [event for piece in pieces for event in piece.events]


def _flags(hops: int, *spans: tuple[int, int]) -> np.ndarray:
    flags = np.zeros(hops, bool)
    for start, stop in spans:
        flags[start:stop] = True
    return flags


def test_states_follow_the_voices_with_an_event_at_each_change():
    own, other = _flags(1000, (100, 300)), _flags(1000, (400, 600))
    states, _, _, events = _run(own, other)
    assert states[50] is TurnState.IDLE and states[200] is TurnState.SPEAKING and states[500] is TurnState.LISTENING
    hold_end = 600 + round(LISTEN_HOLD_S / HOP_S)
    assert states[hold_end - 2] is TurnState.LISTENING and states[hold_end + 2] is TurnState.IDLE
    kinds = [(event.kind, round(event.time_s / HOP_S)) for event in events]
    assert kinds == [(EventKind.STATE_SPEAKING, 100), (EventKind.STATE_IDLE, 300), (EventKind.STATE_LISTENING, 400),
                     (EventKind.STATE_IDLE, hold_end)]


def test_chunking_does_not_change_states_weights_or_events():
    own, other = _flags(900, (100, 300), (500, 520)), _flags(900, (250, 600))
    whole = _run(own, other, interrupt_at_s=2.0)
    split = _run(own, other, splits=(1, 99, 100, 101, 333, 501), interrupt_at_s=2.0)
    assert whole[0] == split[0] and whole[3] == split[3]
    np.testing.assert_array_equal(whole[1], split[1])
    np.testing.assert_array_equal(whole[2], split[2])


def test_weights_ease_without_steps_even_when_a_change_reverses_midway():
    own, other = _flags(800, (100, 300), (315, 400)), _flags(800, (290, 700))  # a turn back after 150 ms
    _, weight, _, _ = _run(own, other)
    assert weight[:100].max() == 0.0 and weight[310] > 0.0
    cosine_slope = math.pi / 2 * HOP_S / TRANSITION_S  # the steepest step a cosine ease takes
    assert np.abs(np.diff(weight)).max() <= cosine_slope + 1e-6


def test_an_interrupt_shuts_the_mouth_and_the_own_voice_counts_again_only_after_a_pause():
    own, other = _flags(600, (50, 200), (260, 400)), _flags(600, (90, 600))
    states, _, gate, events = _run(own, other, interrupt_at_s=1.0)
    assert gate[99] == 1.0 and gate[100 + round(MOUTH_CLOSE_S / HOP_S) - 1:200].max() == 0.0
    assert np.abs(np.diff(gate[:250])).max() <= math.pi / 2 * HOP_S / MOUTH_CLOSE_S + 1e-6  # eased shut
    assert states[150] is TurnState.LISTENING  # the own voice goes on, but it was cut off
    assert states[300] is TurnState.SPEAKING and gate[300] == 1.0  # the next line
    assert (EventKind.STATE_LISTENING, 1.0) in [(e.kind, round(e.time_s, 2)) for e in events]


def test_interrupt_time_is_clamped_to_audio_not_yet_animated_and_already_sent():
    assert interrupt_time(None, own_reached_s=5.0, listen_reached_s=1.2) == 1.2
    assert interrupt_time(0.5, own_reached_s=5.0, listen_reached_s=1.2) == 1.2  # may be animated already
    assert interrupt_time(3.0, own_reached_s=5.0, listen_reached_s=1.2) == 3.0
    assert interrupt_time(9.0, own_reached_s=5.0, listen_reached_s=1.2) == 5.0  # nothing sent after 5 s
    assert interrupt_time(None, own_reached_s=0.8, listen_reached_s=1.2) == 0.8
    assert interrupt_time(None, own_reached_s=2.0, listen_reached_s=None) == 2.0  # no conversation


@pytest.fixture(scope="module")
def voices() -> tuple[np.ndarray, np.ndarray]:
    """The face's line from 0.2 s, and the player's voice barging in at 0.9 s (eSpeak NG), 16 kHz."""
    own = concatenate(silence(0.2), speech_clip("Well, let me tell you about the old lighthouse on the hill."),
                      silence(2.0))
    other = concatenate(silence(0.9), speech_clip("Wait, wait, I have a question for you.", voice="en-gb"),
                        silence(3.0))
    own16, other16 = (soxr.resample(c.samples, c.sample_rate, SAMPLE_RATE).astype(np.float32) for c in (own, other))
    length = min(len(own16), len(other16))
    return own16[:length], other16[:length]


def test_barge_in_shuts_the_mouth_by_1_1_s_with_no_head_jump(voices):
    own, other = voices
    frames = conversation_rows(own, other, seed=0, interrupt_at_s=1.0)[::ROWS_PER_S // FPS]
    times = np.arange(len(frames)) / FPS
    jaw = frames[:, BLENDSHAPES][:, Blendshape.JAW_OPEN]
    assert jaw[(times > 0.4) & (times < 1.0)].max() > 0.15  # it was talking
    assert jaw[times >= 1.1].max() < 0.05
    head_steps = np.abs(np.diff(frames[:, HEAD][:, POSE_ROTATION], axis=0))
    assert head_steps.max() < 2.0


def test_listening_to_speaking_and_back_moves_head_and_gaze_smoothly(voices):
    """The other talks first, then the face answers: no jump bigger than the motion's own steps."""
    own, other = voices
    answer = np.concatenate([np.zeros(round(3.0 * SAMPLE_RATE), np.float32), own])
    heard = np.concatenate([other[round(0.9 * SAMPLE_RATE):], np.zeros(len(answer), np.float32)])[:len(answer)]
    frames = conversation_rows(answer, heard, seed=2)[::ROWS_PER_S // FPS]
    head_steps = np.abs(np.diff(frames[:, HEAD][:, POSE_ROTATION], axis=0))
    assert head_steps.max() < 2.0
    jaw = frames[:, BLENDSHAPES][:, Blendshape.JAW_OPEN]
    assert np.abs(np.diff(jaw)).max() < 0.35 and jaw.max() > 0.15  # it speaks, and its mouth does not snap
    gaze_steps = np.abs(np.diff(frames[:, GAZE][:, :2], axis=0)).max(axis=1)
    assert np.quantile(gaze_steps, 0.99) < 3.0  # saccades are quick, but the turn adds no jump
