"""RenderProcesses: frames rendered in worker processes, so rendered sessions use every core.

Rendering holds the GIL between torch's kernels (a frame is a few hundred small ops), so render
threads in the serving process share one interpreter with each other and with the event loop: two
batches side by side reached 1.4 cores of 2 with four rendered sessions (benchmarks/README.md).
A worker process has its own interpreter. Each one keeps the renderers of the avatars it has been
sent (built on first use at a framing, about a second) and takes batches of latents, returning the
encoded images; an avatar crosses to a worker once, not with every batch. The serving process
keeps computing the motion and moving bytes.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import numpy as np

from runtime.face.avatar import Avatar
from runtime.render.encoders import EncodeOptions, encode_frame
from runtime.render.framing import FrameOptions
from service.log import get_logger
from service.worker_lifetime import end_with_parent, reap

log = get_logger("facecast.render")

WORKER_RENDERERS = 8  # renderers a worker keeps built, the most recently used (~10 MB each at 512²)
STOP_WAIT_S = 5.0  # how long a worker sent SIGTERM is given to end before it is killed


@dataclass
class _Worker:
    executor: ProcessPoolExecutor
    holds: set[str] = field(default_factory=set)  # ids of the avatars this worker has been sent
    busy: int = 0  # batches sent and not yet back


class RenderProcesses:
    """Lives on the event loop; `count` worker processes, started on first use."""

    def __init__(self, count: int, threads: int = 1) -> None:
        self._threads = threads
        self._workers = [_Worker(self._executor()) for _ in range(count)]
        self._closed = False

    def _executor(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")  # a fork would copy the server's threads and gRPC state
        return ProcessPoolExecutor(1, context, initializer=_start_worker, initargs=(self._threads, os.getpid()))

    @property
    def count(self) -> int:
        return len(self._workers)

    async def render(self, avatar: Avatar, options: FrameOptions, blendshapes: np.ndarray, poses: np.ndarray,
                     encodings: list[EncodeOptions]) -> list[bytes]:
        """(B, 52) weights and (B, 6) poses of one avatar at one framing → one encoded image per frame,
        on the least busy worker."""
        worker = min(self._workers, key=lambda candidate: candidate.busy)
        worker.busy += 1
        executor = worker.executor
        try:
            return await self._render_on(worker, avatar, options, blendshapes, poses, encodings)
        except BrokenProcessPool:  # the worker died (killed for memory, say): a new one, and this batch again
            if self._closed:
                raise  # ended by close(): a worker started now would outlive the server it renders for
            if worker.executor is executor:  # not yet replaced by another batch that met the same death
                log.warning("render_worker_replaced")
                executor.shutdown(wait=False, cancel_futures=True)
                worker.executor, worker.holds = self._executor(), set()
            return await self._render_on(worker, avatar, options, blendshapes, poses, encodings)
        finally:
            worker.busy -= 1

    async def _render_on(self, worker: _Worker, avatar: Avatar, options: FrameOptions, blendshapes: np.ndarray,
                         poses: np.ndarray, encodings: list[EncodeOptions]) -> list[bytes]:
        loop = asyncio.get_running_loop()
        sent = avatar if avatar.avatar_id not in worker.holds else None
        worker.holds.add(avatar.avatar_id)
        try:
            images = await loop.run_in_executor(worker.executor, _render, avatar.avatar_id, sent, options,
                                                blendshapes, poses, encodings)
            if images is None:  # the worker let the avatar go: send it again
                images = await loop.run_in_executor(worker.executor, _render, avatar.avatar_id, avatar, options,
                                                    blendshapes, poses, encodings)
        except BaseException:
            worker.holds.discard(avatar.avatar_id)  # not known to have arrived
            raise
        return images

    def prepare(self, avatar: Avatar, options: FrameOptions) -> None:
        """Sends the avatar to every worker and has each build its renderer, in the background, so
        the avatar's first frames find them ready. Safe from any thread; best effort: a worker whose
        pool was just replaced (render() does that when a worker dies) is left to its first batch,
        which sends the avatar again."""
        empty_weights, empty_poses = np.zeros((0, 52), np.float32), np.zeros((0, 6), np.float32)
        for worker in self._workers:
            worker.holds.add(avatar.avatar_id)
            try:
                done = worker.executor.submit(_render, avatar.avatar_id, avatar, options, empty_weights,
                                              empty_poses, [])
            except (RuntimeError, BrokenProcessPool):  # shut down or broken: not known to have arrived
                worker.holds.discard(avatar.avatar_id)
                continue
            done.add_done_callback(_leave_to_the_session)

    def pids(self) -> list[int]:
        """The worker processes started so far (each starts on its first batch)."""
        return [pid for worker in self._workers for pid in _processes(worker.executor)]

    def close(self) -> None:
        """Stops the workers now, and reaps them. A stopped server needs nothing they are doing: a
        renderer built for an avatar just created (prepare), a batch of a cancelled session. Left to
        finish it, as a plain shutdown does, each went on using a core for seconds after the server
        had stopped (a server embedded in a longer-lived process: tests stopping twelve such workers
        in a row slowed what ran next four-fold)."""
        self._closed = True
        for worker in self._workers:
            started = _processes(worker.executor)  # the executor's own dict, which shutdown lets go of
            # After shutdown: it waits for a submit under way on another thread (prepare, from a renderer
            # being warmed), whose worker is then in `started`, and no later submit starts one.
            worker.executor.shutdown(wait=False, cancel_futures=True)
            processes = list(started.values())
            for process in processes:
                process.terminate()
            for process in processes:
                reap(process, STOP_WAIT_S)


def _processes(executor: ProcessPoolExecutor) -> dict[int, multiprocessing.Process]:
    """The executor's worker processes by pid: its own record, kept up to date as it starts them (it has
    no public one); empty once it has been shut down."""
    return executor._processes if executor._processes is not None else {}  # noqa: SLF001


def _leave_to_the_session(done: Future) -> None:
    """A failed preparation is the first rendered session's to meet (it sends the avatar again)."""
    if not done.cancelled():
        done.exception()


# --- in the worker process --------------------------------------------------------------------

_AVATARS: OrderedDict[str, Avatar] = OrderedDict()
_RENDERERS: OrderedDict[tuple[str, FrameOptions], object] = OrderedDict()


def _start_worker(threads: int, server_pid: int) -> None:
    """One torch thread count, and an end with the server."""
    end_with_parent(server_pid)
    import torch

    torch.set_num_threads(threads)


def _render(avatar_id: str, avatar: Avatar | None, options: FrameOptions, blendshapes: np.ndarray,
            poses: np.ndarray, encodings: list[EncodeOptions]) -> list[bytes] | None:
    """The encoded images, or None when this worker does not hold the avatar (it was let go)."""
    from runtime.render.frame_renderer import FrameRenderer  # torch: only in the workers' imports

    if avatar is not None:
        _AVATARS[avatar_id] = avatar
    key = (avatar_id, options)
    renderer = _RENDERERS.pop(key, None)
    if renderer is None:
        if avatar_id not in _AVATARS:
            return None
        renderer = FrameRenderer(_AVATARS[avatar_id], options)
    _RENDERERS[key] = renderer
    _AVATARS.move_to_end(avatar_id)
    while len(_RENDERERS) > WORKER_RENDERERS:
        _RENDERERS.popitem(last=False)
    while len(_AVATARS) > WORKER_RENDERERS:
        _AVATARS.popitem(last=False)
    if len(blendshapes) == 0:
        return []  # prepare(): the renderer is built
    images = renderer.render_latents(blendshapes, poses)
    return [encode_frame(image, encoding) for image, encoding in zip(images, encodings, strict=True)]
