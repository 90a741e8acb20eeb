"""Faults: SIGTERM drains within the grace period while health says NOT_SERVING; a process killed
mid-write leaves no partial avatar; damaged store files are detected, logged and dropped."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from PIL import Image
from skimage import data

from service.api import animate_pb2, avatar_pb2
from service.process import ServerProcess
from tests.server_harness import audio, config, end, start_server, stub_for, wait_until

ROOT = Path(__file__).resolve().parent.parent
GRACE_S = 2.0


def _endless_stream(stop: threading.Event):
    yield config(16000)
    while not stop.wait(0.02):
        yield audio(b"\0\1" * 320)
    yield end()


def _health(address: str) -> int:
    with grpc.insecure_channel(address) as channel:
        return health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=5).status


@pytest.mark.slow  # a server process and its grace period
def test_sigterm_drains_within_grace_while_health_says_not_serving(tmp_path):
    server = ServerProcess("--grace-s", str(GRACE_S), "--avatar-dir", str(tmp_path))
    stop = threading.Event()
    try:
        with grpc.insecure_channel(server.address) as channel:
            stream = stub_for(channel).Animate(_endless_stream(stop), timeout=60)
            assert next(stream).WhichOneof("response") == "started"
            server.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            assert server.wait_for("server_draining")["active_sessions"] == 1
            assert _health(server.address) == health_pb2.HealthCheckResponse.NOT_SERVING
            with pytest.raises(grpc.RpcError) as refused:
                list(stub_for(channel).Animate(iter([config(16000), end()]), timeout=5))
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
            with pytest.raises(grpc.RpcError):  # the endless stream is cut at the end of the grace period
                for _ in stream:
                    pass
            assert server.process.wait(GRACE_S + 10) == 0
            assert time.monotonic() - signalled < GRACE_S + 5
    finally:
        stop.set()
        server.stop()


@pytest.mark.slow  # a server process and its render workers
def test_a_server_killed_outright_takes_its_workers_with_it(tmp_path):
    server = ServerProcess("--render-processes", "2", "--engine-process", "1", "--avatar-dir", str(tmp_path))
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = stub_for(channel)
            avatar_id = stub.CreateAvatar(avatar_pb2.CreateAvatarRequest(image=_jpeg(data.astronaut())),
                                          timeout=60).avatar.avatar_id
            frames = list(stub.Animate(iter([config(16000, avatar_id=avatar_id, output=animate_pb2.OUTPUT_FRAMES,
                                                    idle_s=0.2), end()]), timeout=60))
        assert sum(response.WhichOneof("response") == "frame" for response in frames) == 5
        workers = _children(server.process.pid)
        assert len(workers) >= 3  # two render workers, the engine's (and multiprocessing's resource tracker)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)
        wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), timeout_s=20,
                   what="the workers gone")
    finally:
        server.stop()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (/proc/PID/stat's fourth field)."""
    children = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
        except (OSError, IndexError, ValueError):  # gone meanwhile
            continue
    return children


def _jpeg(rgb) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


# Creates an avatar with the real store, and SIGKILLs itself at the n-th call of `os.<call>` inside
# the atomic writer: after the image's temp file is written but before it is synced, before its rename,
# or after the image is in place but before the record is published (linked into place).
CRASHING_WRITER = """
import os, signal, sys
import runtime.atomic_file as atomic_file
from runtime.face.avatar_store import AvatarStore
call, nth, directory, image = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
original, seen = getattr(os, call), [0]
def crash(*args, **kwargs):
    seen[0] += 1
    if seen[0] == nth:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args, **kwargs)
atomic_file.os = type(os)("os_with_a_crash")
atomic_file.os.__dict__.update(os.__dict__)
setattr(atomic_file.os, call, crash)
AvatarStore(directory).create(open(image, "rb").read())
"""


@pytest.mark.parametrize(("call", "nth"), [("fsync", 1), ("replace", 1), ("link", 1)],
                         ids=["image-unsynced", "image-unrenamed", "record-unpublished"])
def test_a_kill_during_an_avatar_write_leaves_no_partial_avatar(tmp_path, call, nth):
    image = tmp_path / "portrait.jpg"
    image.write_bytes(_jpeg(data.astronaut()))
    avatars = tmp_path / "avatars"
    crashed = subprocess.run([sys.executable, "-c", CRASHING_WRITER, call, str(nth), str(avatars), str(image)],
                             cwd=ROOT, capture_output=True, timeout=120)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr.decode()[-2000:]
    assert list(avatars.glob(".*.tmp")), "the kill should have left a temp file behind"
    server = start_server(avatar_dir=str(avatars))  # the restart
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = stub_for(channel)
            assert list(stub.ListAvatars(avatar_pb2.ListAvatarsRequest()).avatars) == []
            assert not list(avatars.glob("*.msgpack"))  # no record points at a missing or partial image
            created = stub.CreateAvatar(avatar_pb2.CreateAvatarRequest(image=image.read_bytes()), timeout=60).avatar
            assert stub.GetAvatar(avatar_pb2.GetAvatarRequest(avatar_id=created.avatar_id)).avatar == created
    finally:
        server.stop()


@pytest.mark.parametrize("damaged", [".msgpack", ".png"])
def test_a_damaged_store_file_is_dropped_and_logged_not_served(tmp_path, damaged, caplog):
    avatars = tmp_path / "avatars"
    server = start_server(avatar_dir=str(avatars))
    try:
        with grpc.insecure_channel(server.address) as channel:
            request = avatar_pb2.CreateAvatarRequest(image=_jpeg(data.astronaut()))
            avatar_id = stub_for(channel).CreateAvatar(request, timeout=60).avatar.avatar_id
    finally:
        server.stop()
    damaged_file = avatars / f"{avatar_id}{damaged}"
    damaged_file.write_bytes(damaged_file.read_bytes()[: damaged_file.stat().st_size // 2])  # a torn write
    server = start_server(avatar_dir=str(avatars))
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = stub_for(channel)
            with pytest.raises(grpc.RpcError) as failure:
                list(stub.Animate(iter([config(16000, avatar_id=avatar_id), end()]), timeout=30))
            assert failure.value.code() == grpc.StatusCode.NOT_FOUND
            assert list(stub.ListAvatars(avatar_pb2.ListAvatarsRequest()).avatars) == []
    finally:
        server.stop()
    assert f"dropping damaged avatar record {avatar_id}" in caplog.text
    assert not list(avatars.iterdir())
