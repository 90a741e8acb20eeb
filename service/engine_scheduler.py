"""EngineScheduler: every live session's runtime work goes through one MotionEngine pass at a time.

A session queues its audio on its Animator (cheap: decoding, resampling) and awaits its outputs.
Passes run on the event loop between I/O callbacks, at most one per TICK_S unless every live session
is waiting (then nobody else could join, and the pass runs at once: a lone session, however fast
it sends, never waits for a tick); a session that finds the engine idle for a tick is advanced at
once, and under load every session that queued work during a tick shares the next pass, so the
passes grow with the load and the cost per session falls (the engine's batched stages). Real-time clients send their
chunks at staggered moments: without the tick, most passes would carry two or three sessions
(measured: 2.4 on average at 32 sessions), paying the per-pass cost each time.

Not on a thread of its own: the passes are small numpy calls that hold the GIL, so a thread added no
parallelism, only a handoff per pass and a contended GIL for the event loop (measured side by side
over gRPC at 1, 32 and 64 sessions: the same server CPU and lateness within noise). At 128 sessions,
where the loop's one core is spent, a thread was far worse, though py-spy puts ~40 % of a pass
outside the GIL: frames 1.9-2.5 s late at the median against 17-44 ms, held by no session (2026-12-04,
benchmarks/README.md, "The engine on a thread"). A pass takes at
most MAX_PASS_HOPS of each session's audio, and the next one is scheduled after the I/O waiting
meanwhile, so a bake-sized upload never holds the loop for long.
"""

from __future__ import annotations

import asyncio

from runtime.engine import MotionEngine
from runtime.pipeline import Animator, AnimatorOptions, AnimatorOutput

TICK_S = 0.01  # passes at most this often; the lateness it adds under load is at most this


class EngineScheduler:
    """Lives on the event loop; one per process."""

    # A latents session waits for each request's outputs before it reads the next: its passes run on
    # this loop, where reading ahead cost more than it saved (EngineProcess reads ahead).
    steps_ahead = 1

    def __init__(self, engine: MotionEngine | None = None, tick_s: float = TICK_S) -> None:
        self.engine = engine if engine is not None else MotionEngine()
        self._tick_s = tick_s
        self._waiting: dict[Animator, asyncio.Future] = {}
        self._live: set[Animator] = set()  # every open session's Animator
        self._pass_due: asyncio.Handle | None = None
        self._last_pass = -float("inf")  # loop time of the last pass

    async def open(self, options: AnimatorOptions) -> Animator:
        animator = self.engine.open(options)
        self._live.add(animator)
        return animator

    async def outputs(self, animator: Animator) -> list[AnimatorOutput]:
        """Everything the animator's queued work yields, once the engine has advanced it."""
        if not animator.has_work:
            return animator.take_outputs()
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._waiting[animator] = done
        self._schedule(loop)
        try:
            return await done
        finally:
            self._waiting.pop(animator, None)  # cancelled meanwhile: no pass advances it any more

    def forget(self, animator: Animator) -> None:
        """A session that ended (or failed) leaves the next pass."""
        self._live.discard(animator)
        waiting = self._waiting.pop(animator, None)
        if waiting is not None and not waiting.done():
            waiting.cancel()

    def close(self) -> None:
        if self._pass_due is not None:
            self._pass_due.cancel()

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._pass_due is not None:
            return
        due = self._last_pass + self._tick_s
        everyone_waits = len(self._waiting) >= len(self._live)  # nobody else could join the pass
        if everyone_waits or loop.time() >= due:  # after the I/O callbacks already waiting
            self._pass_due = loop.call_soon(self._run_pass)
        else:
            self._pass_due = loop.call_at(due, self._run_pass)

    def _run_pass(self) -> None:
        """One pass for every session that queued work since the last one."""
        loop = asyncio.get_running_loop()
        self._pass_due = None
        self._last_pass = loop.time()
        batch = list(self._waiting)
        if not batch:
            return
        try:
            self.engine.advance(batch)
        except Exception as error:  # noqa: BLE001 - a failed pass fails its sessions (half-advanced), not the server
            for animator in batch:
                self._settle(animator, error)
            return
        for animator in batch:
            if not animator.has_work:  # more than a pass's worth of audio stays for the next
                self._settle(animator, None)
        if self._waiting:
            self._schedule(loop)

    def _settle(self, animator: Animator, error: Exception | None) -> None:
        done = self._waiting.pop(animator, None)
        if done is None or done.done():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(animator.take_outputs())
