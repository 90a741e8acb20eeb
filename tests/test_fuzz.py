"""Fuzzing the real server: hypothesis-made sequences of malformed AnimateRequests (every field of
the contract, drawn from its descriptor, edge values included), random bytes as audio, as images and
as whole messages. The server never crashes, every answer is OK or a documented status code, and no
session is left behind."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import message_factory
from google.protobuf.descriptor import FieldDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.api import animate_pb2, avatar_pb2
from tests.server_harness import start_server, stub_for, wait_until

# The codes the README documents for client mistakes; INTERNAL, UNKNOWN or a dropped connection fail.
DOCUMENTED = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND,
              grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNIMPLEMENTED}
# Bounded in time (~5 s on 2 cores): a few hundred calls in all, each a few requests.
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Small limits so hostile values reach them quickly; the idle timeout bounds a stuck stream.
LIMITS = {"max_audio_chunk_s": 0.5, "idle_timeout_s": 5.0, "max_message_bytes": 64 * 1024,
          "max_image_bytes": 64 * 1024}

_INT_RANGES = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1), FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1), FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1), FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1), FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1), FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}
# Plausible values mixed in, so fuzzing gets past the first check into the pipeline.
_PLAUSIBLE = {"sample_rate_hz": st.sampled_from([8000, 16000, 22050, 48000]), "fps": st.integers(1, 60),
              "idle_s": st.floats(0, 2), "data": st.binary(max_size=4096).map(lambda b: b[: len(b) // 2 * 2])}


def _value(field: FieldDescriptor, depth: int) -> st.SearchStrategy:
    kind = field.type
    if kind == FieldDescriptor.TYPE_MESSAGE:
        return _message(field.message_type, depth + 1)
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.floats(width=32 if kind == FieldDescriptor.TYPE_FLOAT else 64)  # NaN and ±inf included
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind == FieldDescriptor.TYPE_STRING:
        return st.text(max_size=40)
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=4096)
    if kind == FieldDescriptor.TYPE_ENUM:
        return st.integers(-2, len(field.enum_type.values) + 2)  # open enums: unknown numbers too
    return st.integers(*_INT_RANGES[kind])


def _message(descriptor, depth: int = 0) -> st.SearchStrategy:
    """Any message of `descriptor`'s type: each field unset or set, oneofs possibly several times."""
    if depth > 3:
        return st.just(None)
    parts = {}
    for field in descriptor.fields:
        value = _value(field, depth)
        if field.name in _PLAUSIBLE:
            value = st.one_of(_PLAUSIBLE[field.name], value)
        is_repeated = field.is_repeated
        parts[field.name] = st.none() | (st.lists(value, max_size=4) if is_repeated else value)
    return st.fixed_dictionaries(parts).map(lambda values: _build(descriptor, values))


def _build(descriptor, values: dict):
    message = message_factory.GetMessageClass(descriptor)()
    for name, value in values.items():
        if value is None:
            continue
        field = descriptor.fields_by_name[name]
        if field.is_repeated:
            for item in value:
                if field.type == FieldDescriptor.TYPE_MESSAGE:
                    getattr(message, name).add().CopyFrom(item) if item is not None else None
                else:
                    getattr(message, name).append(item)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            if value is not None:
                getattr(message, name).CopyFrom(value)
        else:
            setattr(message, name, value)
    return message


requests = st.lists(_message(animate_pb2.AnimateRequest.DESCRIPTOR), max_size=8)


@pytest.fixture(scope="module")
def fuzzed():
    server = start_server(**LIMITS)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def channel(fuzzed):
    with grpc.insecure_channel(fuzzed.address) as channel:
        yield channel


def _outcome(call) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as error:
        assert error.code() in DOCUMENTED, f"{error.code()}: {error.details()}"
        assert "\n" not in error.details() and "Traceback" not in error.details()
        return error.code()
    return grpc.StatusCode.OK


@FUZZ
@given(sequence=requests)
def test_malformed_request_sequences_get_documented_codes(channel, sequence):
    _outcome(lambda: list(stub_for(channel).Animate(iter(sequence), timeout=30)))


@FUZZ
@given(messages=st.lists(st.binary(max_size=512), min_size=1, max_size=4))
def test_random_bytes_as_stream_messages_get_documented_codes(channel, messages):
    animate = channel.stream_stream("/facecast.v1.FaceAnimation/Animate")  # no serializer: raw bytes
    _outcome(lambda: list(animate(iter(messages), timeout=30)))


@settings(FUZZ, max_examples=30)
@given(image=st.binary(max_size=20_000) | st.binary(max_size=64).map(lambda b: b"\x89PNG\r\n\x1a\n" + b)
       | st.binary(max_size=64).map(lambda b: b"\xff\xd8\xff\xe0" + b))
def test_random_bytes_as_images_are_refused_cleanly(channel, image):
    code = _outcome(lambda: stub_for(channel).CreateAvatar(avatar_pb2.CreateAvatarRequest(image=image), timeout=30))
    assert code == grpc.StatusCode.INVALID_ARGUMENT


@settings(FUZZ, max_examples=30)
@given(payload=st.binary(max_size=512))
def test_random_bytes_as_unary_messages_get_documented_codes(channel, payload):
    for method in ("CreateAvatar", "GetAvatar", "DeleteAvatar", "GetCapabilities"):
        call = channel.unary_unary(f"/facecast.v1.FaceAnimation/{method}")
        _outcome(lambda call=call: call(payload, timeout=30))


def test_the_fuzzed_server_is_healthy_and_holds_no_sessions(fuzzed, channel):
    wait_until(lambda: fuzzed.active_sessions == 0, what="no session left")
    response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""))
    assert response.status == health_pb2.HealthCheckResponse.SERVING
