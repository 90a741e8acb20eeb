"""Bad input gets a clear status code and leaves nothing behind."""

from __future__ import annotations

import time

import grpc
import numpy as np
import pytest

from runtime.errors import AvatarNotFoundError, LimitExceededError, OutOfOrderError
from runtime.face.errors import InvalidImageError, NoFaceError
from service.api import animate_pb2, avatar_pb2, controls_pb2
from service.errors import status_for
from tests import portraits
from tests.server_harness import (
    audio,
    chunked,
    config,
    end,
    live_animators,
    run_session,
    start_server,
    stub_for,
    wait_until,
    wait_until_animators_released,
)


def _status_of(stub, requests) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as failure:
        run_session(stub, requests)
    return failure.value.code(), failure.value.details()


def test_audio_before_config_fails_precondition(stub):
    code, details = _status_of(stub, [audio(b"\0\0" * 100), end()])
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert "SessionConfig" in details


def test_a_second_config_fails_precondition(stub):
    code, _ = _status_of(stub, [config(16000), config(16000), end()])
    assert code == grpc.StatusCode.FAILED_PRECONDITION


@pytest.mark.parametrize("sample_rate", [0, 1_000_000])
def test_impossible_sample_rate_is_invalid(stub, sample_rate):
    code, details = _status_of(stub, [config(sample_rate), end()])
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "sample_rate_hz" in details


@pytest.mark.parametrize("fields", [{"fps": 61}, {"mouth_model": "no-such-model"}])
def test_bad_config_fields_are_invalid_and_named(stub, fields):
    code, details = _status_of(stub, [config(16000, **fields), end()])
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert next(iter(fields)) in details


def test_out_of_range_control_is_invalid(stub):
    update = animate_pb2.ControlUpdate(controls=controls_pb2.Controls(head_distance=9.0))
    requests = [config(16000), animate_pb2.AnimateRequest(control=update), end()]
    code, details = _status_of(stub, requests)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "head_distance" in details


def test_missing_audio_format_is_invalid(stub):
    request = animate_pb2.AnimateRequest(config=animate_pb2.SessionConfig())
    code, _ = _status_of(stub, [request, end()])
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_odd_byte_count_in_pcm16_is_invalid(stub):
    code, details = _status_of(stub, [config(16000), audio(b"\0" * 321), end()])
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "321 bytes" in details


def test_nan_in_float_audio_is_invalid(stub):
    samples = np.zeros(160, "<f4")
    samples[3] = np.nan
    requests = [config(16000, encoding=animate_pb2.AUDIO_ENCODING_FLOAT32LE), audio(samples.tobytes()), end()]
    code, _ = _status_of(stub, requests)
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_unknown_avatar_is_not_found(stub):
    code, details = _status_of(stub, [config(16000, avatar_id="no-such-avatar"), end()])
    assert code == grpc.StatusCode.NOT_FOUND
    assert "no-such-avatar" in details


def test_rendered_frames_need_an_avatar(stub):
    code, details = _status_of(stub, [config(16000, output=animate_pb2.OUTPUT_LATENTS_AND_FRAMES), end()])
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "avatar_id" in details


def test_audio_chunk_longer_than_the_limit_is_resource_exhausted(stub):
    eleven_seconds = b"\0\0" * 8000 * 11
    code, details = _status_of(stub, [config(8000), audio(eleven_seconds), end()])
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "at most" in details


def test_oversize_message_is_resource_exhausted():
    server = start_server(max_message_bytes=256 * 1024)
    try:
        with grpc.insecure_channel(server.address) as channel:
            code, _ = _status_of(stub_for(channel), [config(48000), audio(b"\0\0" * 200_000), end()])
        assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
        wait_until(lambda: server.active_sessions == 0, what="no session left")
    finally:
        server.stop()


def test_errors_leave_no_session_behind(server, stub):
    _status_of(stub, [config(16000), audio(b"\0" * 3), end()])
    wait_until(lambda: server.active_sessions == 0, what="no session left")


@pytest.mark.parametrize("rendered", [False, True], ids=["latents", "rendered"])
def test_client_cancelling_mid_stream_frees_its_session(server, stub, speech, rendered):
    fields = {}
    if rendered:  # its frames render while it reads on: those still rendering go with it
        image = portraits.portrait_png("photo")
        avatar_id = stub.CreateAvatar(avatar_pb2.CreateAvatarRequest(image=image), timeout=60).avatar.avatar_id
        fields = {"avatar_id": avatar_id, "output": animate_pb2.OUTPUT_LATENTS_AND_FRAMES}

    def slow_requests():
        yield config(speech.sample_rate, **fields)
        for request in chunked(speech.pcm16(), 882):  # 20 ms chunks, paced to keep the stream open
            time.sleep(0.005)
            yield request

    call = stub.Animate(slow_requests())
    received = 0
    for response in call:
        received += response.WhichOneof("response") == "motion"
        if received == 5:
            assert server.active_sessions == 1
            call.cancel()
            break
    wait_until(lambda: server.active_sessions == 0, what="no session left")


def test_failed_sessions_release_their_runtime_state(server, stub):
    earlier = live_animators()
    for requests in ([config(16000), audio(b"\0" * 3), end()],
                     [config(16000, avatar_id="missing"), end()],
                     [audio(b"\0\0"), end()]):
        _status_of(stub, requests)
    wait_until(lambda: server.active_sessions == 0, what="no session left")
    wait_until_animators_released(earlier)


@pytest.mark.parametrize(("error", "code"), [
    (OutOfOrderError("audio pushed after the end of audio"), grpc.StatusCode.FAILED_PRECONDITION),
    (LimitExceededError("too much"), grpc.StatusCode.RESOURCE_EXHAUSTED),
    (NoFaceError("no face"), grpc.StatusCode.INVALID_ARGUMENT),
    (InvalidImageError("not an image"), grpc.StatusCode.INVALID_ARGUMENT),
    (AvatarNotFoundError("no avatar x"), grpc.StatusCode.NOT_FOUND),
    (KeyError("internals"), grpc.StatusCode.INTERNAL),
])
def test_each_error_type_has_one_status_code(error, code):
    mapped, message = status_for(error)
    assert mapped == code
    if code is grpc.StatusCode.INTERNAL:
        assert "internals" not in message  # an unknown error's text is for the server log, not the client
    else:
        assert message == str(error)
