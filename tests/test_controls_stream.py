"""Controls and idle life over the wire: SessionConfig controls, mid-stream ControlUpdates with
their transitions, and idle frames without audio."""

from __future__ import annotations

import grpc
import numpy as np
import pytest

from runtime.arkit import Blendshape
from service.api import animate_pb2, controls_pb2
from tests.server_harness import chunked, config, end, motion_frames, run_session


def _control(transition_s: float | None = None, **fields) -> animate_pb2.AnimateRequest:
    update = animate_pb2.ControlUpdate(controls=controls_pb2.Controls(**fields))
    if transition_s is not None:
        update.transition_s = transition_s
    return animate_pb2.AnimateRequest(control=update)


def _column(frames, index: int) -> np.ndarray:
    return np.array([frame.blendshapes[index] for frame in frames])


def test_control_update_mid_stream_takes_effect_at_its_audio_time(stub, speech):
    pcm = speech.pcm16()
    half = (len(pcm) // 2) & ~1
    switch_s = half / 2 / speech.sample_rate
    requests = [config(speech.sample_rate), *chunked(pcm[:half], 882),
                _control(emotion=controls_pb2.EMOTION_HAPPY, transition_s=0.5),
                *chunked(pcm[half:], 882), end()]
    frames = motion_frames(run_session(stub, requests))
    times = np.array([frame.time_s for frame in frames])
    smile = _column(frames, Blendshape.MOUTH_SMILE_LEFT)
    assert smile[times < switch_s - 0.1].max() < 0.15
    assert smile[times > switch_s + 0.6].mean() > 0.5
    ramp = smile[(times >= switch_s) & (times <= switch_s + 0.5)]
    assert np.all(np.diff(ramp) > -0.05) and np.abs(np.diff(smile)).max() < 0.15  # eased, no step


def test_config_controls_set_gaze_and_head_distance_from_the_start(stub, speech):
    controls = controls_pb2.Controls(gaze_yaw_deg=-20.0, head_distance=2.0, motion_intensity=0.0)
    requests = [config(speech.sample_rate, controls=controls), *chunked(speech.pcm16(), 4410), end()]
    frames = motion_frames(run_session(stub, requests))
    assert np.mean([frame.gaze.right.yaw_deg for frame in frames]) == pytest.approx(-20.0, abs=2.0)
    assert _column(frames, Blendshape.EYE_LOOK_OUT_RIGHT).mean() > 0.4  # right eye looks outwards
    assert np.mean([frame.head_pose.z for frame in frames]) == pytest.approx(-5.0, abs=0.05)


def test_idle_session_needs_no_audio(stub):
    frames = motion_frames(run_session(stub, [config(16_000, idle_s=12.0), end()]))
    assert len(frames) == 12 * 25
    assert _column(frames, Blendshape.JAW_OPEN).max() < 0.05
    lids = _column(frames, Blendshape.EYE_BLINK_LEFT)
    assert np.sum((lids[1:] >= 0.5) & (lids[:-1] < 0.5)) >= 1  # alive: it blinks...
    assert np.ptp([frame.head_pose.pitch_deg for frame in frames]) > 0.3  # ...and breathes


def test_idle_then_audio_continues_the_clock(stub, speech):
    frames = motion_frames(run_session(stub, [config(speech.sample_rate, idle_s=2.0),
                                              *chunked(speech.pcm16(), 882), end()]))
    assert len(frames) == int(np.ceil((2.0 + speech.duration_s) * 25 - 1e-9))
    times = np.array([frame.time_s for frame in frames])
    jaw = _column(frames, Blendshape.JAW_OPEN)
    assert jaw[times < 1.9].max() < 0.05 and jaw[times > 2.2].max() > 0.3


@pytest.mark.parametrize("idle_s", [-1.0, 601.0])
def test_impossible_idle_is_invalid(stub, idle_s):
    with pytest.raises(grpc.RpcError) as failure:
        run_session(stub, [config(16_000, idle_s=idle_s), end()])
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "idle_s" in failure.value.details()
