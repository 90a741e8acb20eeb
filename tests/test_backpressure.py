"""A client that stops reading pauses its session with bounded buffering; one that vanishes (its
process killed mid-stream) or stalls past the session's length frees everything."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest

from tests.server_harness import (
    audio,
    config,
    end,
    live_animators,
    motion_frames,
    start_server,
    stub_for,
    wait_until,
    wait_until_animators_released,
)

pytestmark = pytest.mark.slow  # pauses and stalls show only as time passes

CHUNKS = 3000  # 60 s of 16 kHz audio in 20 ms chunks, offered as fast as the server takes them
# The client keeps its receive window at HTTP/2's 64 KiB (no BDP probing), so the pause point is
# the same on every machine: ~190 latents frames fit in it.
SMALL_WINDOW = [("grpc.http2.bdp_probe", 0)]


def _eager_client(sent: list[int]):
    yield config(16000)
    for _ in range(CHUNKS):
        sent[0] += 1
        yield audio(b"\0\1" * 320)
    yield end()


def _frames_made(server) -> list[int]:
    return [record.figures.frames for record in server.running.sessions.active()]


def _settled(read):
    """The value `read()` settles on: unchanged over a second (a busy machine may stall it briefly)."""
    previous = read()
    while True:
        time.sleep(1.0)
        if (current := read()) == previous:
            return current
        previous = current


def test_a_client_that_stops_reading_pauses_its_session(server):
    sent = [0]
    with grpc.insecure_channel(server.address, options=SMALL_WINDOW) as channel:
        call = stub_for(channel).Animate(_eager_client(sent), timeout=60)
        wait_until(lambda: _frames_made(server) and _frames_made(server)[0] > 0)
        paused_at = _settled(lambda: (_frames_made(server)[0], sent[0]))
        frames_made, chunks_taken = paused_at
        # Paused far short of the 1500 frames the audio makes, and reading (so buffering) no more audio.
        assert 0 < frames_made < 500 and chunks_taken < 1000, paused_at
        time.sleep(1.0)  # a pause is seen only by waiting: nothing may move meanwhile
        assert (_frames_made(server)[0], sent[0]) == paused_at and server.active_sessions == 1
        responses = list(call)  # reading again resumes it, and nothing was lost
    assert len(motion_frames(responses)) == CHUNKS // 2 and responses[-1].status.code == 0


def test_a_client_stalled_past_the_session_length_is_cut_off():
    earlier = live_animators()
    server = start_server(max_session_s=1.0)
    try:
        sent = [0]
        with grpc.insecure_channel(server.address, options=SMALL_WINDOW) as channel:
            call = stub_for(channel).Animate(_eager_client(sent), timeout=30)
            wait_until(lambda: server.active_sessions == 1)
            started = time.monotonic()
            wait_until(lambda: server.active_sessions == 0, timeout_s=5.0)
            assert time.monotonic() - started < 3.0  # its length, then as long again to unblock
            call.cancel()  # gRPC cannot send the status past unread frames: the stream ends on our side
        wait_until_animators_released(earlier)
    finally:
        server.stop()


CLIENT = """
import sys, time, grpc
from tests.server_harness import audio, config, stub_for
def requests():
    yield config(16000)
    while True:
        time.sleep(0.02)
        yield audio(b"\\0\\1" * 320)
with grpc.insecure_channel(sys.argv[1]) as channel:
    for response in stub_for(channel).Animate(requests()):
        print(response.WhichOneof("response"), flush=True)
"""


def test_a_killed_client_frees_its_session(server):
    earlier = live_animators()
    root = Path(__file__).resolve().parent.parent
    client = subprocess.Popen([sys.executable, "-c", CLIENT, server.address], cwd=root, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert client.stdout.readline().strip() == "started"
        while client.stdout.readline().strip() != "motion":  # until mid-stream
            pass
        assert server.active_sessions == 1
        client.send_signal(signal.SIGKILL)
        client.wait(10)
        wait_until(lambda: server.active_sessions == 0)
    finally:
        client.kill()
    wait_until_animators_released(earlier)
