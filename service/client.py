"""The reference client: streams audio to a Facecast server and collects what comes back.

Used by `facecast stream`, the benchmarks and the tests; it shows the intended use of the
contract: SessionConfig, AudioChunks (paced against a real-time clock if asked), EndOfAudio.

Behind a balancer (DESIGN.md, "Scale-out") a session *start* may meet a node that is gone, draining
or full: with a `StartRetry`, the client starts it again after a backoff with jitter, and the
balancer sends it elsewhere. A session that had started (SessionStarted arrived) is never started
again: its audio is half sent and the engine is playing its frames, so the failure is raised.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, fields

import grpc
import numpy as np

from runtime.audio.pcm import encode_pcm16
from runtime.defaults import DEFAULT_FPS, DEFAULT_SEED, check_fps, check_seed
from service.api import animate_pb2, controls_pb2, face_animation_pb2_grpc

DEFAULT_CHUNK_S = 0.02
# How a start fails when its node is lost: UNAVAILABLE straight from a client-side balanced channel
# (connection refused or reset) or from a draining server; INTERNAL through nginx, which resets the
# HTTP/2 stream when its upstream dies (REFERENCES.md); RESOURCE_EXHAUSTED from a node at capacity.
START_RETRY_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL,
                               grpc.StatusCode.RESOURCE_EXHAUSTED})


@dataclass(frozen=True)
class StartRetry:
    """Backoff between tries of a session start: exponential, capped, with jitter so that the
    clients of a lost node do not all come back at the same instant."""

    attempts: int = 6  # starts tried in all, the first included; 1: no retry
    initial_delay_s: float = 0.25  # nominal wait before the first retry
    max_delay_s: float = 4.0  # cap of the nominal wait
    multiplier: float = 2.0  # growth of the nominal wait per retry
    jitter: float = 0.3  # the wait is the nominal one times a uniform factor in [1 - jitter, 1]

    def __post_init__(self) -> None:
        checks = {"attempts": self.attempts >= 1, "initial_delay_s": self.initial_delay_s >= 0,
                  "max_delay_s": self.max_delay_s >= self.initial_delay_s, "multiplier": self.multiplier >= 1,
                  "jitter": 0 <= self.jitter <= 1}
        for spec in fields(self):
            if not checks[spec.name]:
                raise ValueError(f"StartRetry.{spec.name} is out of range: {getattr(self, spec.name)!r}")

    def nominal_delay_s(self, retry: int) -> float:
        """The wait before retry number `retry` (0-based), without jitter."""
        return min(self.initial_delay_s * self.multiplier ** retry, self.max_delay_s)

    def delay_s(self, retry: int, rng: random.Random) -> float:
        return self.nominal_delay_s(retry) * (1.0 - self.jitter * rng.random())


NO_RETRY = StartRetry(attempts=1)


@dataclass(frozen=True)
class StreamRequest:
    """What to stream and how."""

    samples: np.ndarray  # mono float32 in [-1, 1]
    sample_rate: int
    fps: int = DEFAULT_FPS
    seed: int = DEFAULT_SEED
    chunk_s: float = DEFAULT_CHUNK_S
    realtime: bool = False  # pace chunks at the audio's own rate, as a live source would
    controls: controls_pb2.Controls | None = None
    mouth_model: str = ""
    avatar_id: str = ""
    output: int = animate_pb2.OUTPUT_LATENTS  # OUTPUT_LATENTS_AND_FRAMES renders (needs avatar_id)
    listen: np.ndarray | None = None  # the other party's voice at `sample_rate`: a conversation session

    def __post_init__(self) -> None:
        # Checked here, the way the server checks them, so a bad value is one clear error before any
        # connection (a seed outside uint64 would otherwise fail inside gRPC's request stream).
        check_fps(self.fps)
        check_seed(self.seed)


@dataclass
class StreamResult:
    started: animate_pb2.SessionStarted | None = None
    frames: list = field(default_factory=list)  # motion_pb2.MotionFrame
    events: list = field(default_factory=list)  # animate_pb2.Event
    status: animate_pb2.SessionStatus | None = None
    rendered_frames: int = 0
    rendered_bytes: int = 0
    first_chunk_sent_s: float | None = None  # monotonic clock
    chunk_sent_s: list[float] = field(default_factory=list)  # monotonic send time of each chunk
    frame_received_s: list[float] = field(default_factory=list)  # monotonic arrival of each frame
    finished_s: float | None = None
    start_attempts: int = 1  # starts tried before this session started (see StartRetry)

    @property
    def first_frame_latency_s(self) -> float | None:
        """First audio chunk sent → first MotionFrame received."""
        if not self.frame_received_s or self.first_chunk_sent_s is None:
            return None
        return self.frame_received_s[0] - self.first_chunk_sent_s


def config_request(request: StreamRequest) -> animate_pb2.AnimateRequest:
    config = animate_pb2.SessionConfig(
        avatar_id=request.avatar_id,
        fps=request.fps,
        seed=request.seed,
        audio_format=animate_pb2.AudioFormat(encoding=animate_pb2.AUDIO_ENCODING_PCM_S16LE,
                                             sample_rate_hz=request.sample_rate),
        output=request.output,
        mouth_model=request.mouth_model,
        conversation=request.listen is not None,
    )
    if request.controls is not None:
        config.controls.CopyFrom(request.controls)
    return animate_pb2.AnimateRequest(config=config)


async def _requests(request: StreamRequest, result: StreamResult, started: asyncio.Event
                    ) -> AsyncIterator[animate_pb2.AnimateRequest]:
    yield config_request(request)
    # Audio only into a session the server accepted: a refused call (key, capacity, config) then
    # ends with the server's status. Writing on while it ends makes grpc.aio report "INTERNAL:
    # Internal error from Core" instead (grpc/grpc#36066).
    await started.wait()
    step = max(1, round(request.chunk_s * request.sample_rate))
    start = time.monotonic()
    length = max(len(request.samples), 0 if request.listen is None else len(request.listen))
    for offset in range(0, length, step):
        if request.realtime:  # send each chunk when its last sample would have been captured
            due = start + (offset + step) / request.sample_rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        if request.listen is not None and offset < len(request.listen):  # both streams on one clock
            heard = encode_pcm16(request.listen[offset:offset + step])
            yield animate_pb2.AnimateRequest(listen_audio=animate_pb2.AudioChunk(data=heard))
        if offset >= len(request.samples):
            continue
        chunk = encode_pcm16(request.samples[offset:offset + step])
        now = time.monotonic()
        result.first_chunk_sent_s = result.first_chunk_sent_s or now
        result.chunk_sent_s.append(now)
        yield animate_pb2.AnimateRequest(audio=animate_pb2.AudioChunk(data=chunk))
    yield animate_pb2.AnimateRequest(end_of_audio=animate_pb2.EndOfAudio())


async def stream_audio(channel: grpc.aio.Channel, request: StreamRequest,
                       metadata: tuple[tuple[str, str], ...] = (), retry: StartRetry = NO_RETRY,
                       rng: random.Random | None = None) -> StreamResult:
    """Runs one Animate session to its end; raises grpc.aio.AioRpcError on a failed status.
    `metadata`: e.g. (("authorization", "Bearer <API key>"),). `retry`: how often a start that met a
    lost, draining or full node is tried again (never a session that had started); `rng`: the
    jitter's source, seeded for reproducible waits."""
    rng = rng or random.Random()
    attempt = 1
    while True:
        result = StreamResult(start_attempts=attempt)
        try:
            return await _run_session(channel, request, result, metadata)
        except grpc.aio.AioRpcError as error:
            if result.started is not None or error.code() not in START_RETRY_CODES or attempt == retry.attempts:
                raise
        await asyncio.sleep(retry.delay_s(attempt - 1, rng))
        attempt += 1


async def _run_session(channel: grpc.aio.Channel, request: StreamRequest, result: StreamResult,
                       metadata: tuple[tuple[str, str], ...]) -> StreamResult:
    started = asyncio.Event()
    stub = face_animation_pb2_grpc.FaceAnimationStub(channel)
    async for response in stub.Animate(_requests(request, result, started), metadata=metadata or None):
        kind = response.WhichOneof("response")
        if kind == "motion":
            result.frame_received_s.append(time.monotonic())
            result.frames.append(response.motion)
        elif kind == "started":
            result.started = response.started
            started.set()
        elif kind == "event":
            result.events.append(response.event)
        elif kind == "frame":
            result.rendered_frames += 1
            result.rendered_bytes += len(response.frame.data)
        elif kind == "status":
            result.status = response.status
    result.finished_s = time.monotonic()
    return result
