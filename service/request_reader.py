"""Reads an Animate stream's requests under its two time limits: the idle timeout (the longest wait
for the next request) and the session's maximum length."""

from __future__ import annotations

import asyncio
import time
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
        self._deadline = time.monotonic() + max_session_s

    def __aiter__(self) -> RequestReader:
        return self

    async def __anext__(self) -> animate_pb2.AnimateRequest:
        """The next request; StopAsyncIteration when the client half-closes; LimitExceededError past
        the session's length, StreamError (DEADLINE_EXCEEDED) past the idle timeout."""
        left_s = self._deadline - time.monotonic()
        wait_s = min(self._idle_timeout_s, left_s)
        try:
            # asyncio.timeout, not wait_for: no task per request (a live stream reads 50 a second).
            async with asyncio.timeout(max(wait_s, 0.0)):
                return await anext(self._requests)
        except TimeoutError:
            if wait_s >= left_s:
                raise LimitExceededError(
                    f"the session reached its maximum length of {self._max_session_s:g} s") from None
            raise StreamError(grpc.StatusCode.DEADLINE_EXCEEDED,
                              f"no request for {self._idle_timeout_s:g} s (the idle timeout); "
                              f"send audio, a control update or EndOfAudio") from None
