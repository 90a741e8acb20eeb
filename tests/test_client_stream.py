"""The reference client's two ways of streaming besides a whole clip kept in memory: frames handed
to `on_motion` as they arrive (nothing kept: a live session runs for hours), and a live PCM16 source
read in a thread as the session goes (what `facecast livelink|vmc - --server` use)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import grpc
import numpy as np
import pytest

from runtime.audio.pcm import encode_pcm16
from runtime.errors import InvalidConfigError
from service.api import animate_pb2
from service.client import StreamRequest, stream_audio

RATE = 16_000


def _speech(seconds: float) -> np.ndarray:
    times = np.arange(round(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * 180 * times) * (np.sin(2 * np.pi * 3 * times) > 0)).astype(np.float32)


def _stream(address: str, request: StreamRequest, on_motion=None):
    async def run():
        async with grpc.aio.insecure_channel(address) as channel:
            return await stream_audio(channel, request, on_motion=on_motion)
    return asyncio.run(run())


def test_live_pcm16_handed_to_on_motion_gives_the_frames_of_the_same_samples(server):
    samples = _speech(1.5)
    kept = _stream(server.address, StreamRequest(samples, RATE, seed=3))
    pcm = encode_pcm16(samples)
    handed = []

    async def on_motion(frame) -> None:
        handed.append(frame)

    live = (pcm[offset:offset + 777 * 2] for offset in range(0, len(pcm), 777 * 2))
    result = _stream(server.address, StreamRequest(None, RATE, seed=3, live_pcm16=live), on_motion)
    assert handed == kept.frames and len(handed) == 38  # ceil(1.5 s × 25 fps)
    assert result.frames == [] and len(result.frame_received_s) == 1 and result.chunk_sent_s == []
    assert result.first_frame_latency_s is not None and result.status.frames == len(handed)


def test_a_live_source_that_fails_ends_the_session_with_its_error(server):
    def failing() -> Iterator[bytes]:
        yield bytes(640)
        raise OSError("the microphone went away")

    with pytest.raises(OSError, match="microphone went away"):
        _stream(server.address, StreamRequest(None, RATE, live_pcm16=failing()))


@pytest.mark.parametrize(("fields", "message"), [
    ({"samples": None}, "samples or live_pcm16"),
    ({"samples": np.zeros(10, np.float32), "live_pcm16": [b""]}, "samples or live_pcm16"),
    ({"samples": None, "live_pcm16": [b""], "encoding": animate_pb2.AUDIO_ENCODING_FLOAT32LE}, "live_pcm16 is PCM16"),
    ({"samples": np.zeros(10, np.float32), "encoding": 99}, "PCM_S16LE or FLOAT32LE"),
])
def test_a_request_with_no_audio_or_two_is_refused(fields, message):
    with pytest.raises(InvalidConfigError, match=message):
        StreamRequest(sample_rate=RATE, **fields)


def test_float32_samples_go_unrounded(server):
    """FLOAT32LE: what a bridge sends so that the server animates exactly the samples it has."""
    samples = _speech(1.0) * np.float32(1.0001)  # not on the PCM16 grid
    as_float = _stream(server.address, StreamRequest(samples, RATE, encoding=animate_pb2.AUDIO_ENCODING_FLOAT32LE))
    as_pcm16 = _stream(server.address, StreamRequest(samples, RATE))
    assert len(as_float.frames) == len(as_pcm16.frames) == 25
    assert as_float.frames != as_pcm16.frames  # the rounding shows: the float path is not PCM16 again
