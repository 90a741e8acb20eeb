"""Renderers shared between sessions, one per avatar and framing, the most recently used kept.

Building one solves the avatar's thin-plate-spline basis (about a second), so sessions of the same
avatar and framing share it — through its RenderBatcher, which also renders their frames together —
and a new avatar's renderer at the default framing is built as the avatar is created (`warm`)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor

from runtime.face.avatar import Avatar
from runtime.render.frame_renderer import FrameRenderer
from runtime.render.framing import DEFAULT_FRAME_OPTIONS, FrameOptions
from service.render_batcher import RenderBatcher
from service.render_processes import RenderProcesses

DEFAULT_CAPACITY = 8  # renderers that stay built (~10 MB each at 512²)


class RendererCache:
    def __init__(self, executor: Executor, capacity: int = DEFAULT_CAPACITY, device: str = "cpu",
                 batches: int = 1, processes: RenderProcesses | None = None,
                 on_batch: Callable[[int], None] | None = None) -> None:
        self._executor = executor
        self._on_batch = on_batch  # handed to every batcher (RenderBatcher)
        self._device = device  # cpu, cuda or cuda:N, checked by the settings
        self._batches = batches  # of one avatar's frames rendered at once (RenderBatcher's `parallel`)
        self._processes = processes  # render there instead of on the executor's threads
        self._capacity = capacity
        self._batchers: OrderedDict[tuple[str, FrameOptions], RenderBatcher] = OrderedDict()
        self._lock = threading.Lock()  # builds are rare: holding it while building keeps one per key

    def warm(self, avatar: Avatar, options: FrameOptions = DEFAULT_FRAME_OPTIONS) -> None:
        """Builds the avatar's renderer on the executor, in the background (a failure is left for
        the first session that asks for it to meet)."""
        self._executor.submit(self._quietly_get, avatar, options)

    def worker_pids(self) -> list[int]:
        """The render processes running now."""
        return self._processes.pids() if self._processes is not None else []

    def close(self) -> None:
        """Stops the render processes, if any."""
        if self._processes is not None:
            self._processes.close()

    def holds(self, avatar_id: str, options: FrameOptions = DEFAULT_FRAME_OPTIONS) -> bool:
        with self._lock:
            return (avatar_id, options) in self._batchers

    def _quietly_get(self, avatar: Avatar, options: FrameOptions) -> None:
        try:
            self.get(avatar, options)
        except Exception:  # noqa: BLE001, S110 - the session that needs it will raise it
            pass

    def get(self, avatar: Avatar, options: FrameOptions = DEFAULT_FRAME_OPTIONS) -> RenderBatcher:
        """The batcher of the avatar's renderer at this framing, built on first use. Call off the
        event loop; use the batcher on it."""
        key = (avatar.avatar_id, options)
        with self._lock:
            batcher = self._batchers.pop(key, None) or self._batcher(avatar, options)
            self._batchers[key] = batcher
            while len(self._batchers) > self._capacity:
                self._batchers.popitem(last=False)
            return batcher

    def _batcher(self, avatar: Avatar, options: FrameOptions) -> RenderBatcher:
        if self._processes is not None:  # the workers build their renderers now, in the background
            self._processes.prepare(avatar, options)
            return RenderBatcher(None, None, processes=self._processes, avatar=avatar, options=options,
                                 on_batch=self._on_batch)
        return RenderBatcher(FrameRenderer(avatar, options, self._device), self._executor, parallel=self._batches,
                             on_batch=self._on_batch)
