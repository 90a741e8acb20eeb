"""The offline API (runtime.offline) on its own: a baked clip is the streamed session, frame for
frame; its info is known up front; progress counts every frame; bad options name their field."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.audio.files import DecodedAudio
from runtime.audio.pcm import AudioEncoding, AudioFormat
from runtime.errors import InvalidConfigError
from runtime.offline import ClipOptions, animate_clip, bake_clip
from runtime.pipeline import Animator, AnimatorOptions
from runtime.types import Controls, Emotion, MotionFrame
from tests.speech import Clip

OPTIONS = ClipOptions(fps=30, seed=7, controls=Controls(emotion=Emotion.HAPPY, emotion_intensity=0.6), idle_s=0.7)


def _audio(clip: Clip) -> DecodedAudio:
    return DecodedAudio(clip.samples, clip.sample_rate)


def _streamed(clip: Clip, options: ClipOptions, chunk_s: float = 0.02) -> list[MotionFrame]:
    """What a live session makes of idle life then the clip, pushed in 20 ms chunks."""
    animator = Animator(AnimatorOptions(fps=options.fps, seed=options.seed, controls=options.controls,
                                        audio_format=AudioFormat(AudioEncoding.FLOAT32LE, clip.sample_rate)))
    outputs = animator.push_silence(options.idle_s)
    step = round(chunk_s * clip.sample_rate)
    for start in range(0, len(clip.samples), step):
        outputs += animator.push_samples(clip.samples[start:start + step])
    outputs += animator.end_audio()
    return [output for output in outputs if isinstance(output, MotionFrame)]


def test_a_baked_clip_is_the_streamed_session_frame_for_frame(speech):
    baked = bake_clip(_audio(speech), OPTIONS)
    streamed = _streamed(speech, OPTIONS)
    assert len(baked.frames) == len(streamed) > 0
    for ours, theirs in zip(baked.frames, streamed, strict=True):
        assert (ours.index, ours.time_s, ours.head_pose, ours.gaze) == (theirs.index, theirs.time_s, theirs.head_pose,
                                                                       theirs.gaze)
        assert np.array_equal(ours.blendshapes, theirs.blendshapes) and np.array_equal(ours.visemes, theirs.visemes)


def test_the_clip_info_is_known_before_the_first_frame(speech):
    frames, info = animate_clip(_audio(speech), OPTIONS)
    assert info.duration_s == pytest.approx(OPTIONS.idle_s + speech.duration_s, abs=1 / speech.sample_rate)
    assert (info.fps, info.seed) == (30, 7)
    assert {version.component for version in info.model_versions} == {"mouth", "dynamics"}
    made = list(frames)  # only now does the Animator run
    assert len(made) == info.frame_count == int(np.ceil(info.duration_s * 30 - 1e-9))
    assert made[-1].time_s < info.duration_s <= made[-1].time_s + 1 / 30


def test_progress_counts_every_frame_once_in_order(speech):
    told: list[tuple[int, int]] = []
    clip = bake_clip(_audio(speech), ClipOptions(), lambda done, total: told.append((done, total)))
    assert told == [(done, len(clip.frames)) for done in range(1, len(clip.frames) + 1)]


def test_a_clip_of_idle_life_needs_no_audio():
    clip = bake_clip(None, ClipOptions(idle_s=2.0))
    assert len(clip.frames) == 50 and clip.info.duration_s == 2.0
    assert max(frame.blendshapes[17] for frame in clip.frames) < 0.05  # jawOpen: the mouth stays closed
    with pytest.raises(InvalidConfigError, match="idle_s"):
        bake_clip(None, ClipOptions())


@pytest.mark.parametrize("fields", [{"fps": 0}, {"fps": 61}, {"seed": -1}, {"seed": 2**64}, {"mouth_model": "x"},
                                    {"idle_s": -1.0}, {"idle_s": float("nan")}, {"controls": "happy"}])
def test_bad_clip_options_name_the_field(fields):
    with pytest.raises(InvalidConfigError, match=next(iter(fields))):
        ClipOptions(**fields)
