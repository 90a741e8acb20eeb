"""Conversation sessions over gRPC (a real server on loopback): the face listens to listen_audio
with a closed mouth, takes its turn, is interrupted (barge-in) without a pop, and its frames are the
same however the two streams' chunks interleave."""

from __future__ import annotations

import grpc
import numpy as np
import pytest

from runtime.arkit import Blendshape
from runtime.audio.pcm import encode_pcm16
from service.api import animate_pb2
from tests.server_harness import audio, config, end, motion_frames, run_session
from tests.speech import long_speech

RATE = 16_000
CHUNK = 320  # 20 ms


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return long_speech(12.0).samples  # 16 kHz


def listen(data: bytes) -> animate_pb2.AnimateRequest:
    return animate_pb2.AnimateRequest(listen_audio=animate_pb2.AudioChunk(data=data))


def interrupt(at_s: float | None = None) -> animate_pb2.AnimateRequest:
    message = animate_pb2.Interrupt() if at_s is None else animate_pb2.Interrupt(at_s=at_s)
    return animate_pb2.AnimateRequest(interrupt=message)


def _interleaved(own: np.ndarray, other: np.ndarray, own_chunk: int, listen_chunk: int,
                 interrupt_at: int | None = None) -> list[animate_pb2.AnimateRequest]:
    """Both streams, each in its own chunk size, alternating (own first); an interrupt after the
    own chunk that reaches `interrupt_at` samples."""
    own_pcm, other_pcm = encode_pcm16(own), encode_pcm16(other)
    requests = [config(RATE, conversation=True)]
    i = j = 0
    interrupted = interrupt_at is None
    while i < len(own_pcm) or j < len(other_pcm):
        if i < len(own_pcm):
            requests.append(audio(own_pcm[i:i + 2 * own_chunk]))
            i += 2 * own_chunk
            if not interrupted and i >= 2 * interrupt_at:
                requests.append(interrupt(interrupt_at / RATE))
                interrupted = True
        if j < len(other_pcm):
            requests.append(listen(other_pcm[j:j + 2 * listen_chunk]))
            j += 2 * listen_chunk
    return [*requests, end()]


def _events(responses) -> list[tuple[int, float]]:
    return [(r.event.type, round(r.event.time_s, 3)) for r in responses if r.WhichOneof("response") == "event"]


def test_listening_to_real_speech_keeps_the_mouth_shut(stub, speech):
    silence = np.zeros(8 * RATE, np.float32)
    other = speech[:8 * RATE]
    frames = motion_frames(run_session(stub, _interleaved(silence, other, CHUNK, CHUNK)))
    jaw = np.array([frame.blendshapes[Blendshape.JAW_OPEN] for frame in frames])
    assert len(frames) == 200 and jaw.max() < 0.05


def test_the_same_conversation_in_other_chunks_gives_the_same_frames_and_events(stub, speech):
    own = np.concatenate([speech[:3 * RATE], np.zeros(3 * RATE, np.float32)])
    other = np.concatenate([np.zeros(3 * RATE, np.float32), speech[4 * RATE:7 * RATE]])
    first = run_session(stub, _interleaved(own, other, CHUNK, CHUNK))
    second = run_session(stub, _interleaved(own, other, 4000, 777))
    assert motion_frames(first) == motion_frames(second)
    events = _events(first)
    assert events == _events(second)
    kinds = [kind for kind, _ in events]
    assert animate_pb2.EVENT_TYPE_STATE_SPEAKING in kinds and animate_pb2.EVENT_TYPE_STATE_LISTENING in kinds


def test_a_barge_in_closes_the_mouth_within_100_ms_without_a_head_jump(stub, speech):
    own, other = speech[:3 * RATE], np.zeros(3 * RATE, np.float32)
    responses = run_session(stub, _interleaved(own, other, CHUNK, CHUNK, interrupt_at=RATE))
    frames = motion_frames(responses)
    times = np.array([frame.time_s for frame in frames])
    jaw = np.array([frame.blendshapes[Blendshape.JAW_OPEN] for frame in frames])
    assert jaw[times < 1.0].max() > 0.2  # it was talking
    assert jaw[times >= 1.1].max() < 0.05
    head = np.array([[f.head_pose.pitch_deg, f.head_pose.yaw_deg, f.head_pose.roll_deg] for f in frames])
    assert np.abs(np.diff(head, axis=0)).max() < 2.0
    assert (animate_pb2.EVENT_TYPE_INTERRUPTED, 1.0) in _events(responses)


def test_listen_audio_outside_a_conversation_fails_the_stream(stub):
    requests = [config(RATE), listen(b"\0\0" * CHUNK), end()]
    with pytest.raises(grpc.RpcError) as failure:
        run_session(stub, requests)
    assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "conversation" in failure.value.details()
