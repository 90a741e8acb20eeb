"""Prometheus metrics over HTTP from a real server: sessions, frames, compute latency, errors by code."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from typing import TypeVar

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.api import animate_pb2, avatar_pb2, face_animation_pb2_grpc
from tests.portraits import portrait_png
from tests.server_harness import (
    audio,
    chunked,
    config,
    end,
    free_port,
    motion_frames,
    run_session,
    start_server,
    stub_for,
)

T = TypeVar("T")


def _scrape(port: int) -> dict[tuple[str, tuple], float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def _metrics_after(calls: Callable[[face_animation_pb2_grpc.FaceAnimationStub], T]) -> tuple[T, dict]:
    """What `calls` returned against a fresh server, and that server's metrics after them."""
    port = free_port()
    server = start_server(metrics_port=port)
    try:
        with grpc.insecure_channel(server.address) as channel:
            returned = calls(stub_for(channel))
        return returned, _scrape(port)
    finally:
        server.stop()


def test_metrics_count_sessions_frames_and_errors(speech):
    def one_good_one_bad(stub) -> list:
        frames = motion_frames(run_session(stub, [config(speech.sample_rate), audio(speech.pcm16()), end()]))
        with pytest.raises(grpc.RpcError):
            run_session(stub, [config(16000), audio(b"\0" * 3), end()])
        return frames

    frames, metrics = _metrics_after(one_good_one_bad)
    assert metrics[("facecast_sessions_total", (("status", "OK"),))] == 1
    assert metrics[("facecast_sessions_total", (("status", "INVALID_ARGUMENT"),))] == 1
    assert metrics[("facecast_errors_total", (("code", "INVALID_ARGUMENT"), ("method", "Animate")))] == 1
    assert metrics[("facecast_frames_total", ())] == len(frames) > 0
    assert metrics[("facecast_sessions_active", ())] == 0
    assert metrics[("facecast_audio_seconds_total", ())] == pytest.approx(speech.duration_s, abs=0.01)
    assert metrics[("facecast_request_compute_seconds_count", ())] >= 2  # the chunk and the end of audio
    assert metrics[("facecast_session_duration_seconds_count", ())] == 2


def test_metrics_count_the_frames_of_every_render_call(speech):
    """A rendered session's frames, call by call: the batch histogram sums to the frames rendered."""
    def rendered_session(stub) -> list:
        created = stub.CreateAvatar(avatar_pb2.CreateAvatarRequest(image=portrait_png("photo")), timeout=60)
        two_seconds = speech.pcm16()[:2 * speech.sample_rate * 2]
        return run_session(stub, [config(speech.sample_rate, avatar_id=created.avatar.avatar_id,
                                         output=animate_pb2.OUTPUT_LATENTS_AND_FRAMES, frame_size=256),
                                  *chunked(two_seconds, 1764), end()])

    responses, metrics = _metrics_after(rendered_session)
    rendered = sum(response.WhichOneof("response") == "frame" for response in responses)
    assert rendered == len(motion_frames(responses)) > 0
    assert metrics[("facecast_rendered_frames_total", ())] == rendered
    assert metrics[("facecast_render_batch_frames_sum", ())] == rendered
    calls = metrics[("facecast_render_batch_frames_count", ())]
    assert 1 <= calls <= rendered
    assert metrics[("facecast_render_batch_frames_bucket", (("le", "16.0"),))] == calls
