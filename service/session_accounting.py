"""What every Animate session leaves behind when it ends, however it ends (finished, failed,
cancelled by its client, the server's shutdown or the stall guard): its runtime state released, its
place in the registry freed, one `session_end` log line and its metrics. A context manager around
the session's run, so the servicer cannot forget any of it."""

from __future__ import annotations

import asyncio
import time
from types import TracebackType

import grpc

from service.animate import AnimateSession
from service.errors import StreamError, status_for
from service.log import get_logger
from service.metrics import Metrics
from service.sessions import SessionRecord, SessionRegistry

log = get_logger("facecast.session")
# A stream still open this long after its maximum length is stuck writing to a client that stopped
# reading (the limit is otherwise enforced between requests): it is cancelled.
STALLED_STREAM_GRACE_S = 10.0


class SessionAccounting:
    """`with SessionAccounting(...) as account:` around a session's run; `account.failed(error)` in
    its except clause records the failure and returns what to abort with."""

    def __init__(self, record: SessionRecord, session: AnimateSession, registry: SessionRegistry,
                 metrics: Metrics, max_session_s: float) -> None:
        self._record, self._session, self._registry, self._metrics = record, session, registry, metrics
        self._stall_after_s = max_session_s + min(STALLED_STREAM_GRACE_S, max_session_s)
        self._stall_guard: asyncio.TimerHandle | None = None
        self._outcome = grpc.StatusCode.OK
        self._error: str | None = None

    def __enter__(self) -> SessionAccounting:
        self._stall_guard = asyncio.get_running_loop().call_later(self._stall_after_s, asyncio.current_task().cancel)
        return self

    def failed(self, error: Exception) -> StreamError:
        """Records a failure; returns it as a bare status error, so the abort does not keep the
        runtime's exception (and the session state its traceback holds) alive."""
        code, message = status_for(error)
        if code is grpc.StatusCode.INTERNAL:
            log.exception("session_failed", session_id=self._record.session_id)
        self._outcome, self._error = code, message
        return StreamError(code, message)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if kind is not None and issubclass(kind, Exception):  # one the caller did not pass to `failed`
            self.failed(error)
        elif kind is not None:  # cancelled: by the client, the server's shutdown or the stall guard
            self._outcome = grpc.StatusCode.CANCELLED
            # abort_with counts the errors the server ends calls with; a cancelled call ends otherwise
            self._metrics.count_error("Animate", grpc.StatusCode.CANCELLED)
        self._stall_guard.cancel()
        self._session.close()
        self._registry.close(self._record.session_id)
        self._log_and_count()

    def _log_and_count(self) -> None:
        figures, record = self._session.figures, self._record
        wall_s = time.monotonic() - record.started_monotonic
        log.info("session_end", session_id=record.session_id, peer=record.peer, api_key=record.api_key,
                 status=self._outcome.name, frames=figures.frames, rendered_frames=figures.rendered_frames,
                 audio_s=round(figures.audio_s, 3), chunks=figures.chunks, wall_s=round(wall_s, 3),
                 **({"error": self._error} if self._error is not None else {}))
        self._metrics.sessions.labels(status=self._outcome.name).inc()
        self._metrics.session_seconds.observe(wall_s)
        self._metrics.audio_seconds.inc(figures.audio_s)
