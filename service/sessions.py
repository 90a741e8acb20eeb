"""The registry of live Animate sessions: what is running now, for drain, metrics and leak checks."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import grpc

from runtime.errors import LimitExceededError
from service.errors import StreamError


@dataclass
class SessionRecord:
    session_id: str
    peer: str
    started_monotonic: float = field(default_factory=time.monotonic)
    api_key: str | None = None  # the fingerprint of the client's API key (service.auth.key_fingerprint)
    figures: object = None  # the session's live SessionFigures, for tests and diagnostics


class SessionRegistry:
    """Sessions enter when their stream opens and always leave (try/finally) when it ends; the
    registry admits them: none while draining, at most `max_sessions` at once."""

    def __init__(self, max_sessions: int) -> None:
        self._active: dict[str, SessionRecord] = {}
        self.max_sessions = max_sessions
        self.total_started = 0
        self.draining = False  # set on shutdown: no new sessions

    def open(self, peer: str, api_key: str | None = None) -> SessionRecord:
        """The new session's record; StreamError (UNAVAILABLE) while draining, LimitExceededError at capacity."""
        if self.draining:
            raise StreamError(grpc.StatusCode.UNAVAILABLE, "the server is shutting down; use another instance")
        if len(self._active) >= self.max_sessions:
            raise LimitExceededError(f"the server is at capacity ({self.max_sessions} sessions); retry later")
        record = SessionRecord(uuid.uuid4().hex, peer, api_key=api_key)
        self._active[record.session_id] = record
        self.total_started += 1
        return record

    def close(self, session_id: str) -> None:
        self._active.pop(session_id, None)

    @property
    def active_count(self) -> int:
        return len(self._active)

    def active(self) -> list[SessionRecord]:
        return list(self._active.values())
