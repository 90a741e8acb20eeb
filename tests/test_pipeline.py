"""The runtime's Animator on its own: streaming rules, controls, events."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.arkit import Blendshape
from runtime.audio.pcm import AudioEncoding, AudioFormat
from runtime.errors import InvalidConfigError, OutOfOrderError
from runtime.pipeline import Animator, AnimatorOptions, run_clip
from runtime.types import ControlPatch, Controls, Emotion, EventKind, MotionFrame, SessionEvent
from tests.speech import Clip, concatenate, silence


def _options(clip: Clip, **fields) -> AnimatorOptions:
    return AnimatorOptions(audio_format=AudioFormat(AudioEncoding.FLOAT32LE, clip.sample_rate), **fields)


def _frames(outputs) -> list[MotionFrame]:
    return [output for output in outputs if isinstance(output, MotionFrame)]


def _stream(clip: Clip, chunk: int, options: AnimatorOptions, control_at: dict[int, ControlPatch] | None = None):
    """Feeds `clip` in chunks of `chunk` samples; control patches go in before the chunk starting
    at the given sample."""
    animator = Animator(options)
    outputs = []
    for start in range(0, len(clip.samples), chunk):
        for at, patch in (control_at or {}).items():
            if start <= at < start + chunk:
                outputs += animator.push_samples(clip.samples[start:at])
                animator.update_controls(patch)
                outputs += animator.push_samples(clip.samples[at:start + chunk])
                break
        else:
            outputs += animator.push_samples(clip.samples[start:start + chunk])
    return outputs + animator.end_audio()


def _column(frames: list[MotionFrame], index: int) -> np.ndarray:
    return np.array([frame.blendshapes[index] for frame in frames])


@pytest.mark.parametrize("chunk", [1, 441, 10_007])
def test_any_chunking_with_controls_gives_identical_frames(speech, chunk):
    controls = {speech.sample_rate * 2: ControlPatch(emotion=Emotion.HAPPY, gaze_yaw_deg=10.0)}
    whole = _frames(_stream(speech, len(speech.samples), _options(speech), controls))
    pieces = _frames(_stream(speech, chunk, _options(speech), controls))
    assert len(whole) == len(pieces)
    for a, b in zip(whole, pieces, strict=True):
        assert np.array_equal(a.blendshapes, b.blendshapes) and a.head_pose == b.head_pose
        assert np.array_equal(a.visemes, b.visemes) and a.gaze == b.gaze


def test_speech_start_and_end_events_bracket_the_speech(speech):
    clip = concatenate(silence(1.0), speech, silence(1.5))
    events = [output for output in run_clip(Animator(_options(clip)), clip.samples)
              if isinstance(output, SessionEvent)]
    starts = [event.time_s for event in events if event.kind is EventKind.SPEECH_START]
    ends = [event.time_s for event in events if event.kind is EventKind.SPEECH_END]
    assert starts[0] == pytest.approx(1.0, abs=0.08)
    assert ends[-1] == pytest.approx(1.0 + speech.duration_s, abs=0.3)
    assert events[-1].kind is EventKind.END_OF_AUDIO
    assert events[-1].time_s == pytest.approx(clip.duration_s)


def test_gaze_control_turns_the_eyes_the_right_way(speech):
    right = _frames(run_clip(Animator(_options(speech, controls=Controls(gaze_yaw_deg=20.0))), speech.samples))
    down = _frames(run_clip(Animator(_options(speech, controls=Controls(gaze_pitch_deg=15.0))), speech.samples))
    # yaw > 0 looks towards the image's right = the subject's left: out for the left eye, in for the right.
    assert _column(right, Blendshape.EYE_LOOK_OUT_LEFT).mean() > 0.4
    assert _column(right, Blendshape.EYE_LOOK_IN_RIGHT).mean() > 0.4
    assert _column(right, Blendshape.EYE_LOOK_IN_LEFT).mean() < 0.05
    assert _column(down, Blendshape.EYE_LOOK_DOWN_LEFT).mean() > 0.4
    assert np.mean([frame.gaze.left.yaw_deg for frame in right]) == pytest.approx(20.0, abs=2.0)


def test_emotion_change_mid_stream_is_smooth_and_keeps_lip_sync(speech):
    at = speech.sample_rate * 2
    neutral = _frames(_stream(speech, 4410, _options(speech)))
    happy = _frames(_stream(speech, 4410, _options(speech), {at: ControlPatch(emotion=Emotion.HAPPY)}))
    smile = _column(happy, Blendshape.MOUTH_SMILE_LEFT)
    times = np.array([frame.time_s for frame in happy])
    assert smile[times < 1.9].max() < 0.15 and smile[times > 2.5].mean() > 0.5
    assert np.abs(np.diff(smile)).max() < 0.15  # a 0.3 s ease, not a step
    jaw_neutral, jaw_happy = _column(neutral, Blendshape.JAW_OPEN), _column(happy, Blendshape.JAW_OPEN)
    assert np.array_equal(jaw_neutral, jaw_happy)


def test_head_distance_and_motion_intensity_shape_the_head(speech):
    far = _frames(run_clip(Animator(_options(speech, controls=Controls(head_distance=2.0))), speech.samples))
    still = _frames(run_clip(Animator(_options(speech, controls=Controls(motion_intensity=0.0))), speech.samples))
    lively = _frames(run_clip(Animator(_options(speech, controls=Controls(motion_intensity=2.0))), speech.samples))
    assert np.mean([frame.head_pose.z for frame in far]) == pytest.approx(-5.0, abs=0.1)
    assert np.std([frame.head_pose.yaw_deg for frame in still]) < 1e-6
    assert np.std([frame.head_pose.yaw_deg for frame in lively]) > 1.0


def test_frames_stop_at_the_audio_duration_and_end_is_final(speech):
    animator = Animator(_options(speech, fps=60))
    frames = _frames(run_clip(animator, speech.samples))
    assert len(frames) == int(np.ceil(speech.duration_s * 60))
    assert animator.end_audio() == []
    with pytest.raises(OutOfOrderError):
        animator.push_samples(np.zeros(10, np.float32))


@pytest.mark.parametrize("fps", [25, 30, 60])
def test_each_frame_comes_as_soon_as_its_lookahead_has_arrived(speech, fps):
    """Fed 5 ms at a time, frame i appears once the audio reaches time_s + at most lookahead_s."""
    animator = Animator(_options(speech, fps=fps))
    step = speech.sample_rate // 200
    arrival = {}
    for start in range(0, len(speech.samples), step):
        for frame in _frames(animator.push_samples(speech.samples[start:start + step])):
            arrival[frame.index] = (start + step) / speech.sample_rate
    step_s = step / speech.sample_rate  # arrival is only known to the end of the push
    assert len(arrival) > 100
    for index, at in arrival.items():
        needed = animator.audio_needed_s(index)
        assert index / fps < needed <= index / fps + animator.lookahead_s
        assert needed <= at < needed + step_s + 1e-9, (index, needed, at)


@pytest.mark.parametrize("fields", [{"fps": 0}, {"fps": 61}, {"seed": -1}, {"mouth_model": "x"}])
def test_invalid_options_name_the_field(fields):
    with pytest.raises(InvalidConfigError, match=next(iter(fields))):
        AnimatorOptions(**fields)
