"""The engine process's side of EngineProcess: every live session's Animator, advanced by one
MotionEngine in the passes the serving process asks for.

Messages come over a pipe: an EnginePass carries the sessions to open and to forget, and for each
session that awaits outputs the queue calls it made since (`Animator.queue_pcm`, `queue_silence`,
... by name, with their arguments, in order). The worker merges every message that arrived while
it computed the last pass (and, while not every live session is in them, those that arrive within
a tick of that pass's start), replays the calls, runs one `MotionEngine.advance`, and answers each
advanced session that has no work left with its outputs in one EngineReply; a session still
holding work (more than MAX_PASS_HOPS of audio) stays for the next pass. A call that fails fails
its session only, as it would in the serving process.

Runs numpy and the runtime only; no gRPC, no asyncio.
"""

from __future__ import annotations

import pickle
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from runtime.engine import MotionEngine
from runtime.errors import FacecastError
from runtime.pipeline import Animator, AnimatorOptions, AnimatorOutput, ModelVersion
from service.engine_scheduler import TICK_S
from service.worker_lifetime import end_with_parent

# The Animator's methods a session may call through EngineProcess, each replayed in the worker.
QUEUE_CALLS = frozenset({"queue_pcm", "queue_listen_pcm", "queue_silence", "queue_end", "interrupt",
                         "update_controls"})


@dataclass(frozen=True)
class Opened:
    """What a session needs of its Animator's construction in the serving process."""

    model_versions: tuple[ModelVersion, ...]
    lookahead_s: float


@dataclass(frozen=True)
class Advanced:
    """A session's share of a pass: its outputs once it has no work left, and where its clock stands."""

    outputs: list[AnimatorOutput]
    frames_emitted: int
    audio_duration_s: float


@dataclass
class EnginePass:
    forget: list[int] = field(default_factory=list)
    open: dict[int, AnimatorOptions] = field(default_factory=dict)
    calls: dict[int, list[tuple[str, tuple]]] = field(default_factory=dict)  # every session to advance


@dataclass
class EngineReply:
    opened: dict[int, Opened | Exception] = field(default_factory=dict)
    # Each advanced session without work left (or that failed); those still working are absent.
    advanced: dict[int, Advanced | Exception] = field(default_factory=dict)
    live: int = 0  # sessions the worker holds after the pass (tests: nothing left behind)
    answers: int = 1  # how many of the passes asked for this one answers (merged into one)


class EngineWorker:
    """The sessions' Animators and the engine that advances them."""

    def __init__(self) -> None:
        self.engine = MotionEngine()
        self.animators: dict[int, Animator] = {}

    def run_pass(self, request: EnginePass) -> EngineReply:
        reply = EngineReply()
        for session in request.forget:
            self.animators.pop(session, None)
        for session, options in request.open.items():
            reply.opened[session] = self._open(session, options)
        ready = [session for session, calls in request.calls.items() if self._replayed(session, calls, reply)]
        animators = [self.animators[session] for session in ready]
        try:
            self.engine.advance(animators)
        except Exception as error:  # noqa: BLE001 - a failed pass fails its sessions (half-advanced), not the server
            for session in ready:
                reply.advanced[session] = self._failed(session, error)
            ready = []
        for session, animator in zip(ready, animators, strict=False):
            if not animator.has_work:  # more than a pass's worth of audio stays for the next
                reply.advanced[session] = Advanced(animator.take_outputs(), animator.frames_emitted,
                                                   animator.audio_duration_s)
        reply.live = len(self.animators)
        return reply

    def _open(self, session: int, options: AnimatorOptions) -> Opened | Exception:
        try:
            animator = self.animators[session] = self.engine.open(options)
        except Exception as error:  # noqa: BLE001 - a bad option fails its session, in the serving process
            return portable(error)
        return Opened(animator.model_versions, animator.lookahead_s)

    def _replayed(self, session: int, calls: list[tuple[str, tuple]], reply: EngineReply) -> bool:
        """Whether the session's queue calls went through (a failed one fails the session)."""
        animator = self.animators.get(session)
        if animator is None:
            reply.advanced[session] = LookupError(f"no session {session} in the engine process")
            return False
        try:
            for name, args in calls:
                if name not in QUEUE_CALLS:
                    raise ValueError(f"{name} is not a queue call")
                getattr(animator, name)(*args)
        except Exception as error:  # noqa: BLE001 - a bad chunk fails this session only
            reply.advanced[session] = self._failed(session, error)
            return False
        return True

    def _failed(self, session: int, error: Exception) -> Exception:
        self.animators.pop(session, None)
        return portable(error)


def portable(error: Exception) -> Exception:
    """The error as the serving process gets it: the runtime's own (its message is for the client) as
    it is; any other as a RuntimeError carrying its traceback for the server's log (the client is told
    only of an internal error), and one pickle cannot carry would end the worker's reply."""
    if isinstance(error, FacecastError):
        try:
            pickle.dumps(error)
            return error
        except Exception:  # noqa: BLE001 - an unpicklable subclass: sent as the text it would show
            return RuntimeError(f"{type(error).__name__}: {error}")
    return RuntimeError("in the engine process: " + "".join(traceback.format_exception(error)).strip())


def serve(connection: Connection, server_pid: int) -> None:
    """The worker process's main: passes in, replies out, until the serving process goes."""
    end_with_parent(server_pid)
    worker = EngineWorker()
    _warm(worker)
    started_last = -float("inf")
    while True:
        try:
            requests = [connection.recv()]
            _gather(connection, requests, worker, started_last + TICK_S)
        except (EOFError, OSError):  # the serving process closed its end, or died
            return
        started_last = time.monotonic()
        reply = worker.run_pass(merged(requests))
        reply.answers = len(requests)
        connection.send(reply)


def _gather(connection: Connection, requests: list[EnginePass], worker: EngineWorker, due: float) -> None:
    """Every pass asked for until `due` joins the first (EngineScheduler's tick: under load a pass
    carries many sessions, whose batched stages cost each far less), at once if every live session
    is in them already (nobody else could join: a lone session never waits)."""
    while True:
        while connection.poll():
            requests.append(connection.recv())
        carried = sum(len(request.calls) for request in requests)
        waiting = due - time.monotonic()
        if waiting <= 0 or carried >= len(worker.animators) or not connection.poll(waiting):
            return


def merged(requests: list[EnginePass]) -> EnginePass:
    """Passes asked for one after another as one: a session's calls are in at most one of them (it
    waits for its outputs before it calls again); a session opened in one and forgotten in a later
    one is never opened."""
    if len(requests) == 1:
        return requests[0]
    whole = EnginePass()
    for request in requests:
        for session in request.forget:
            if whole.open.pop(session, None) is None:
                whole.forget.append(session)
            whole.calls.pop(session, None)
        whole.open |= request.open
        whole.calls |= request.calls
    return whole


def _warm(worker: EngineWorker) -> None:
    """The mouth networks loaded and the dynamics' filters designed before the first session, which
    would otherwise pay them (about a second) in its first frames' lateness."""
    warm = worker.engine.open()
    warm.queue_silence(0.2)
    warm.queue_end()
    while warm.has_work:
        worker.engine.advance([warm])
