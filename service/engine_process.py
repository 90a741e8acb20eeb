"""EngineProcess: every live session's motion computed in a worker process (`serve --engine-process
1`), so that the serving process's core is left to the streams.

At 128 real-time latents sessions one serving process's core is spent: the engine's passes take
about 0.45 of it, gRPC the rest. A thread cannot take the passes off that core (their Python holds
the GIL: measured, far worse); a process can. The worker (service/engine_worker.py) holds each
session's Animator; here a RemoteAnimator stands in for it and records the session's queue calls.
A session `submit`s them and is answered, in order, with what they yield. Every submission made
while the event loop runs its ready callbacks leaves in one message after them; the worker takes
every message that arrived while it computed (and, under load, for up to a tick: EngineScheduler's
rule) into one engine pass, so passes grow with the load as in one process. A session may submit
its next request's calls before the last are answered (AnimateSession._read_ahead): without that,
a step cost a session a pass and its request's and responses' round trip through gRPC, one after
the other, and at 128 sessions no session held real time. The pipe is read on the event loop
(`add_reader`); no thread of this process touches it.

A session's frames are the same bits as from the serving process's own engine (the same Animator
code advances them; tests/test_engine_process.py). Errors keep their types: a bad chunk fails its
session only. A worker that dies fails every session it held (UNAVAILABLE: a client may open a new
one) and is replaced for the next. What it costs and when it pays: benchmarks/README.md, "Where the
engine runs".
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

import grpc

from runtime.pipeline import AnimatorOptions, AnimatorOutput, ModelVersion
from service.engine_worker import Advanced, EnginePass, EngineReply, Opened, serve
from service.errors import StreamError
from service.log import get_logger
from service.worker_lifetime import reap

log = get_logger("facecast.engine")
WORKER_STOP_S = 2.0  # how long close() waits for the worker to leave before it is killed


@dataclass(eq=False)
class _Submission:
    """Queue calls a session handed to the engine, and the future of what they yield."""

    calls: list[tuple[str, tuple]]
    done: asyncio.Future
    sent: bool = False


class RemoteAnimator:
    """A session's Animator as the serving process sees it: its options and model versions, the
    queue calls not yet handed to the engine, those handed and not yet answered, and its clock as
    of its last answer."""

    def __init__(self, session: int, options: AnimatorOptions, opened: Opened, worker: _Worker) -> None:
        self.session = session
        self.options = options
        self.model_versions: tuple[ModelVersion, ...] = opened.model_versions
        self.lookahead_s = opened.lookahead_s
        self.worker = worker
        self.calls: list[tuple[str, tuple]] = []
        self.submitted: deque[_Submission] = deque()
        self.frames_emitted = 0
        self.audio_duration_s = 0.0

    def queue_pcm(self, data: bytes) -> None:
        self.calls.append(("queue_pcm", (data,)))

    def queue_listen_pcm(self, data: bytes) -> None:
        self.calls.append(("queue_listen_pcm", (data,)))

    def queue_silence(self, seconds: float) -> None:
        self.calls.append(("queue_silence", (seconds,)))

    def queue_end(self) -> None:
        self.calls.append(("queue_end", ()))

    def interrupt(self, requested_s: float | None = None) -> None:
        self.calls.append(("interrupt", (requested_s,)))

    def update_controls(self, *args: object) -> None:
        self.calls.append(("update_controls", args))

    def unsent_calls(self) -> list[tuple[str, tuple]]:
        """The calls of every submission not yet sent, in order; they are sent now."""
        calls = []
        for submission in self.submitted:
            if not submission.sent:
                calls += submission.calls
                submission.sent, submission.calls = True, []
        return calls

    def answered(self, result: Advanced | Exception) -> None:
        """Settles every sent submission: what the pass yielded goes to the last of them (the ones
        before it yield nothing: their calls went in the same pass); an error fails them all."""
        sent = []
        while self.submitted and self.submitted[0].sent:
            sent.append(self.submitted.popleft())
        if isinstance(result, Exception):
            for submission in sent:
                _settle(submission.done, result)
            self.fail(result)
            return
        self.frames_emitted, self.audio_duration_s = result.frames_emitted, result.audio_duration_s
        for submission in sent[:-1]:
            _settle(submission.done, [])
        if sent:
            _settle(sent[-1].done, result.outputs)

    def fail(self, error: Exception) -> None:
        for submission in self.submitted:
            _settle(submission.done, error)
        self.submitted.clear()


class _Worker:
    """One worker process and this process's end of its pipe."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # a fork would copy the server's threads and gRPC state
        self.connection, theirs = context.Pipe()
        self.process: BaseProcess = context.Process(target=serve, args=(theirs, os.getpid()), daemon=True,
                                                    name="facecast-engine")
        self.process.start()
        theirs.close()
        log.info("engine_worker_started", pid=self.process.pid)

    def stop(self) -> None:
        self.connection.close()  # the worker's recv ends: it returns
        reap(self.process, WORKER_STOP_S)


class EngineProcess:
    """Lives on the event loop; one per serving process. The same calls as EngineScheduler."""

    # A latents session reads this many requests ahead of its responses (AnimateSession._read_ahead).
    steps_ahead = 4

    def __init__(self) -> None:
        self._worker = _Worker()
        self._reading: tuple[asyncio.AbstractEventLoop, Connection] | None = None
        self._ids = itertools.count(1)
        self._opening: dict[int, tuple[AnimatorOptions, asyncio.Future]] = {}
        self._waiting: dict[int, RemoteAnimator] = {}  # sessions with submissions not yet answered
        self._sent: set[int] = set()  # sessions (opening or waiting) in a pass the worker has not answered
        self._live: dict[int, RemoteAnimator] = {}
        self._forgotten: list[int] = []
        self._carried: deque[list[int]] = deque()  # the sessions of each pass sent and not yet answered
        self._pass_due: asyncio.Handle | None = None
        self.worker_sessions = 0  # sessions the worker held after the last pass (tests, metrics)

    @property
    def pid(self) -> int | None:
        return self._worker.process.pid

    async def open(self, options: AnimatorOptions) -> RemoteAnimator:
        """A new session's Animator in the worker (the next pass opens it)."""
        session, worker = next(self._ids), self._worker
        done = asyncio.get_running_loop().create_future()
        self._opening[session] = options, done
        self._schedule()
        try:
            opened = await done
        except asyncio.CancelledError:
            self._opening.pop(session, None)
            if session in self._sent or done.done():  # the worker has it, or will: it goes with the next pass
                self._forget(session, worker)
            raise
        animator = RemoteAnimator(session, options, opened, worker)
        self._live[session] = animator
        return animator

    def submit(self, animator: RemoteAnimator) -> asyncio.Future:
        """The future of what the animator's queue calls since its last submission yield. A session
        may submit again before it is answered (its next request, read meanwhile): answers come in
        order, and calls submitted before a pass leaves go in it."""
        done = asyncio.get_running_loop().create_future()
        if animator.worker is not self._worker:
            done.set_exception(_engine_lost())
            return done
        animator.submitted.append(_Submission(animator.calls, done))
        animator.calls = []
        self._waiting[animator.session] = animator
        self._schedule()
        return done

    async def outputs(self, animator: RemoteAnimator) -> list[AnimatorOutput]:
        """Everything the animator's queued calls yield, once the worker has advanced it."""
        return await self.submit(animator)

    def forget(self, animator: RemoteAnimator) -> None:
        """A session that ended (or failed) leaves the worker with the next pass."""
        if self._live.pop(animator.session, None) is None:
            return
        self._waiting.pop(animator.session, None)
        for submission in animator.submitted:
            submission.done.cancel()
        animator.submitted.clear()
        self._forget(animator.session, animator.worker)

    def close(self) -> None:
        if self._pass_due is not None:
            self._pass_due.cancel()
        self._stop_reading()
        self._worker.stop()

    def _forget(self, session: int, worker: _Worker) -> None:
        if worker is self._worker:
            self._forgotten.append(session)
            self._schedule()

    # --- passes ---

    def _ready(self) -> tuple[list[int], list[int]]:
        """The sessions to open and to advance that no pass in flight carries."""
        return ([session for session in self._opening if session not in self._sent],
                [session for session in self._waiting if session not in self._sent])

    def _schedule(self) -> None:
        """A pass asked for after the callbacks ready now, so that every session they wake joins it."""
        if self._pass_due is None:
            self._pass_due = asyncio.get_running_loop().call_soon(self._send_pass)

    def _send_pass(self) -> None:
        self._pass_due = None
        opening, waiting = self._ready()
        if not (opening or waiting or self._forgotten):
            return
        request = EnginePass(forget=self._forgotten, open={session: self._opening[session][0] for session in opening})
        self._forgotten = []
        for session in waiting:
            request.calls[session] = self._waiting[session].unsent_calls()
        self._sent.update(opening, waiting)
        self._carried.append(opening + waiting)
        try:
            self._worker.connection.send(request)
        except (OSError, ValueError):  # the worker is gone (a broken pipe, a closed connection)
            self._lose_worker()
            return
        self._start_reading()

    def _start_reading(self) -> None:
        connection = self._worker.connection
        if self._reading is None or self._reading[1] is not connection:
            self._stop_reading()
            loop = asyncio.get_running_loop()
            loop.add_reader(connection.fileno(), self._on_reply)
            self._reading = loop, connection

    def _stop_reading(self) -> None:
        if self._reading is not None:
            loop, connection = self._reading
            if not connection.closed:
                loop.remove_reader(connection.fileno())
            self._reading = None

    def _on_reply(self) -> None:
        try:
            reply: EngineReply = self._worker.connection.recv()
        except (EOFError, OSError):
            self._lose_worker()
            return
        for _ in range(reply.answers):  # the sessions still working go in the next pass
            self._sent.difference_update(self._carried.popleft())
        self.worker_sessions = reply.live
        for session, opened in reply.opened.items():
            opening = self._opening.pop(session, None)
            if opening is not None:
                _settle(opening[1], opened)
        for session, result in reply.advanced.items():
            animator = self._waiting.get(session)
            if animator is not None:
                animator.answered(result)
                if not animator.submitted:
                    del self._waiting[session]
        self._schedule()

    def _lose_worker(self) -> None:
        """The worker died: every session it held fails, a new one takes the next sessions."""
        log.error("engine_worker_lost", exit_code=self._worker.process.exitcode, sessions=len(self._live))
        self._stop_reading()
        self._worker.stop()
        for _, done in self._opening.values():
            _settle(done, _engine_lost())
        for animator in self._waiting.values():
            animator.fail(_engine_lost())
        self._opening, self._waiting, self._forgotten, self._sent = {}, {}, [], set()
        self._live.clear()
        self._carried.clear()
        self._worker = _Worker()


def _settle(done: asyncio.Future, result: object) -> None:
    if done.done():
        return
    if isinstance(result, BaseException):
        done.set_exception(result)
    else:
        done.set_result(result)


def _engine_lost() -> StreamError:
    return StreamError(grpc.StatusCode.UNAVAILABLE, "the motion engine's process stopped; open a new session")
