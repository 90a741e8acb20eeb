"""Pacing on the audio clock: a frame at audio time t goes out t seconds after the first one did,
never earlier, so a receiver sees the motion at the speed of the speech (a late frame, from a slow
machine or a live source, goes at once: waiting would only add latency)."""

from __future__ import annotations

import time


class AudioClockPacer:
    def __init__(self, clock=time.monotonic, sleep=time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._origin: float | None = None  # wall time at audio time 0

    def wait_until(self, audio_time_s: float) -> None:
        """Returns when `audio_time_s` is due; the first call sets the clock's origin."""
        delay = self.delay_s(audio_time_s)
        if delay > 0:
            self._sleep(delay)

    def delay_s(self, audio_time_s: float) -> float:
        """Seconds until `audio_time_s` is due (0 or less: now), for a caller that waits its own way
        (asyncio.sleep); the first call sets the clock's origin."""
        now = self._clock()
        if self._origin is None:
            self._origin = now - audio_time_s
        return self._origin + audio_time_s - now
