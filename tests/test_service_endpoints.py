"""Health, reflection, capabilities and the avatar RPCs of a real server."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from runtime.arkit import BLENDSHAPE_NAMES
from service.api import animate_pb2, face_animation_pb2, face_animation_pb2_grpc
from tests.server_harness import start_server


@pytest.fixture()
def channel(server):
    with grpc.insecure_channel(server.address) as channel:
        yield channel


@pytest.mark.parametrize("service", ["", "facecast.v1.FaceAnimation"])
def test_health_reports_serving(channel, service):
    response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service))
    assert response.status == health_pb2.HealthCheckResponse.SERVING


def test_health_turns_not_serving_when_draining():
    server = start_server()
    try:
        with grpc.insecure_channel(server.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            server.call(server.running.health.enter_graceful_shutdown())
            response = health.Check(health_pb2.HealthCheckRequest(service=""))
            assert response.status == health_pb2.HealthCheckResponse.NOT_SERVING
    finally:
        server.stop()


def test_reflection_lists_the_services(channel):
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    response = next(stub.ServerReflectionInfo(iter([request])))
    names = {service.name for service in response.list_services_response.service}
    assert {"facecast.v1.FaceAnimation", "grpc.health.v1.Health"} <= names


def test_capabilities_describe_the_server(channel, server):
    stub = _stub(channel)
    capabilities = stub.GetCapabilities(face_animation_pb2.GetCapabilitiesRequest())
    assert list(capabilities.blendshape_names) == list(BLENDSHAPE_NAMES)
    assert (capabilities.min_fps, capabilities.default_fps, capabilities.max_fps) == (1, 25, 60)
    assert (capabilities.min_sample_rate_hz, capabilities.max_sample_rate_hz) == (8000, 48000)
    assert set(capabilities.outputs) == {animate_pb2.OUTPUT_LATENTS, animate_pb2.OUTPUT_FRAMES,
                                         animate_pb2.OUTPUT_LATENTS_AND_FRAMES}
    # the default first
    assert list(capabilities.mouth_models) == ["learned-adaptive", "learned", "learned-in-noise", "baseline"]
    assert capabilities.max_message_bytes == server.running.settings.max_message_bytes
    assert capabilities.avatars_supported


def test_the_server_wide_mouth_model_is_the_sessions_default(speech):
    """`serve --mouth-model learned` (FACECAST_MOUTH_MODEL): sessions that name no model get it, and
    the capabilities list it first; a session may still name another."""
    from tests.server_harness import run_session, session

    server = start_server(mouth_model="learned")
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = _stub(channel)
            capabilities = stub.GetCapabilities(face_animation_pb2.GetCapabilitiesRequest())
            assert list(capabilities.mouth_models)[0] == "learned"
            for named, expected in (("", "audio-to-mouth-tcn"), ("learned-adaptive", "audio-to-mouth-tcn-adaptive")):
                started = run_session(stub, session(speech.pcm16(), speech.sample_rate, mouth_model=named))[0].started
                assert {v.component: v.name for v in started.model_versions}["mouth"] == expected
    finally:
        server.stop()


def test_an_unknown_server_wide_mouth_model_is_refused_by_name():
    from runtime.errors import InvalidConfigError
    from service.settings import ServerSettings

    with pytest.raises(InvalidConfigError, match="mouth_model"):
        ServerSettings(mouth_model="whisper")


def _stub(channel):
    return face_animation_pb2_grpc.FaceAnimationStub(channel)
