"""`serve --engine-process 1`: every session's motion computed in a worker process (EngineProcess),
over real gRPC on a loopback port: the same frames as the serving process's own engine gives, a bad
request failing its session only, nothing left in the worker by a session that ends or is cancelled,
and a worker that dies failing its sessions with UNAVAILABLE and replaced for the next ones."""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
from collections.abc import Iterator

import grpc
import pytest

from runtime.errors import InvalidAudioError
from runtime.pipeline import AnimatorOptions
from service.api import animate_pb2, avatar_pb2, controls_pb2
from service.engine_worker import EnginePass, merged, portable
from tests import portraits
from tests.server_harness import (
    ServerThread,
    audio,
    chunked,
    config,
    end,
    motion_frames,
    run_session,
    start_server,
    stub_for,
    wait_until,
)

pytestmark = pytest.mark.slow  # a worker process per server, started and warmed in about two seconds


@pytest.fixture(scope="module")
def engine_server() -> Iterator[ServerThread]:
    running = start_server(engine_process=1)
    yield running
    running.stop()


def _requests(speech, seed: int) -> list[animate_pb2.AnimateRequest]:
    """20 ms chunks, with a control change and an interrupt on the way: every queue call the worker replays."""
    chunks = list(chunked(speech.pcm16(), 882))
    smile = animate_pb2.AnimateRequest(control=animate_pb2.ControlUpdate(
        controls=controls_pb2.Controls(emotion=controls_pb2.EMOTION_HAPPY, emotion_intensity=0.8), transition_s=0.3))
    interrupt = animate_pb2.AnimateRequest(interrupt=animate_pb2.Interrupt())
    return [config(speech.sample_rate, seed=seed, idle_s=0.3), *chunks[:60], smile, *chunks[60:200], interrupt,
            *chunks[200:], end()]


def _frames(address: str, requests: list[animate_pb2.AnimateRequest]) -> list[bytes]:
    with grpc.insecure_channel(address) as channel:
        return [frame.SerializeToString() for frame in motion_frames(run_session(stub_for(channel), requests))]


def test_sessions_get_the_same_frames_as_from_the_serving_process_engine(server, engine_server, speech):
    for seed in (0, 7):
        requests = _requests(speech, seed)
        here, there = _frames(server.address, requests), _frames(engine_server.address, requests)
        assert len(there) > 150
        assert there == here


def test_concurrent_sessions_get_their_own_frames(server, engine_server, speech):
    """Eight sessions at once share the worker's passes; each gets what it gets alone."""
    alone = {seed: _frames(server.address, _requests(speech, seed)) for seed in (1, 2)}
    together: dict[int, list[bytes]] = {}

    def run(seed: int, index: int) -> None:
        together[index] = _frames(engine_server.address, _requests(speech, seed))

    threads = [threading.Thread(target=run, args=(1 + index % 2, index)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(together) == list(range(8))
    for index, frames in together.items():
        assert frames == alone[1 + index % 2]


def test_a_rendered_session_gets_a_picture_with_every_frame(engine_server):
    with grpc.insecure_channel(engine_server.address) as channel:
        stub = stub_for(channel)
        image = portraits.portrait_png("photo")
        avatar_id = stub.CreateAvatar(avatar_pb2.CreateAvatarRequest(image=image), timeout=60).avatar.avatar_id
        responses = run_session(stub, [config(16000, avatar_id=avatar_id, output=animate_pb2.OUTPUT_LATENTS_AND_FRAMES),
                                       *chunked(b"\0\0" * 16000, 640), end()])
    kinds = [response.WhichOneof("response") for response in responses]
    assert kinds.count("motion") == kinds.count("frame") == 25
    assert all(kinds[index + 1] == "frame" for index, kind in enumerate(kinds) if kind == "motion")


def test_a_bad_chunk_fails_its_session_only(engine_server, speech):
    good = _requests(speech, 3)
    results: dict[str, object] = {}

    def run_good() -> None:
        results["good"] = _frames(engine_server.address, good)

    thread = threading.Thread(target=run_good)
    thread.start()
    with grpc.insecure_channel(engine_server.address) as channel:
        with pytest.raises(grpc.RpcError) as failure:
            run_session(stub_for(channel), [config(16000), audio(b"\0" * 640), audio(b"\0" * 3), end()])
    thread.join(120)
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "bytes" in failure.value.details()
    assert len(results["good"]) > 150
    wait_until(lambda: engine_server.active_sessions == 0, what="no session left")
    wait_until(lambda: engine_server.running.engine.worker_sessions == 0, what="no session left in the worker")


def test_a_cancelled_session_leaves_nothing_in_the_worker(engine_server, speech):
    def slow_requests():
        yield config(speech.sample_rate)
        for request in chunked(speech.pcm16(), 882):
            time.sleep(0.005)
            yield request

    with grpc.insecure_channel(engine_server.address) as channel:
        call = stub_for(channel).Animate(slow_requests())
        received = 0
        for response in call:
            received += response.WhichOneof("response") == "motion"
            if received == 5:
                assert engine_server.running.engine.worker_sessions == 1
                call.cancel()
                break
    wait_until(lambda: engine_server.active_sessions == 0, what="no session left")
    wait_until(lambda: engine_server.running.engine.worker_sessions == 0, what="no session left in the worker")


def test_a_worker_that_dies_fails_its_sessions_and_is_replaced(speech):
    running = start_server(engine_process=1)
    try:
        engine = running.running.engine
        worker = engine.pid

        def requests():
            yield config(speech.sample_rate)
            for index, request in enumerate(chunked(speech.pcm16(), 882)):
                if index == 20:
                    os.kill(worker, signal.SIGKILL)
                time.sleep(0.01)
                yield request
            yield end()

        with grpc.insecure_channel(running.address) as channel:
            with pytest.raises(grpc.RpcError) as failure:
                run_session(stub_for(channel), requests())
        assert failure.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "engine" in failure.value.details()
        wait_until(lambda: running.active_sessions == 0, what="no session left")
        assert engine.pid != worker
        assert len(_frames(running.address, _requests(speech, 0))) > 150  # the new worker serves
    finally:
        running.stop()


def test_an_idle_stream_on_the_engine_process_times_out():
    """The reader of a session that reads ahead is its own task: the idle timeout still ends the stream."""
    running = start_server(engine_process=1, idle_timeout_s=0.5)
    try:
        def requests():
            yield config(16000)
            yield audio(b"\0\0" * 320)
            time.sleep(2.0)

        with grpc.insecure_channel(running.address) as channel:
            # A whole session first: the worker is up (about two seconds) before the stream below waits,
            # or its wait passes while the session is still opening and no read is waiting yet.
            run_session(stub_for(channel), [config(16000), end()])
            with pytest.raises(grpc.RpcError) as failure:
                run_session(stub_for(channel), requests())
        assert failure.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        wait_until(lambda: running.active_sessions == 0, what="no session left")
        wait_until(lambda: running.running.engine.worker_sessions == 0, what="no session left in the worker")
    finally:
        running.stop()


def test_merged_passes_never_open_a_session_forgotten_in_a_later_one():
    first = EnginePass(open={1: AnimatorOptions(), 2: AnimatorOptions()}, calls={3: [("queue_end", ())]})
    second = EnginePass(forget=[1, 4], calls={2: [("queue_silence", (0.1,))]})
    whole = merged([first, second])
    assert list(whole.open) == [2]
    assert whole.forget == [4]
    assert whole.calls == {3: [("queue_end", ())], 2: [("queue_silence", (0.1,))]}


def test_errors_cross_from_the_worker_as_the_server_maps_them():
    """The runtime's own errors keep their type and message (their status code and text reach the
    client); any other becomes a RuntimeError carrying its traceback for the server's log."""
    invalid = portable(InvalidAudioError("an odd byte count"))
    assert type(invalid) is InvalidAudioError and str(invalid) == "an odd byte count"
    try:
        {}["missing"]
    except KeyError as error:
        internal = portable(error)
    assert type(internal) is RuntimeError
    assert "KeyError" in str(internal) and "Traceback" in str(internal)
    assert pickle.loads(pickle.dumps(internal)).args == internal.args
