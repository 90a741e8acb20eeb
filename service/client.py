"""The reference client: streams audio to a Facecast server and collects what comes back.

Used by `facecast stream`, the bridges (`facecast livelink|vmc --server`), the benchmarks and the
tests; it shows the intended use of the contract: SessionConfig, AudioChunks (paced against a
real-time clock if asked, or as a live source gives them), EndOfAudio. Frames are kept in the
result, or handed one by one to `on_motion` as they arrive (a live session runs for hours).

Behind a balancer (DESIGN.md, "Scale-out") a session *start* may meet a node that is gone, draining
or full: with a `StartRetry`, the client starts it again after a backoff with jitter, and the
balancer sends it elsewhere. A session that had started (SessionStarted arrived) is never started
again: its audio is half sent and the engine is playing its frames, so the failure is raised.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import random
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields

import grpc
import numpy as np

from runtime.audio.pcm import encode_pcm16
from runtime.defaults import DEFAULT_FPS, DEFAULT_SEED, check_fps, check_seed
from runtime.errors import FacecastError, InvalidConfigError
from service.api import animate_pb2, controls_pb2, face_animation_pb2_grpc, motion_pb2

DEFAULT_CHUNK_S = 0.02
LIVE_CHUNKS_AHEAD = 8  # chunks of a live source read ahead of what gRPC has taken: a bound, not a backlog
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
    """What to stream and how: `samples`, or (`samples` None) `live_pcm16`."""

    samples: np.ndarray | None  # mono float32 in [-1, 1]
    sample_rate: int
    fps: int = DEFAULT_FPS
    seed: int = DEFAULT_SEED
    chunk_s: float = DEFAULT_CHUNK_S
    realtime: bool = False  # pace chunks at the audio's own rate, as a live source would
    controls: controls_pb2.Controls | None = None
    mouth_model: str = ""
    avatar_id: str = ""
    output: int = animate_pb2.OUTPUT_LATENTS  # OUTPUT_LATENTS_AND_FRAMES renders (needs avatar_id)
    # How `samples` go on the wire: PCM16 (half the bytes) or FLOAT32LE, the samples unrounded (what a
    # caller that must match the in-process runtime for a float source sends).
    encoding: int = animate_pb2.AUDIO_ENCODING_PCM_S16LE
    # A live source instead of `samples`: PCM16 little-endian chunks from a blocking reader (stdin, a
    # microphone), read in a thread as the session goes and sent as they come (never paced again).
    live_pcm16: Iterable[bytes] | None = None
    listen: np.ndarray | None = None  # the other party's voice at `sample_rate`: a conversation session

    def __post_init__(self) -> None:
        # Checked here, the way the server checks them, so a bad value is one clear error before any
        # connection (a seed outside uint64 would otherwise fail inside gRPC's request stream).
        check_fps(self.fps)
        check_seed(self.seed)
        if (self.samples is None) == (self.live_pcm16 is None):
            raise InvalidConfigError("a StreamRequest takes samples or live_pcm16, one of them")
        if self.encoding not in (animate_pb2.AUDIO_ENCODING_PCM_S16LE, animate_pb2.AUDIO_ENCODING_FLOAT32LE):
            raise InvalidConfigError(f"StreamRequest.encoding must be PCM_S16LE or FLOAT32LE, got {self.encoding}")
        if self.live_pcm16 is not None and self.encoding != animate_pb2.AUDIO_ENCODING_PCM_S16LE:
            raise InvalidConfigError("live_pcm16 is PCM16: StreamRequest.encoding must be PCM_S16LE")
        if self.live_pcm16 is not None and self.listen is not None:
            raise InvalidConfigError("a live source and a listen track cannot be streamed together (yet)")


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
    # False when frames go to `on_motion`: then neither frames nor per-chunk and per-frame times are
    # kept (hours of a live session would only grow), only the first of each.
    keeps_history: bool = True

    def chunk_sent(self, now: float) -> None:
        self.first_chunk_sent_s = self.first_chunk_sent_s or now
        if self.keeps_history:
            self.chunk_sent_s.append(now)

    def frame_received(self, frame: motion_pb2.MotionFrame, now: float) -> None:
        if self.keeps_history or not self.frame_received_s:
            self.frame_received_s.append(now)
        if self.keeps_history:
            self.frames.append(frame)

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
        audio_format=animate_pb2.AudioFormat(encoding=request.encoding, sample_rate_hz=request.sample_rate),
        output=request.output,
        mouth_model=request.mouth_model,
        conversation=request.listen is not None,
    )
    if request.controls is not None:
        config.controls.CopyFrom(request.controls)
    return animate_pb2.AnimateRequest(config=config)


async def _requests(request: StreamRequest, result: StreamResult, started: asyncio.Event, ended: asyncio.Event,
                    source_failure: list[Exception]) -> AsyncIterator[animate_pb2.AnimateRequest]:
    yield config_request(request)
    # Audio only into a session the server accepted: a refused call (key, capacity, config) then
    # ends with the server's status. Writing on while it ends makes grpc.aio report "INTERNAL:
    # Internal error from Core" instead (grpc/grpc#36066); so too once the server has ended a session
    # that had started (its maximum length, a drain's grace): the writes stop when the call is done.
    await started.wait()
    messages = _file_requests(request) if request.live_pcm16 is None else _live_requests(iter(request.live_pcm16))
    try:
        async for message in messages:
            if ended.is_set():
                return
            if message.WhichOneof("request") == "audio":
                result.chunk_sent(time.monotonic())
            yield message
    except Exception as error:  # grpc.aio cancels the call and keeps the reason to itself: note it
        source_failure.append(error)
        raise
    if not ended.is_set():
        yield animate_pb2.AnimateRequest(end_of_audio=animate_pb2.EndOfAudio())


async def _live_requests(chunks: Iterator[bytes]) -> AsyncIterator[animate_pb2.AnimateRequest]:
    async for chunk in _live_chunks(chunks):
        yield animate_pb2.AnimateRequest(audio=animate_pb2.AudioChunk(data=chunk))


async def _file_requests(request: StreamRequest) -> AsyncIterator[animate_pb2.AnimateRequest]:
    """The audio in chunks (and, in a conversation, the listen stream's chunk before each: both
    streams on one clock)."""
    step = max(1, round(request.chunk_s * request.sample_rate))
    start = time.monotonic()
    length = max(len(request.samples), 0 if request.listen is None else len(request.listen))
    for offset in range(0, length, step):
        if request.realtime:  # send each chunk when its last sample would have been captured
            due = start + (offset + step) / request.sample_rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        if request.listen is not None and offset < len(request.listen):
            heard = _encoded(request.listen[offset:offset + step], request.encoding)
            yield animate_pb2.AnimateRequest(listen_audio=animate_pb2.AudioChunk(data=heard))
        if offset < len(request.samples):
            own = _encoded(request.samples[offset:offset + step], request.encoding)
            yield animate_pb2.AnimateRequest(audio=animate_pb2.AudioChunk(data=own))


def _encoded(samples: np.ndarray, encoding: int) -> bytes:
    if encoding == animate_pb2.AUDIO_ENCODING_FLOAT32LE:
        return np.asarray(samples, "<f4").tobytes()
    return encode_pcm16(samples)


_END_OF_SOURCE = object()


async def _live_chunks(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """`chunks` read in a daemon thread, at most LIVE_CHUNKS_AHEAD ahead: a read blocked on a quiet
    source holds neither the event loop (frames keep arriving) nor the process's exit. A failure
    to read is raised here, in the session."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue(LIVE_CHUNKS_AHEAD)

    def hand_over(item: object) -> bool:
        """Queues `item` once there is room; False when the session is over (its loop closed, or
        the waiting put cancelled as it closed): nobody wants the rest."""
        put = queue.put(item)
        try:
            asyncio.run_coroutine_threadsafe(put, loop).result()
        except (RuntimeError, concurrent.futures.CancelledError):
            put.close()  # never run, the loop being closed ("coroutine was never awaited" otherwise)
            return False
        return True

    def read() -> None:
        last: object = _END_OF_SOURCE
        try:
            for chunk in chunks:
                if not hand_over(chunk):
                    return
        except Exception as error:  # noqa: BLE001 - handed to the session, which raises it
            last = error
        hand_over(last)

    threading.Thread(target=read, name="live-audio", daemon=True).start()
    while (item := await queue.get()) is not _END_OF_SOURCE:
        if isinstance(item, Exception):
            raise item
        yield item


# Awaited with each MotionFrame as it arrives; reading waits for it (its waits are back-pressure).
MotionHandler = Callable[[motion_pb2.MotionFrame], Awaitable[None]]


async def stream_audio(channel: grpc.aio.Channel, request: StreamRequest,
                       metadata: tuple[tuple[str, str], ...] = (), retry: StartRetry = NO_RETRY,
                       rng: random.Random | None = None, on_motion: MotionHandler | None = None) -> StreamResult:
    """Runs one Animate session to its end; raises grpc.aio.AioRpcError on a failed status.
    `metadata`: e.g. (("authorization", "Bearer <API key>"),). `retry`: how often a start that met a
    lost, draining or full node is tried again (never a session that had started); `rng`: the
    jitter's source, seeded for reproducible waits. `on_motion`: given each frame as it arrives,
    instead of the result keeping them (StreamResult.keeps_history)."""
    rng = rng or random.Random()
    attempt = 1
    while True:
        result = StreamResult(start_attempts=attempt, keeps_history=on_motion is None)
        try:
            return await _run_session(channel, request, result, metadata, on_motion)
        except grpc.aio.AioRpcError as error:
            if result.started is not None or error.code() not in START_RETRY_CODES or attempt == retry.attempts:
                raise
        await asyncio.sleep(retry.delay_s(attempt - 1, rng))
        attempt += 1


async def _run_session(channel: grpc.aio.Channel, request: StreamRequest, result: StreamResult,
                       metadata: tuple[tuple[str, str], ...], on_motion: MotionHandler | None) -> StreamResult:
    started, ended = asyncio.Event(), asyncio.Event()
    source_failure: list[Exception] = []
    stub = face_animation_pb2_grpc.FaceAnimationStub(channel)
    call = stub.Animate(_requests(request, result, started, ended, source_failure), metadata=metadata or None)
    call.add_done_callback(lambda _: ended.set())
    try:
        await _read_responses(call, result, started, on_motion)
    except (asyncio.CancelledError, grpc.aio.AioRpcError):
        if source_failure:  # the audio source failed (a live reader's error): that is the reason, not the cancel
            raise source_failure[0] from None
        raise
    result.finished_s = time.monotonic()
    return result


async def _read_responses(call: grpc.aio.StreamStreamCall, result: StreamResult, started: asyncio.Event,
                          on_motion: MotionHandler | None) -> None:
    async for response in call:
        kind = response.WhichOneof("response")
        if kind == "motion":
            result.frame_received(response.motion, time.monotonic())
            if on_motion is not None:
                await on_motion(response.motion)
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


async def wait_until_connected(channel: grpc.aio.Channel, server: str, timeout_s: float, tls: bool) -> None:
    """Returns once the channel is connected. Nothing listening, an unknown host or a refused TLS
    handshake show within moments as a failed connection: one FacecastError saying so, not a wait."""
    hint = " or the server's certificate is not signed by --tls-ca-file" if tls else ""
    try:
        async with asyncio.timeout(timeout_s):
            state = channel.get_state(try_to_connect=True)
            while state is not grpc.ChannelConnectivity.READY:
                if state is grpc.ChannelConnectivity.TRANSIENT_FAILURE:
                    raise FacecastError(f"{server}: cannot connect (connection refused or unknown host{hint}); "
                                        "is `facecast serve` running there?")
                await channel.wait_for_state_change(state)
                state = channel.get_state(try_to_connect=True)
    except TimeoutError:
        raise FacecastError(f"{server}: no answer within {timeout_s:g} s; is `facecast serve` running there, "
                            "and can this machine reach it?") from None
