"""One Animate stream: checks the message order, queues its audio on the session's Animator, has the
process's EngineScheduler advance it (together with every other live session), and translates what
it yields. Back-pressure is natural: responses are yielded one at a time, and the next request is
read only after the previous one's frames were handed to gRPC — for a session that renders, after the
frames of all but its last FRAMES_AHEAD frames were, those rendering meanwhile; for one whose engine
is another process, after all but its last few requests' were (EngineProcess.steps_ahead).

Where the work runs: the analysis in the engine's passes, on the event loop between I/O callbacks
(EngineScheduler says why), or with `--engine-process 1` in a worker process (EngineProcess);
rendering and encoding on the executor (RenderBatcher); translation to messages on the event loop
when a push yields a few frames, on the executor when a bake-sized upload yields many
(INLINE_MAX_OUTPUTS)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TypeVar

from runtime.errors import InvalidConfigError, LimitExceededError, OutOfOrderError
from runtime.face.avatar import Avatar
from runtime.face.avatar_store import AvatarStore
from runtime.pipeline import Animator, AnimatorOutput, ModelVersion
from runtime.render.encoders import EncodeOptions
from runtime.render.frame_renderer import MAX_BATCH_FRAMES, FrameRenderer
from runtime.types import MotionFrame
from service import convert
from service.api import animate_pb2
from service.engine_process import EngineProcess
from service.engine_scheduler import EngineScheduler
from service.log import get_logger
from service.metrics import Metrics
from service.render_batcher import RenderBatcher
from service.renderers import RendererCache
from service.request_reader import RequestReader
from service.settings import ServerSettings

log = get_logger("facecast.session")
T = TypeVar("T")
INLINE_MAX_OUTPUTS = 16  # outputs translated on the event loop; more go to the executor
# A rendered session reads on while fewer than FRAMES_AHEAD of its frames wait to be sent: they render
# meanwhile, on every render worker, and what queues behind them renders in batches, which cost a
# frame far less than one frame at a time (benchmarks/README.md). Read four requests ahead (about five
# frames at 60 fps), a 60 fps stream rendered in batches of 1-3 frames, 29-35 frames/s on 2 cores;
# sixteen frames ahead, with the render workers sharing the queue (RenderBatcher), in batches of 4-5,
# 37-49 frames/s (1.26 times as many, the median of five runs each, alternately). Steps without
# frames are done at once and do not count (at 25 fps, every other 20 ms chunk), up to STEPS_AHEAD
# steps in all. The frame budget also keeps a bake-sized upload's images (up to 10 s of audio a
# request, 1 MB a frame as RGBA) from piling up several requests deep.
FRAMES_AHEAD = MAX_BATCH_FRAMES
STEPS_AHEAD = 32
_FRAMES_OUTPUTS = (animate_pb2.OUTPUT_FRAMES, animate_pb2.OUTPUT_LATENTS_AND_FRAMES)
_Step = tuple[Callable[..., None], tuple]  # work for the animator: a queue method and its arguments
_Analysed = tuple[list[AnimatorOutput], list[MotionFrame], float]  # a step's outputs, its frames, when queued


@dataclass
class SessionFigures:
    """What a finished (or failed) session did, for its log line."""

    frames: int = 0
    rendered_frames: int = 0
    audio_s: float = 0.0
    chunks: int = 0


class AnimateSession:
    def __init__(self, session_id: str, settings: ServerSettings, executor: Executor,
                 default_mouth_model: str, avatars: AvatarStore, renderers: RendererCache, metrics: Metrics,
                 engine: EngineScheduler | EngineProcess) -> None:
        self.session_id = session_id
        self._engine = engine
        self._avatars = avatars
        self._renderers = renderers
        self._metrics = metrics
        self._frames_out: RenderBatcher | None = None  # set when the session asked for frames
        self._send_latents = True
        self._encoding = EncodeOptions()
        self.figures = SessionFigures()
        self._settings = settings
        self._executor = executor
        self._default_mouth_model = default_mouth_model
        self._animator: Animator | None = None
        self._requests: RequestReader | None = None

    async def run(self, stream: AsyncIterator[animate_pb2.AnimateRequest]
                  ) -> AsyncIterator[animate_pb2.AnimateResponse]:
        requests = self._requests = RequestReader(stream, self._settings.idle_timeout_s, self._settings.max_session_s)
        config = await self._first_config(requests)
        avatar = await self._in_executor(self._avatars.get, config.avatar_id) if config.avatar_id else None
        rest = avatar.rest_state if avatar is not None else None
        self._animator = await self._engine.open(convert.animator_options(config, self._default_mouth_model, rest))
        await self._prepare_outputs(config, avatar)
        options = self._animator.options
        log.info("session_start", session_id=self.session_id, fps=options.fps, seed=options.seed,
                 sample_rate_hz=options.audio_format.sample_rate_hz,
                 encoding=options.audio_format.encoding.value, mouth_model=options.mouth_model)
        yield convert.session_started(self.session_id, self._animator.options, self._model_versions(),
                                      self._animator.lookahead_s)
        steps = self._steps(config, requests)
        if self._frames_out is not None:
            responses = self._pipelined(steps)
        elif self._engine.steps_ahead > 1:
            responses = self._read_ahead(steps)
        else:
            responses = self._in_turn(steps)
        async for response in responses:
            yield response
        yield convert.session_status(self._animator.frames_emitted, self._animator.audio_duration_s)

    async def _steps(self, config: animate_pb2.SessionConfig, requests: RequestReader) -> AsyncIterator[_Step]:
        """The work each request asks of the animator, in the stream's order: its idle lead-in, then
        audio, listened audio and interrupts, the end of audio last. Control updates apply as they are
        read, which is after the work of every request before them has been queued."""
        if config.idle_s:
            yield self._animator.queue_silence, (config.idle_s,)
        async for request in requests:
            kind = request.WhichOneof("request")
            if kind == "audio":
                yield self._queue_audio, (request.audio.data,)
            elif kind == "listen_audio":
                yield self._queue_listen, (request.listen_audio.data,)
            elif kind == "interrupt":
                yield self._animator.interrupt, (convert.interrupt_at_s(request.interrupt),)
            elif kind == "control":
                self._update_controls(request.control)
            elif kind == "end_of_audio":
                break
            else:
                raise OutOfOrderError(f"unexpected {kind or 'empty request'} after SessionConfig")
        # EndOfAudio, or a client that half-closed without it: finish the audio either way.
        yield self._animator.queue_end, ()

    async def _in_turn(self, steps: AsyncIterator[_Step]) -> AsyncIterator[animate_pb2.AnimateResponse]:
        """A latents session: each step's responses before the next request is read."""
        async for queue, args in steps:
            for response in await self._finished(*await self._analysed(queue, args)):
                yield response

    async def _read_ahead(self, steps: AsyncIterator[_Step]) -> AsyncIterator[animate_pb2.AnimateResponse]:
        """A latents session whose engine is another process: a task reads the next requests and hands
        their work to the engine while it computes this one's (at most its `steps_ahead`), so a
        step costs the session one pass of the engine, not a pass and the round trip of its request and
        responses through gRPC as well. Responses go out in order, each step's as soon as it is done; a
        bad request ends the session after the responses of the steps before it. Not for the serving
        process's own engine, whose passes run between the loop's I/O callbacks: there it cost more than
        it saved (64 sessions, servers alternately, three rounds: 0.77-0.81 cores against 0.75-0.79)."""
        ahead: asyncio.Queue[tuple[asyncio.Future, float] | Exception | None] = asyncio.Queue(self._engine.steps_ahead)
        reader = asyncio.ensure_future(self._hand_over(steps, ahead))
        try:
            while (step := await ahead.get()) is not None:
                if isinstance(step, Exception):
                    raise step
                done, started = step
                outputs = await done
                for response in await self._finished(outputs, _motion_frames(outputs), started):
                    yield response
        finally:  # a failed or cancelled session leaves no read waiting and no error unread
            reader.cancel()
            while not ahead.empty():
                step = ahead.get_nowait()
                if isinstance(step, tuple) and not step[0].cancel() and not step[0].cancelled():
                    step[0].exception()

    async def _hand_over(self, steps: AsyncIterator[_Step],
                         ahead: asyncio.Queue[tuple[asyncio.Future, float] | Exception | None]) -> None:
        """_read_ahead's reader: each step's work queued and submitted to the engine, in order, then None
        for the end of the stream, or the error that ended it."""
        try:
            async for queue, args in steps:
                started = time.perf_counter()
                queue(*args)
                await ahead.put((self._engine.submit(self._animator), started))
        except Exception as error:  # noqa: BLE001 - handed to the session, after the steps before it
            await ahead.put(error)
            return
        await ahead.put(None)

    async def _pipelined(self, steps: AsyncIterator[_Step]) -> AsyncIterator[animate_pb2.AnimateResponse]:
        """A rendered session: each step is analysed in turn, and its frames render while the next
        requests are read and analysed (`_may_read_on`); responses go out in order, each
        step's as soon as its frames are rendered. Waiting for a step's frames before reading on
        rendered one chunk's frame or two at a time, one render worker at a time: a 25 fps session
        of a portrait with glasses fell behind on 2 cores with a worker idle. Frames render the same
        in any batch, so the pixels do not change."""
        rendering: deque[tuple[asyncio.Task, int]] = deque()  # each step's responses to be, and its frames
        reading: asyncio.Task | None = None
        read_all = False
        try:
            while rendering or not read_all:
                if reading is None and not read_all and self._may_read_on(rendering):
                    reading = asyncio.ensure_future(anext(steps, None))
                waited = [task for task in (reading, rendering[0][0] if rendering else None) if task is not None]
                await asyncio.wait(waited, return_when=asyncio.FIRST_COMPLETED)
                while rendering and rendering[0][0].done():
                    for response in rendering.popleft()[0].result():
                        yield response
                if reading is None or not reading.done():
                    continue
                if reading.exception() is not None:  # a bad request: the frames asked before it go out first
                    while rendering:
                        for response in await rendering.popleft()[0]:
                            yield response
                step, reading = reading.result(), None
                if step is None:
                    read_all = True
                    continue
                outputs, frames, started = await self._analysed(*step)
                rendering.append((asyncio.ensure_future(self._finished(outputs, frames, started)), len(frames)))
        finally:  # a failed or cancelled session leaves no read or render waiting, and no error unread
            for task in (reading, *(task for task, _ in rendering)):
                if task is not None and not task.cancel() and not task.cancelled():
                    task.exception()

    @staticmethod
    def _may_read_on(rendering: deque[tuple[asyncio.Task, int]]) -> bool:
        """Whether a rendered session may read its next request with these steps (each step's task
        and its frame count) not yet sent (FRAMES_AHEAD, STEPS_AHEAD)."""
        return sum(frames for _, frames in rendering) < FRAMES_AHEAD and len(rendering) < STEPS_AHEAD

    async def _analysed(self, queue: Callable[..., None], args: tuple) -> _Analysed:
        """Queues work on the animator (validated here: a bad chunk fails this session only) and has
        the engine advance it: the outputs, the motion frames among them, and when the work was queued."""
        started = time.perf_counter()
        queue(*args)
        outputs = await self._engine.outputs(self._animator)
        return outputs, _motion_frames(outputs), started

    async def _finished(self, outputs: list[AnimatorOutput], frames: list[MotionFrame], started: float
                        ) -> list[animate_pb2.AnimateResponse]:
        """The outputs translated (see the module docstring), each motion frame's rendered frame with
        it: those come from the avatar's RenderBatcher, shared with the other sessions that render it."""
        images = await self._rendered(frames)
        inline = len(outputs) <= INLINE_MAX_OUTPUTS
        responses = self._translated(outputs, len(frames), images) if inline else await self._in_executor(
            self._translated, outputs, len(frames), images)
        self._metrics.compute_seconds.observe(time.perf_counter() - started)
        return responses

    def _model_versions(self) -> tuple[ModelVersion, ...]:
        renderer = () if self._frames_out is None else (
            ModelVersion("renderer", FrameRenderer.name, FrameRenderer.version),)
        return (*self._animator.model_versions, *renderer)

    async def _in_executor(self, work: Callable[..., T], *args: object) -> T:
        """Work that reads files or renders runs on the executor, never on the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)

    async def _prepare_outputs(self, config: animate_pb2.SessionConfig, avatar: Avatar | None) -> None:
        output = config.output or animate_pb2.OUTPUT_LATENTS
        self._send_latents = output != animate_pb2.OUTPUT_FRAMES
        if output not in _FRAMES_OUTPUTS:
            return
        if avatar is None:
            raise InvalidConfigError("rendered frames need an avatar_id (CreateAvatar first)")
        self._encoding = convert.encode_options(config)
        frame_options = convert.frame_options(config)
        self._frames_out = await self._in_executor(self._renderers.get, avatar, frame_options)  # ~1 s the first time

    def close(self) -> None:
        """Releases the runtime state now: a failed call's traceback may outlive the session."""
        if self._animator is not None:
            self._engine.forget(self._animator)
        self._animator = None
        if self._requests is not None:
            self._requests.close()

    async def _first_config(self, requests: AsyncIterator[animate_pb2.AnimateRequest]
                            ) -> animate_pb2.SessionConfig:
        async for request in requests:
            kind = request.WhichOneof("request")
            if kind != "config":
                raise OutOfOrderError(f"the first message must be a SessionConfig, got {kind or 'an empty request'}")
            return request.config
        raise OutOfOrderError("the stream ended before a SessionConfig")

    def _chunk_seconds(self, data: bytes) -> float:
        audio_format = self._animator.options.audio_format
        return len(data) / audio_format.encoding.bytes_per_sample / audio_format.sample_rate_hz

    def _queue_audio(self, data: bytes) -> None:
        self._check_chunk(data)
        self.figures.chunks += 1
        self._animator.queue_pcm(data)

    def _queue_listen(self, data: bytes) -> None:
        self._check_chunk(data)
        self._animator.queue_listen_pcm(data)

    def _check_chunk(self, data: bytes) -> None:
        seconds = self._chunk_seconds(data)
        if seconds > self._settings.max_audio_chunk_s:
            raise LimitExceededError(f"an AudioChunk may hold at most {self._settings.max_audio_chunk_s} s "
                                    f"of audio, this one holds {seconds:.2f} s")

    def _update_controls(self, update: animate_pb2.ControlUpdate) -> None:
        patch = convert.control_patch(update.controls)
        if update.HasField("transition_s"):
            self._animator.update_controls(patch, update.transition_s)
        else:
            self._animator.update_controls(patch)

    async def _rendered(self, frames: list[MotionFrame]) -> list[animate_pb2.AnimateResponse]:
        """Each motion frame's RenderedFrame, in the frames' order (none without frames asked for)."""
        if self._frames_out is None or not frames:
            return []
        encoded = await self._frames_out.render(frames, self._encoding)
        size = self._frames_out.width, self._frames_out.height
        return [convert.rendered_frame(frame, data, self._encoding.image_format, *size)
                for frame, data in zip(frames, encoded, strict=True)]

    def _translated(self, outputs: list[AnimatorOutput], frame_count: int,
                    images: list[animate_pb2.AnimateResponse]) -> list[animate_pb2.AnimateResponse]:
        """Responses in output order; a frame's RenderedFrame (`images`, one per motion frame when
        rendering) right after its MotionFrame."""
        responses = []
        pictures = iter(images)
        for output in outputs:
            if not isinstance(output, MotionFrame):
                responses.append(convert.event(output))
                continue
            self.figures.frames += 1
            if self._send_latents:
                responses.append(convert.motion_frame(output))
            if images:
                responses.append(next(pictures))
        self.figures.rendered_frames += len(images)
        self._metrics.frames.inc(frame_count)
        self._metrics.rendered_frames.inc(len(images))
        self.figures.audio_s = self._animator.audio_duration_s
        return responses


def _motion_frames(outputs: list[AnimatorOutput]) -> list[MotionFrame]:
    return [output for output in outputs if isinstance(output, MotionFrame)]
