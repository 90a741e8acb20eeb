"""Each configurable limit on a real server: concurrent sessions, idle timeout, session length,
image bytes and pixels, avatars on disk (least recently used evicted), and bad settings."""

from __future__ import annotations

import io
import threading
import time

import grpc
import numpy as np
import pytest
from PIL import Image
from skimage import data

from runtime.errors import InvalidConfigError
from service.api import avatar_pb2, face_animation_pb2
from service.settings import ServerSettings, resolve_settings
from tests.server_harness import audio, config, end, motion_frames, start_server, stub_for

LIMITS = {"max_sessions": 2, "idle_timeout_s": 1.0, "max_session_s": 2.5, "max_image_bytes": 200_000,
          "max_image_pixels": 300_000, "max_avatars": 2}


@pytest.fixture(scope="module")
def limited():
    server = start_server(**LIMITS)
    yield server
    server.stop()


@pytest.fixture()
def stub(limited):
    with grpc.insecure_channel(limited.address) as channel:
        yield stub_for(channel)


def _held_open(release: threading.Event):
    """A session's requests that stop after the config until `release` is set (kept under the idle timeout)."""
    yield config(16000)
    while not release.wait(0.2):
        yield audio(b"\0\0" * 3200)
    yield end()


def _code_and_details(call) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as failure:
        call()
    return failure.value.code(), failure.value.details()


def test_sessions_beyond_the_maximum_are_resource_exhausted(limited, stub):
    release = threading.Event()
    held = [stub.Animate(_held_open(release), timeout=30) for _ in range(LIMITS["max_sessions"])]
    try:
        for call in held:
            assert next(call).WhichOneof("response") == "started"
        code, details = _code_and_details(lambda: list(stub.Animate(iter([config(16000), end()]), timeout=10)))
        assert code == grpc.StatusCode.RESOURCE_EXHAUSTED and "capacity" in details
    finally:
        release.set()
    for call in held:
        assert list(call)[-1].WhichOneof("response") == "status"
    assert list(stub.Animate(iter([config(16000), end()]), timeout=10))[-1].status.code == 0  # room again


@pytest.mark.slow  # waits on wall-clock timeouts
def test_a_silent_client_hits_the_idle_timeout(limited, stub):
    def stalls():
        yield config(16000)
        time.sleep(3 * LIMITS["idle_timeout_s"])
        yield end()

    started = time.monotonic()
    code, details = _code_and_details(lambda: list(stub.Animate(stalls(), timeout=30)))
    assert code == grpc.StatusCode.DEADLINE_EXCEEDED and "idle" in details
    assert time.monotonic() - started < 2.5 * LIMITS["idle_timeout_s"]
    assert limited.active_sessions == 0


@pytest.mark.slow  # waits on wall-clock timeouts
def test_a_session_ends_at_its_maximum_length(limited, stub):
    frames = []

    def keeps_talking():
        yield config(16000)
        for _ in range(100):  # 10 s of audio in 0.1 s chunks, sent over ~10 s
            time.sleep(0.1)
            yield audio(b"\0\0" * 1600)

    call = stub.Animate(keeps_talking(), timeout=30)
    with pytest.raises(grpc.RpcError) as failure:
        for response in call:
            frames += motion_frames([response])
    assert failure.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "maximum length" in failure.value.details()
    assert 25 < len(frames) < 25 * 5  # it streamed until the limit, then stopped


def _jpeg(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _create(stub, image: bytes) -> str:
    return stub.CreateAvatar(avatar_pb2.CreateAvatarRequest(image=image), timeout=60).avatar.avatar_id


def test_images_over_the_byte_and_pixel_limits_are_refused(stub):
    code, details = _code_and_details(lambda: _create(stub, bytes(LIMITS["max_image_bytes"] + 1)))
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED and str(LIMITS["max_image_bytes"]) in details
    big = np.asarray(Image.fromarray(data.astronaut()).resize((600, 600)))  # 0.36 MP > 0.3 MP
    code, details = _code_and_details(lambda: _create(stub, _jpeg(big)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "MP" in details


def test_avatars_beyond_the_maximum_evict_the_least_recently_used(stub):
    portrait = data.astronaut()
    first, second, third = (_create(stub, _jpeg(image)) for image in
                            (portrait, portrait[:, ::-1].copy(), portrait[16:496, 16:496].copy()))
    listed = {avatar.avatar_id for avatar in stub.ListAvatars(avatar_pb2.ListAvatarsRequest()).avatars}
    assert listed == {second, third}  # the first went to make room
    stub.GetAvatar(avatar_pb2.GetAvatarRequest(avatar_id=second))  # now the third is the least recently used
    fourth = _create(stub, _jpeg(portrait))
    listed = {avatar.avatar_id for avatar in stub.ListAvatars(avatar_pb2.ListAvatarsRequest()).avatars}
    assert listed == {second, fourth} and fourth == first


@pytest.mark.parametrize(("field", "value"), [("max_sessions", 0), ("idle_timeout_s", 0.0), ("max_avatars", 0),
                                              ("max_image_pixels", 10), ("keepalive_min_ping_interval_s", 0.0)])
def test_bad_limits_are_refused_by_name(field, value):
    with pytest.raises(InvalidConfigError, match=field):
        ServerSettings(**{field: value})


def test_limits_come_from_flags_then_the_environment():
    environ = {"FACECAST_MAX_SESSIONS": "7", "FACECAST_IDLE_TIMEOUT_S": "5.5", "FACECAST_API_KEYS": "a,b"}
    settings = resolve_settings({"max_sessions": 9}, environ)
    assert (settings.max_sessions, settings.idle_timeout_s, settings.api_keys) == (9, 5.5, "a,b")


@pytest.mark.slow  # six idle seconds of pings
def test_client_pings_at_the_permitted_rate_keep_an_idle_connection():
    """Game clients ping idle connections every ~30 s against the default 20 s minimum; here the
    same at 1/20 scale: pings every 1.5 s, allowed (1 s minimum) or too often (5 s: GOAWAY). Both
    servers at once, so the test waits only once."""
    minimum_s = {True: 1.0, False: 5.0}  # connection kept? → the server's minimum ping interval
    servers = {kept: start_server(keepalive_min_ping_interval_s=value) for kept, value in minimum_s.items()}
    pinging = [("grpc.keepalive_time_ms", 1500), ("grpc.keepalive_permit_without_calls", 1),
               ("grpc.http2.max_pings_without_data", 0)]
    channels = {kept: grpc.insecure_channel(server.address, options=pinging) for kept, server in servers.items()}
    try:
        states = {}
        for kept, channel in channels.items():
            stub_for(channel).GetCapabilities(face_animation_pb2.GetCapabilitiesRequest(), timeout=10)
            states[kept] = []
            channel.subscribe(states[kept].append, try_to_connect=False)
        time.sleep(6.0)  # idle: only pings on the connections (the third too-early one gets GOAWAY)
        assert states[True] == [grpc.ChannelConnectivity.READY], states
        assert grpc.ChannelConnectivity.IDLE in states[False], states
    finally:
        for kept in servers:
            channels[kept].close()
            servers[kept].stop()
