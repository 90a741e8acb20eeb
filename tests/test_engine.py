"""The MotionEngine: a session's frames are bit-identical whether it ran alone or batched with 127
others, across chunkings, seeds, sample rates, frame rates, controls and mouth models; sessions join
and leave between passes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from runtime.audio.pcm import AudioEncoding, AudioFormat
from runtime.engine import MotionEngine
from runtime.numerics import ROW_BLOCK, as_product_matrix, row_block_matmul
from runtime.pipeline import Animator, AnimatorOptions
from runtime.types import ControlPatch, Controls, Emotion, MotionFrame
from tests.speech import long_speech

RATES = (16_000, 22_050, 48_000)
MOUTHS = ("learned", "learned-adaptive", "learned-in-noise")  # and every ninth session the baseline
CHUNKS_S = (0.01, 0.02, 0.033, 0.1, 0.4)


@dataclass(frozen=True)
class Plan:
    """One session: its options, its audio, how it is cut, and a control change at some chunk."""

    options: AnimatorOptions
    samples: np.ndarray
    chunk: int  # samples per push
    change_at: int  # chunk index of the control change
    start_pass: int  # the pass at which the session joins (it leaves when its audio ends)


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return long_speech(12.0).samples  # 16 kHz


def _resampled(samples: np.ndarray, rate: int) -> np.ndarray:
    """Speech at another rate (plain interpolation: the test needs different inputs, not fidelity)."""
    if rate == 16_000:
        return samples
    times = np.arange(round(len(samples) * rate / 16_000)) / rate
    return np.interp(times, np.arange(len(samples)) / 16_000, samples).astype(np.float32)


def _plans(speech: np.ndarray, count: int) -> list[Plan]:
    rng = np.random.default_rng(7)
    plans = []
    for index in range(count):
        rate = RATES[index % len(RATES)]
        start = int(rng.integers(0, len(speech) - 32_000))
        length = int(rng.integers(8_000, 24_000))  # 0.5 to 1.5 s
        controls = Controls(emotion=list(Emotion)[index % len(Emotion)], emotion_intensity=0.7,
                            gaze_yaw_deg=float(rng.uniform(-10, 10)))
        options = AnimatorOptions(fps=(25, 30, 60, 24)[index % 4], seed=int(rng.integers(0, 2**63)),
                                  audio_format=AudioFormat(AudioEncoding.FLOAT32LE, rate), controls=controls,
                                  mouth_model="baseline" if index % 9 == 0 else MOUTHS[index % len(MOUTHS)])
        samples = _resampled(speech[start:start + length], rate)
        chunk = max(1, int(CHUNKS_S[index % len(CHUNKS_S)] * rate))
        plans.append(Plan(options, samples, chunk, int(rng.integers(0, 6)), int(rng.integers(0, 8))))
    return plans


def _chunks(plan: Plan) -> list[np.ndarray]:
    return [plan.samples[start:start + plan.chunk] for start in range(0, len(plan.samples), plan.chunk)]


def _change(animator: Animator) -> None:
    animator.update_controls(ControlPatch(motion_intensity=1.6, head_distance=0.8), 0.2)


def _alone(plan: Plan) -> list:
    animator = Animator(plan.options, MotionEngine())
    outputs = []
    for index, chunk in enumerate(_chunks(plan)):
        if index == plan.change_at:
            _change(animator)
        outputs += animator.push_samples(chunk)
    return outputs + animator.end_audio()


def _batched(plans: list[Plan]) -> list[list]:
    """All sessions through one engine: each pass, every live session queues its next chunk (or
    its end), and one advance runs them all. Sessions join at their start pass."""
    engine = MotionEngine()
    animators = [engine.open(plan.options) for plan in plans]
    chunks = [_chunks(plan) for plan in plans]
    outputs: list[list] = [[] for _ in plans]
    next_chunk = [0] * len(plans)
    for step in range(max(plan.start_pass + len(c) + 1 for plan, c in zip(plans, chunks, strict=True))):
        live = []
        for index, plan in enumerate(plans):
            if step < plan.start_pass or animators[index].ended:
                continue
            position = next_chunk[index]
            if position == len(chunks[index]):
                animators[index].queue_end()
            else:
                if position == plan.change_at:
                    _change(animators[index])
                animators[index].queue_samples(chunks[index][position])
                next_chunk[index] += 1
            live.append(animators[index])
        while any(animator.has_work for animator in live):
            engine.advance(live)
        for index, animator in enumerate(animators):
            outputs[index] += animator.take_outputs()
    return outputs


def _same(alone: list, batched: list) -> bool:
    if len(alone) != len(batched):
        return False
    for a, b in zip(alone, batched, strict=True):
        if type(a) is not type(b):
            return False
        if isinstance(a, MotionFrame):
            if not (a.index == b.index and a.head_pose == b.head_pose and a.gaze == b.gaze
                    and np.array_equal(a.blendshapes, b.blendshapes) and np.array_equal(a.visemes, b.visemes)
                    and a.voice_activity == b.voice_activity):
                return False
        elif a != b:
            return False
    return True


def test_a_session_batched_with_127_others_gets_exactly_its_frames_alone(speech):
    plans = _plans(speech, 128)
    batched = _batched(plans)
    checked = range(0, 128, 5)  # every fifth session run alone as well: all rates, chunkings, models
    for index in checked:
        alone = _alone(plans[index])
        assert len([o for o in alone if isinstance(o, MotionFrame)]) > 10
        assert _same(alone, batched[index]), f"session {index} differs batched ({plans[index].options})"


def test_sessions_in_one_pass_do_not_share_state(speech):
    """Two sessions with the same seed and audio, batched together, equal each other and a third
    run alone; a different seed in the same pass differs."""
    plan = _plans(speech, 1)[0]
    other_seed = Plan(AnimatorOptions(seed=plan.options.seed + 1, audio_format=plan.options.audio_format,
                                      controls=plan.options.controls, fps=plan.options.fps), plan.samples,
                      plan.chunk, plan.change_at, 0)
    twin = Plan(plan.options, plan.samples, plan.chunk, plan.change_at, 0)
    first, second, third = _batched([Plan(plan.options, plan.samples, plan.chunk, plan.change_at, 0), twin,
                                     other_seed])
    assert _same(first, second) and _same(first, _alone(plan))
    assert not _same(first, third)


@pytest.mark.parametrize("shape", [(257, 80), (240, 96), (288, 96), (96, 31)])
def test_a_row_block_product_gives_each_row_the_same_bits_in_any_batch(shape):
    """The premise of batching: BLAS run on a stack of fixed-shape blocks does not round a row
    differently by its position or its neighbours, for every product shape the engine runs (mel
    filterbank, first and residual convolutions, head)."""
    rng = np.random.default_rng(shape[0])
    matrix = as_product_matrix(rng.standard_normal(shape))
    row = rng.standard_normal(shape[0]).astype(np.float32)
    alone = row_block_matmul(row[None], matrix)[0]
    for count in (2, ROW_BLOCK - 1, ROW_BLOCK, ROW_BLOCK + 3, 77, 300):
        rows = rng.standard_normal((count, shape[0])).astype(np.float32)
        for position in {0, count // 2, count - 1, int(rng.integers(count))}:
            placed = rows.copy()
            placed[position] = row
            assert np.array_equal(row_block_matmul(placed, matrix)[position], alone), (count, position)


def _conversation_outputs(options: AnimatorOptions, own: np.ndarray, other: np.ndarray, chunk: int,
                          interrupt_at: int | None, engine: MotionEngine, others: list[Animator]) -> list:
    """One conversation session pushed chunk by chunk; each push also advances `others` (sessions
    sharing the engine) in the same passes."""
    animator = engine.open(options)
    outputs = []
    for start in range(0, len(own), chunk):
        animator.queue_listen(other[start:start + chunk])
        animator.queue_samples(own[start:start + chunk])
        if interrupt_at is not None and start <= interrupt_at < start + chunk:
            animator.interrupt(interrupt_at / 16_000)
        for other_animator in others:
            if not other_animator.ended:
                other_animator.queue_samples(own[start:start + chunk][::-1].copy())
        while animator.has_work or any(a.has_work for a in others):
            engine.advance([animator, *others])
        outputs += animator.take_outputs()
    animator.queue_end()
    while animator.has_work:
        engine.advance([animator, *others])
    return outputs + animator.take_outputs()


def test_a_conversation_and_its_interrupt_come_out_the_same_batched_or_alone(speech):
    own, other = speech[:3 * 16_000], speech[4 * 16_000:7 * 16_000]
    options = AnimatorOptions(seed=5, audio_format=AudioFormat(AudioEncoding.FLOAT32LE, 16_000), conversation=True)
    alone = _conversation_outputs(options, own, other, 320, 16_000, MotionEngine(), [])
    engine = MotionEngine()
    crowd = [engine.open(AnimatorOptions(seed=seed, audio_format=options.audio_format)) for seed in range(12)]
    batched = _conversation_outputs(options, own, other, 320, 16_000, engine, crowd)
    assert len([o for o in alone if isinstance(o, MotionFrame)]) == 75
    assert _same(alone, batched)


@pytest.fixture
def speech_detecting_mouth(monkeypatch) -> Path:
    """Sessions asking for "learned" get "learned-in-noise", whose head detects speech."""
    from runtime.motion.audio_to_mouth import IN_NOISE_WEIGHTS, LearnedMouthInNoise
    from runtime.motion.mouth_models import MOUTH_MODELS

    monkeypatch.setitem(MOUTH_MODELS, "learned", LearnedMouthInNoise)
    return IN_NOISE_WEIGHTS


def test_a_mouth_that_detects_speech_batches_bit_identically(speech, speech_detecting_mouth):
    plans = _plans(speech, 24)
    batched = _batched(plans)
    for index in range(0, 24, 4):
        alone = _alone(plans[index])
        assert _same(alone, batched[index]), f"session {index} differs batched ({plans[index].options})"


def test_speech_events_are_the_learned_mouths_own(speech, speech_detecting_mouth):
    """The model and the voice activity agree: with a mouth that detects speech, a session's speech
    events are the state machine's over that mouth's speech probability (its rows, read late), not
    the energy detector's."""
    from runtime.audio.constants import HOP_LENGTH, WINDOW_LENGTH
    from runtime.audio.features import StreamingLogMel
    from runtime.audio.voice_activity import StreamingVoiceActivity
    from runtime.motion.audio_to_mouth import LearnedMouth
    from runtime.pipeline import run_clip
    from runtime.types import EventKind, SessionEvent

    samples = np.concatenate([np.zeros(8_000), speech[:64_000], np.zeros(24_000)]).astype(np.float32)
    animator = MotionEngine().open(AnimatorOptions(audio_format=AudioFormat(AudioEncoding.FLOAT32LE, 16_000)))
    kinds = (EventKind.SPEECH_START, EventKind.SPEECH_END)
    events = [(o.kind, o.time_s) for o in run_clip(animator, samples, 0.13)
              if isinstance(o, SessionEvent) and o.kind in kinds]

    mouth = LearnedMouth(speech_detecting_mouth)
    padded = np.concatenate([samples, np.zeros((mouth.lookahead_hops + 3) * HOP_LENGTH + WINDOW_LENGTH, np.float32)])
    features = StreamingLogMel().push(padded)
    probability = mouth.push(features, np.zeros(len(features), np.float32)).voice_activity
    voice = StreamingVoiceActivity(first_hop=-mouth.lookahead_hops).decide(probability)
    expected = sorted([(EventKind.SPEECH_START, t) for t in voice.speech_starts_s]
                      + [(EventKind.SPEECH_END, t) for t in voice.speech_ends_s], key=lambda e: e[1])
    if voice.speaking[-1]:
        expected.append((EventKind.SPEECH_END, len(samples) / 16_000))
    assert expected and events == expected
    assert expected[0] == (EventKind.SPEECH_START, pytest.approx(0.5, abs=0.15))  # speech begins at 0.5 s
