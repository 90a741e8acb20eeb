"""The tests' one harness: a real Facecast server on an ephemeral loopback port, run on its own
event loop thread (and the `server` and `stub` fixtures over it), a small synchronous client,
`wait_until` for conditions that come true in their own time, and `free_port` / `free_ports`."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

import grpc
import pytest

from runtime.pipeline import Animator
from service.api import animate_pb2, face_animation_pb2_grpc
from service.process import free_port, free_ports
from service.server import RunningServer, create_server
from service.settings import ServerSettings

__all__ = ["free_port", "free_ports"]  # re-exported: tests take every harness helper from here
POLL_S = 0.02

TEST_SETTINGS = ServerSettings(host="127.0.0.1", port=0, grace_s=2.0, workers=2)


class ServerThread:
    def __init__(self, settings: ServerSettings = TEST_SETTINGS) -> None:
        self._avatar_dir = tempfile.TemporaryDirectory(prefix="facecast-avatars-")  # never the user's cache
        settings = replace(settings, avatar_dir=settings.avatar_dir or self._avatar_dir.name)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="test-server", daemon=True)
        self._thread.start()
        try:
            self.running: RunningServer = self.call(create_server(settings))
        except BaseException:  # a refused configuration: leave no loop thread or directory behind
            self._close_loop()
            raise
        self.address = f"127.0.0.1:{self.running.port}"

    def call(self, coroutine, timeout_s: float = 30.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout_s)

    @property
    def active_sessions(self) -> int:
        return self.running.sessions.active_count

    def stop(self) -> None:
        self.call(self.running.stop(0))
        self._close_loop()

    def _close_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._avatar_dir.cleanup()


def start_server(**overrides) -> ServerThread:
    return ServerThread(replace(TEST_SETTINGS, **overrides))


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    """One server per test module, with the test settings."""
    running = ServerThread()
    yield running
    running.stop()


@pytest.fixture()
def stub(server: ServerThread) -> Iterator[face_animation_pb2_grpc.FaceAnimationStub]:
    with grpc.insecure_channel(server.address) as channel:
        yield stub_for(channel)


def wait_until(condition: Callable[[], object], timeout_s: float = 10.0, what: str = "the condition") -> None:
    """Polls `condition` until it is true; fails the test after `timeout_s`. For what a server does
    in its own time (a session freed, a log line written): never a fixed sleep that is too short on
    a busy machine and too long on a quiet one."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what} was not met within {timeout_s:g} s"
        time.sleep(POLL_S)


def child_pids() -> set[int]:
    """This process's live child processes (multiprocessing's), by pid."""
    return {process.pid for process in multiprocessing.active_children()}


def wait_until_no_children_since(before: set[int], timeout_s: float = 10.0) -> None:
    """Polls until every child process started since `before` (child_pids() then) is gone; fails the test,
    naming them, after `timeout_s`. A pool worker closed is joined by the pool's own thread as well as by
    whoever closed it, and multiprocessing may list it alive until its end is recorded: read at once after
    closing, this check failed twice in about ten full test runs (a spawned worker listed), never in 60 runs
    of its test alone nor 12 of its module. One that stays for seconds outlived its closing."""
    deadline = time.monotonic() + timeout_s
    while left := [process for process in multiprocessing.active_children() if process.pid not in before]:
        assert time.monotonic() < deadline, \
            f"child processes outlived their closing by {timeout_s:g} s: {[(p.name, p.pid) for p in left]}"
        time.sleep(POLL_S)


def live_animators() -> list[Animator]:
    """Every Animator this process still holds, after a collection (type(): isinstance probes proxies)."""
    gc.collect()
    return [thing for thing in gc.get_objects() if type(thing) is Animator]


def wait_until_animators_released(kept: Iterable[Animator] = ()) -> None:
    """Polls until every Animator but those `kept` (alive before the sessions under test: an earlier
    test's session winding down) is freed. A session's runtime state goes with its call, moments after
    the server counts the session closed; one that stays for seconds is a leak."""
    before = weakref.WeakSet(kept)
    wait_until(lambda: not [animator for animator in live_animators() if animator not in before],
               timeout_s=5.0, what="every session's Animator released")


def stub_for(channel: grpc.Channel) -> face_animation_pb2_grpc.FaceAnimationStub:
    return face_animation_pb2_grpc.FaceAnimationStub(channel)


def config(sample_rate: int, *, seed: int = 0, fps: int = 25,
           encoding: int = animate_pb2.AUDIO_ENCODING_PCM_S16LE, **fields) -> animate_pb2.AnimateRequest:
    audio_format = animate_pb2.AudioFormat(encoding=encoding, sample_rate_hz=sample_rate)
    return animate_pb2.AnimateRequest(
        config=animate_pb2.SessionConfig(audio_format=audio_format, seed=seed, fps=fps, **fields))


def audio(data: bytes) -> animate_pb2.AnimateRequest:
    return animate_pb2.AnimateRequest(audio=animate_pb2.AudioChunk(data=data))


def end() -> animate_pb2.AnimateRequest:
    return animate_pb2.AnimateRequest(end_of_audio=animate_pb2.EndOfAudio())


def chunked(data: bytes, chunk_bytes: int) -> Iterator[animate_pb2.AnimateRequest]:
    for offset in range(0, len(data), chunk_bytes):
        yield audio(data[offset:offset + chunk_bytes])


def session(pcm16: bytes, sample_rate: int, chunk_bytes: int | None = None, **config_fields
            ) -> list[animate_pb2.AnimateRequest]:
    """The requests of a whole, well-formed session."""
    return [config(sample_rate, **config_fields), *chunked(pcm16, chunk_bytes or len(pcm16)), end()]


def run_session(stub, requests: Iterable[animate_pb2.AnimateRequest]) -> list[animate_pb2.AnimateResponse]:
    return list(stub.Animate(iter(requests), timeout=60))


def motion_frames(responses: list[animate_pb2.AnimateResponse]) -> list:
    return [response.motion for response in responses if response.WhichOneof("response") == "motion"]

