"""The Animate stream against a real server on a loopback port: header, frames, determinism,
and the mouth following the audio."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from runtime.arkit import BLENDSHAPE_NAMES, VISEME_NAMES, Blendshape
from tests.server_harness import motion_frames, run_session, session, start_server
from tests.speech import concatenate, envelope_at, silence


def test_header_comes_first_and_names_the_layout(stub, speech):
    responses = run_session(stub, session(speech.pcm16(), speech.sample_rate, fps=30))
    started = responses[0].started
    assert responses[0].WhichOneof("response") == "started"
    assert list(started.blendshape_names) == list(BLENDSHAPE_NAMES)
    assert list(started.viseme_names) == list(VISEME_NAMES)
    assert started.fps == 30
    assert {version.component for version in started.model_versions} == {"mouth", "dynamics"}
    # The mouth model's look-ahead (≤ 100 ms; the learned one's is 80 ms) plus one analysis hop, one
    # interpolation hop and the resampler's delay.
    assert started.session_id and 0 < started.lookahead_s <= 0.1 + 0.02 + 0.001
    assert len(started.rest_blendshapes) == 52


def test_frames_cover_the_audio_at_the_requested_rate(stub, speech):
    responses = run_session(stub, session(speech.pcm16(), speech.sample_rate, fps=30))
    frames = motion_frames(responses)
    assert len(frames) == int(np.ceil(speech.duration_s * 30))
    assert [frame.index for frame in frames] == list(range(len(frames)))
    times = np.array([frame.time_s for frame in frames])
    assert np.all(np.diff(times) > 0)
    assert times == pytest.approx(np.arange(len(frames)) / 30)
    for frame in frames[:: len(frames) // 5]:
        assert len(frame.blendshapes) == 52 and len(frame.visemes) == 15
        assert all(0.0 <= weight <= 1.0 for weight in frame.blendshapes)
        assert sum(frame.visemes) == pytest.approx(1.0, abs=1e-4)


def test_stream_ends_with_end_of_audio_event_then_ok_status(stub, speech):
    responses = run_session(stub, session(speech.pcm16(), speech.sample_rate))
    kinds = [response.WhichOneof("response") for response in responses]
    assert kinds[-1] == "status" and responses[-1].status.code == 0
    assert responses[-1].status.frames == len(motion_frames(responses))
    assert responses[-1].status.audio_duration_s == pytest.approx(speech.duration_s)
    last_event = [response.event for response in responses if response.WhichOneof("response") == "event"][-1]
    assert last_event.type == 3  # EVENT_TYPE_END_OF_AUDIO
    assert kinds.index("status") > max(i for i, kind in enumerate(kinds) if kind == "motion")


@pytest.mark.parametrize("chunk_ms", [10, 37])
def test_chunking_does_not_change_frames(stub, speech, chunk_ms):
    pcm = speech.pcm16()
    whole = motion_frames(run_session(stub, session(pcm, speech.sample_rate)))
    chunk_bytes = 2 * round(speech.sample_rate * chunk_ms / 1000)
    pieces = motion_frames(run_session(stub, session(pcm, speech.sample_rate, chunk_bytes=chunk_bytes)))
    assert len(pieces) == len(whole)
    assert pieces == whole  # protobuf equality: every float bit-identical


def test_same_seed_same_frames_other_seed_other_motion(stub, speech):
    pcm = speech.pcm16()
    first = motion_frames(run_session(stub, session(pcm, speech.sample_rate, seed=7)))
    again = motion_frames(run_session(stub, session(pcm, speech.sample_rate, seed=7)))
    other = motion_frames(run_session(stub, session(pcm, speech.sample_rate, seed=8)))
    assert first == again
    assert np.abs(_yaw(first) - _yaw(other)).max() > 0.5
    # The mouth comes from the audio alone: the seed moves the head, not the lips.
    assert np.array_equal(_jaw(first), _jaw(other))


def test_silence_keeps_the_mouth_closed(stub):
    quiet = silence(4.0)
    frames = motion_frames(run_session(stub, session(quiet.pcm16(), quiet.sample_rate)))
    assert _jaw(frames).max() < 0.05
    assert np.mean([frame.visemes[0] for frame in frames]) > 0.95  # sil
    # ...while the face stays alive: the head still moves a little.
    assert 0.05 < np.ptp(_yaw(frames)) < 10


def test_jaw_follows_the_speech_energy(stub, speech):
    clip = concatenate(silence(1.0), speech, silence(1.0))
    frames = motion_frames(run_session(stub, session(clip.pcm16(), clip.sample_rate)))
    times = np.array([frame.time_s for frame in frames])
    jaw = _jaw(frames)
    level = envelope_at(clip, times, window_s=0.06)
    # The learned mouth opens by phoneme, not by loudness: r ≈ 0.69 here (the DSP baseline ≈ 0.8).
    assert np.corrcoef(jaw, level)[0, 1] > 0.6
    voiced = level > 0.01
    assert np.corrcoef(jaw[voiced], level[voiced])[0, 1] > 0.35  # not just open-vs-closed (learned ≈ 0.47)
    silent = (times < 0.8) | (times > clip.duration_s - 0.8)
    assert jaw[silent].max() < 0.05
    assert jaw[~silent].mean() > 0.15


def _jaw(frames) -> np.ndarray:
    return np.array([frame.blendshapes[Blendshape.JAW_OPEN] for frame in frames])


def _yaw(frames) -> np.ndarray:
    return np.array([frame.head_pose.yaw_deg for frame in frames])


def test_the_server_renders_with_the_cpu_threads_it_is_given():
    """torch's thread count is per thread, and a thread started later (the server's render workers)
    takes the count last set: read it from a new thread, as a render worker would."""
    running = start_server(render_threads=3)
    try:
        with ThreadPoolExecutor(1) as worker:
            assert worker.submit(torch.get_num_threads).result() == 3
    finally:
        running.stop()
        torch.set_num_threads(torch.get_num_threads())  # later threads take this thread's count again
