"""RenderBatcher: the frames of every session that renders one avatar at one framing, rendered
together.

A session's chunk of live audio yields a frame or two; rendering them alone pays the renderer's
per-call cost each time. The batcher queues what sessions ask for while renders are running and
renders the queue in the next calls, each free slot taking its share (up to MAX_BATCH_FRAMES;
FrameRenderer.render slices longer uploads), so concurrent sessions, and a session's own frames
queued behind each other, share the calls and torch's batched kernels. It adds no
wait of its own: a request that finds the renderer idle is rendered at once. Encoding runs in the
same executor call, each session's frames in its own format.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from runtime.face.avatar import Avatar
from runtime.render.encoders import EncodeOptions, encode_frame
from runtime.render.frame_renderer import MAX_BATCH_FRAMES, FrameRenderer, frame_latents
from runtime.render.framing import FrameOptions, frame_crop
from runtime.types import MotionFrame
from service.render_processes import RenderProcesses

# A batch starts beside one already rendering only with at least this many frames. A render call
# costs about as much again as a frame whatever its size (thousands of small torch operations: the
# gold photo at face framing, one thread, 25 ms a frame alone, 18 a frame in twos, 14 in fours), and
# one 60 fps stream on two render processes sent every frame alone to whichever process was free
# (each frame arrived as the other finished): 1.7 cores for 60 frames/s, and the stream fell behind.
# A lone frame waits for the next one or for the batches already rendering to end, no longer; with
# the renderer idle a frame still starts at once.
MIN_SIDE_BATCH_FRAMES = 2


@dataclass
class _Job:
    frames: list[MotionFrame]
    encoding: EncodeOptions
    done: asyncio.Future  # → list[bytes], one encoded image per frame


class RenderBatcher:
    """Lives on the event loop; the rendering itself runs on the executor, or in worker processes."""

    def __init__(self, renderer: FrameRenderer | None, executor: Executor | None,
                 max_batch_frames: int = MAX_BATCH_FRAMES, parallel: int = 1, processes: RenderProcesses | None = None,
                 avatar: Avatar | None = None, options: FrameOptions | None = None,
                 on_batch: Callable[[int], None] | None = None) -> None:
        """Either a `renderer`, its batches rendered on the `executor`, `parallel` at once, each on its
        own thread (torch's kernels and the encoders release the GIL, so each can have a core); or
        `processes` with the `avatar` and the framing `options`, one batch per worker at a time, this
        process keeping no renderer of its own, only the frame's size. `on_batch` hears the frame
        count of every batch as it starts (the server's metrics)."""
        if processes is None:
            self.options, self.width, self.height = renderer.options, renderer.width, renderer.height
        else:
            _, _, self.width, self.height = frame_crop(avatar.image, avatar.landmarks, options)
            self.options = options
        self._renderer = renderer
        self._executor = executor
        self._max_batch_frames = max_batch_frames
        self._processes = processes
        self._avatar = avatar
        self._on_batch = on_batch
        self._parallel = processes.count if processes is not None else parallel
        self._queue: deque[_Job] = deque()
        self._running: set[asyncio.Task] = set()  # held: the loop keeps only weak references to tasks

    async def render(self, frames: list[MotionFrame], encoding: EncodeOptions) -> list[bytes]:
        """The frames rendered and encoded, in order: one image per frame."""
        if not frames:
            return []
        job = _Job(frames, encoding, asyncio.get_running_loop().create_future())
        self._queue.append(job)
        # On the loop's next turn, not now: the sessions that ask in this same turn share the batch.
        asyncio.get_running_loop().call_soon(self._start_batches)
        return await job.done

    def _start_batches(self) -> None:
        """As many batches as there are free slots, each taking its share of the queue (what is queued
        over all the slots, at least one job): under load the slots take balanced batches that grow
        with the backlog. When the first slot to free up took the whole queue, it took a session's
        backlog as one long batch while the other slot was left single frames, then idled: the session
        sends its frames in order, so it reads on only as the long batch ends. A 60 fps stream on two
        render processes: 29-35 frames/s, 37-49 shared (benchmarks/README.md). Batches running side
        by side may hold jobs of one session: each job has its own future, and the session sends them
        in its own order.

        Beside a running batch a new one starts only with MIN_SIDE_BATCH_FRAMES frames or more: a
        lone frame waits for company or for the renderer to fall idle, whichever comes first."""
        loop = asyncio.get_running_loop()
        queued = sum(len(job.frames) for job in self._queue)
        idle = not self._running
        share = -(-queued // self._parallel) if idle else max(-(-queued // self._parallel), MIN_SIDE_BATCH_FRAMES)
        while self._queue and len(self._running) < self._parallel:
            if not (idle or queued >= MIN_SIDE_BATCH_FRAMES):
                return
            batch = self._next_batch(share)
            frames = sum(len(job.frames) for job in batch)
            queued -= frames
            if self._on_batch is not None:
                self._on_batch(frames)
            task = loop.create_task(self._render_batch(batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _render_batch(self, jobs: list[_Job]) -> None:
        try:
            if self._processes is not None:
                encoded = await self._render_in_processes(jobs)
            else:
                encoded = await asyncio.get_running_loop().run_in_executor(self._executor, self._render_jobs, jobs)
        except Exception as error:  # every waiting session fails with the renderer's error
            for job in jobs:
                if not job.done.done():
                    job.done.set_exception(error)
        else:
            for job, images in zip(jobs, encoded, strict=True):
                if not job.done.done():  # a session cancelled meanwhile no longer waits
                    job.done.set_result(images)
        finally:
            self._running.discard(asyncio.current_task())
            self._start_batches()  # what queued meanwhile

    def _next_batch(self, share: int) -> list[_Job]:
        """Queued jobs in arrival order, as many as fit `share` frames and the frame budget (always
        at least one)."""
        jobs = [self._queue.popleft()]
        frames = len(jobs[0].frames)
        while self._queue and frames + len(self._queue[0].frames) <= min(share, self._max_batch_frames):
            frames += len(self._queue[0].frames)
            jobs.append(self._queue.popleft())
        return jobs

    async def _render_in_processes(self, jobs: list[_Job]) -> list[list[bytes]]:
        frames = [frame for job in jobs for frame in job.frames]
        encodings = [job.encoding for job in jobs for _ in job.frames]
        blendshapes, poses = frame_latents(frames)
        images: list[bytes] = []
        for start in range(0, len(frames), self._max_batch_frames):  # a long upload, slice by slice
            end = start + self._max_batch_frames
            images += await self._processes.render(self._avatar, self.options, blendshapes[start:end],
                                                   poses[start:end], encodings[start:end])
        pictures = iter(images)
        return [list(itertools.islice(pictures, len(job.frames))) for job in jobs]

    def _render_jobs(self, jobs: list[_Job]) -> list[list[bytes]]:
        rendered = self._renderer.render((frame for job in jobs for frame in job.frames), self._max_batch_frames)
        return [[encode_frame(picture.rgb, job.encoding) for picture in itertools.islice(rendered, len(job.frames))]
                for job in jobs]
