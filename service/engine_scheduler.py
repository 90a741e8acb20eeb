"""EngineScheduler: every live session's runtime work goes through one MotionEngine pass at a time.

A session queues its audio on its Animator (cheap: decoding, resampling) and awaits its outputs.
While a pass runs on the engine's thread, other sessions' work queues up, and the next pass takes
all of it: under load the passes grow and the cost per session falls (the engine's batched stages),
with no wait of its own — a session that finds the engine idle is advanced at once. One thread:
passes never overlap, so an Animator is never touched by two at once, and the event loop only moves
bytes. A pass takes at most MAX_PASS_HOPS of each session's audio, so a bake-sized upload is spread
over several passes instead of stalling everyone behind it.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from runtime.engine import MotionEngine
from runtime.pipeline import Animator, AnimatorOptions, AnimatorOutput


class EngineScheduler:
    """Lives on the event loop; the passes run on the engine's own thread."""

    def __init__(self, engine: MotionEngine | None = None) -> None:
        self.engine = engine if engine is not None else MotionEngine()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="facecast-engine")
        self._waiting: dict[Animator, asyncio.Future] = {}
        self._driver: asyncio.Task | None = None  # held: the loop keeps only weak references to tasks
        self.passes = 0
        self.sessions_advanced = 0

    def open(self, options: AnimatorOptions) -> Animator:
        return self.engine.open(options)

    async def outputs(self, animator: Animator) -> list[AnimatorOutput]:
        """Everything the animator's queued work yields, once the engine has advanced it."""
        if not animator.has_work:
            return animator.take_outputs()
        done = asyncio.get_running_loop().create_future()
        self._waiting[animator] = done
        if self._driver is None or self._driver.done():
            self._driver = asyncio.get_running_loop().create_task(self._drive())
        try:
            return await done
        finally:
            self._waiting.pop(animator, None)  # cancelled meanwhile: no pass advances it any more

    def forget(self, animator: Animator) -> None:
        """A session that ended (or failed) leaves the next pass."""
        waiting = self._waiting.pop(animator, None)
        if waiting is not None and not waiting.done():
            waiting.cancel()

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)

    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            batch = list(self._waiting)
            try:
                await loop.run_in_executor(self._thread, self.engine.advance, batch)
            except Exception as error:  # noqa: BLE001 - a pass that fails fails its sessions, not the server
                for animator in batch:
                    self._settle(animator, error)
                continue
            self.passes += 1
            self.sessions_advanced += len(batch)
            for animator in batch:
                if not animator.has_work:  # more than a pass's worth of audio stays for the next
                    self._settle(animator, None)

    def _settle(self, animator: Animator, error: Exception | None) -> None:
        done = self._waiting.pop(animator, None)
        if done is None or done.done():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(animator.take_outputs())
