"""Real-time sessions over loopback gRPC: first-frame latency, per-frame latency beyond the audio
each frame needs, and how many concurrent sessions keep real time."""

from __future__ import annotations

import asyncio

import grpc
import numpy as np

from runtime.audio.pcm import AudioFormat
from runtime.defaults import DEFAULT_FPS
from runtime.pipeline import Animator, AnimatorOptions
from service.api import animate_pb2
from service.client import StreamRequest, StreamResult, stream_audio
from service.grpc_options import grpc_options
from service.settings import ServerSettings

SAMPLE_RATE = 16_000
CHUNK_S = 0.02
HELD_P99_MS = 100.0  # a session keeps real time if 99 % of its frames come this soon after their audio
HELD_MAX_MS = 250.0  # ...and none later than this


def frame_latencies_ms(result: StreamResult, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """For each frame: arrival minus the send time of the chunk that completed the audio it needs
    (by the Animator's own rule, `audio_needed_s`), i.e. the delay the server added."""
    return _latencies_ms(_paced_frames(result, sample_rate))


def _latencies_ms(paced: list[tuple[float, float]]) -> np.ndarray:
    return np.array([(received - sent) * 1000.0 for received, sent in paced])


def _streaming_fps(paced: list[tuple[float, float]]) -> float:
    """Frames per second from the session's first frame to the last one its audio paced: what a
    real-time stream delivers once it runs. The start (the audio the first frame waits for) is the
    first-frame figures' and the tail (the frames that wait for the end of audio, then come at once)
    left out: over a run's wall time a 60 fps stream of 15 s reads 59, its start being in it."""
    span = paced[-1][0] - paced[0][0] if len(paced) > 1 else 0.0
    return (len(paced) - 1) / span if span > 0 else 0.0


def _paced_frames(result: StreamResult, sample_rate: int) -> list[tuple[float, float]]:
    """(arrival, send time of the chunk that completed its audio) of each frame that waited for audio
    rather than for the end of audio."""
    step = round(CHUNK_S * sample_rate)
    rule = Animator(AnimatorOptions(fps=result.started.fps, audio_format=AudioFormat(sample_rate_hz=sample_rate)))
    sent = result.chunk_sent_s
    paced = []
    for frame, received in zip(result.frames, result.frame_received_s, strict=True):
        needed_samples = rule.audio_needed_s(frame.index) * sample_rate
        chunk = int(np.ceil(needed_samples / step - 1e-9)) - 1  # index of the chunk completing it
        if chunk >= len(sent):
            continue  # the last frames wait for EndOfAudio, not for audio
        paced.append((received, sent[chunk]))
    return paced


async def _session(address: str, samples: np.ndarray, delay_s: float, avatar_id: str, fps: int) -> StreamResult:
    await asyncio.sleep(delay_s)
    output = animate_pb2.OUTPUT_LATENTS_AND_FRAMES if avatar_id else animate_pb2.OUTPUT_LATENTS
    request = StreamRequest(samples, SAMPLE_RATE, fps=fps, realtime=True, chunk_s=CHUNK_S, avatar_id=avatar_id,
                            output=output)
    # Each session its own connection, as separate clients have (channels in one process would
    # otherwise share one, and `serve --processes N` would see all sessions on one process).
    options = [*grpc_options(ServerSettings()), ("grpc.use_local_subchannel_pool", 1)]
    async with grpc.aio.insecure_channel(address, options=options) as channel:
        return await stream_audio(channel, request)


async def run_sessions(address: str, samples: np.ndarray, count: int, stagger_s: float = 1.0,
                       avatar_id: str = "", fps: int = DEFAULT_FPS) -> list[StreamResult]:
    """`count` real-time sessions at once at `fps`, their starts spread over `stagger_s`; with
    `avatar_id`, each also receives rendered frames (JPEG, 512²), sent with their MotionFrames."""
    delays = np.linspace(0.0, stagger_s, count, endpoint=False)
    return await asyncio.gather(*(_session(address, samples, float(delay), avatar_id, fps) for delay in delays))


def session_figures(result: StreamResult) -> dict:
    paced = _paced_frames(result, SAMPLE_RATE)
    latencies = _latencies_ms(paced)
    return {
        "first_frame_latency_ms": round(result.first_frame_latency_s * 1000.0, 1),
        "first_frame_beyond_need_ms": round(float(latencies[0]), 1),
        "p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "p99_ms": round(float(np.percentile(latencies, 99)), 1),
        "max_ms": round(float(latencies.max()), 1),
        "held": bool(np.percentile(latencies, 99) <= HELD_P99_MS and latencies.max() <= HELD_MAX_MS),
        "stream_fps": _streaming_fps(paced),
    }
