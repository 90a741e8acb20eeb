"""Reads an Animate stream's requests under its two time limits: the idle timeout (the longest wait
for the next request) and the session's maximum length.

One timer per stream, not an asyncio.timeout around every read: a live stream reads 50 requests a
second, and a timer set and cancelled for each was about 3 % of a serving process's CPU at 128
sessions (py-spy; 3.6 µs a read). The timer fires when the read under way may have waited too long,
interrupts it only if it has, and otherwise moves on to when the read then under way would have: it
fires about once per idle timeout, not once per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc

from runtime.errors import LimitExceededError
from service.api import animate_pb2
from service.errors import StreamError


class RequestReader:
    def __init__(self, requests: AsyncIterator[animate_pb2.AnimateRequest], idle_timeout_s: float,
                 max_session_s: float) -> None:
        self._requests = aiter(requests)
        self._idle_timeout_s = idle_timeout_s
        self._max_session_s = max_session_s
        self._loop = asyncio.get_running_loop()
        self._deadline = self._loop.time() + max_session_s
        self._read_started: float | None = None  # loop time the read under way began; None between reads
        self._reader: asyncio.Task | None = None  # the task reading
        self._cancelling = 0  # its cancellation requests when the read began (asyncio.timeout's rule)
        self._watchdog: asyncio.TimerHandle | None = None
        self._expired: Exception | None = None  # what the interrupted read raises

    def __aiter__(self) -> RequestReader:
        return self

    async def __anext__(self) -> animate_pb2.AnimateRequest:
        """The next request; StopAsyncIteration when the client half-closes; LimitExceededError past
        the session's length, StreamError (DEADLINE_EXCEEDED) past the idle timeout."""
        now = self._loop.time()
        if now >= self._deadline:
            raise self._limit_reached()
        self._read_started, self._reader = now, asyncio.current_task()
        self._cancelling = self._reader.cancelling()
        if self._watchdog is None:
            self._watchdog = self._loop.call_at(self._expiry(now), self._check)
        try:
            return await anext(self._requests)
        except asyncio.CancelledError:
            expired, self._expired = self._expired, None
            if expired is None or self._reader.uncancel() > self._cancelling:
                raise  # cancelled from elsewhere (the client went away): that wins
            raise expired from None
        finally:
            self._read_started = None

    def close(self) -> None:
        """Stops the timer: a stream that ended must not hold its call until the timer would fire."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    def _expiry(self, read_started: float) -> float:
        return min(read_started + self._idle_timeout_s, self._deadline)

    def _check(self) -> None:
        """The timer: interrupts the read under way if it has waited too long, else waits for when it
        (or the next read, none being under way) could have."""
        self._watchdog = None
        if self._read_started is None:
            return  # between reads: the next read sets the timer again
        now, expiry = self._loop.time(), self._expiry(self._read_started)
        if now < expiry:
            self._watchdog = self._loop.call_at(expiry, self._check)
            return
        self._expired = self._limit_reached() if now >= self._deadline else StreamError(
            grpc.StatusCode.DEADLINE_EXCEEDED, f"no request for {self._idle_timeout_s:g} s (the idle timeout); "
                                               f"send audio, a control update or EndOfAudio")
        self._reader.cancel()

    def _limit_reached(self) -> LimitExceededError:
        return LimitExceededError(f"the session reached its maximum length of {self._max_session_s:g} s")
