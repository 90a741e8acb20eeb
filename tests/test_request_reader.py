"""RequestReader's limits with one timer per stream: a read that waits too long is interrupted with
the right error, a cancellation from elsewhere still wins, and a stream's reads do not set a timer
each (test_limits.py runs the same limits through a real server)."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from runtime.errors import LimitExceededError
from service.api import animate_pb2
from service.errors import StreamError
from service.request_reader import RequestReader


async def _requests(count: int, then_wait_s: float = 0.0):
    for _ in range(count):
        yield animate_pb2.AnimateRequest()
    await asyncio.sleep(then_wait_s)


def test_a_read_that_waits_past_the_idle_timeout_ends_the_stream_with_deadline_exceeded():
    async def read() -> tuple[int, StreamError, float]:
        loop = asyncio.get_running_loop()
        reader = RequestReader(_requests(3, then_wait_s=10.0), idle_timeout_s=0.05, max_session_s=60.0)
        read_count, started = 0, loop.time()
        with pytest.raises(StreamError) as raised:
            async for _ in reader:
                read_count += 1
        reader.close()
        return read_count, raised.value, loop.time() - started

    count, error, waited_s = asyncio.run(read())
    assert count == 3
    assert error.code == grpc.StatusCode.DEADLINE_EXCEEDED and "idle timeout" in str(error)
    assert 0.05 <= waited_s < 1.0  # the timeout's wait, not the stream's 10 s


def test_a_read_still_waiting_at_the_session_length_is_refused_as_a_limit():
    async def read() -> LimitExceededError:
        reader = RequestReader(_requests(1, then_wait_s=10.0), idle_timeout_s=60.0, max_session_s=0.05)
        with pytest.raises(LimitExceededError) as raised:
            async for _ in reader:
                pass
        reader.close()
        return raised.value

    assert "maximum length" in str(asyncio.run(read()))


def test_a_busy_stream_sets_its_timer_once_not_once_a_read():
    async def read() -> tuple[int, int]:
        loop = asyncio.get_running_loop()
        timers = 0
        original = loop.call_at

        def counting(*args, **kwargs):
            nonlocal timers
            timers += 1
            return original(*args, **kwargs)

        loop.call_at = counting
        reader = RequestReader(_requests(2000), idle_timeout_s=30.0, max_session_s=60.0)
        count = 0
        async for _ in reader:
            count += 1
        reader.close()
        return count, timers

    count, timers = asyncio.run(read())
    assert count == 2000
    assert timers == 1  # an asyncio.timeout per read set 2000


def test_a_cancellation_from_elsewhere_is_not_taken_for_a_timeout():
    async def read() -> None:
        reader = RequestReader(_requests(0, then_wait_s=10.0), idle_timeout_s=0.05, max_session_s=60.0)
        task = asyncio.create_task(anext(reader))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        reader.close()

    asyncio.run(read())


def test_closing_stops_the_timer():
    async def read() -> bool:
        reader = RequestReader(_requests(1), idle_timeout_s=30.0, max_session_s=60.0)
        await anext(reader)
        pending = reader._watchdog is not None and not reader._watchdog.cancelled()
        reader.close()
        return pending and reader._watchdog is None

    assert asyncio.run(read())
