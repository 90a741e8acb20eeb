"""Streaming resampling of client audio to the models' 16 kHz: a windowed-sinc polyphase filter.

Why not soxr: its stream resampler holds back up to 40 ms of audio (measured at 22.05 → 16 kHz,
HQ) and releases it in bursts, which adds straight onto the first-frame latency. This filter has
a fixed delay of about one millisecond (ZERO_CROSSINGS output periods) and, like every stage, is
chunk-invariant: output sample n is one row-wise product of a precomputed phase kernel with a
fixed window of input samples, whatever pieces those samples arrived in.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.signal import resample_poly

from runtime.audio.constants import SAMPLE_RATE

ZERO_CROSSINGS = 12  # of the sinc on each side: ~70 dB stop band with the Kaiser window
ROLLOFF = 0.92  # pass band edge as a share of the lower Nyquist frequency (7.36 kHz at 16 kHz)
KAISER_BETA = 8.0
BLOCK_OUTPUTS = 2048  # outputs computed per gather


@functools.lru_cache(maxsize=16)
def phase_kernels(up: int, down: int) -> tuple[np.ndarray, int]:
    """(up, taps) float32 kernels, one per output phase, each summing to 1; and `half`, the number
    of input samples at or before an output's position that its kernel spans."""
    ratio = min(1.0, up / down)  # below 1 the filter must also remove what the output cannot hold
    cutoff = 0.5 * ratio * ROLLOFF  # cycles per input sample
    half = math.ceil(ZERO_CROSSINGS / (2.0 * cutoff))
    taps = 2 * half
    offsets = np.arange(up)[:, None] / up  # fractional position of each phase, input samples
    distance = offsets + half - 1 - np.arange(taps)[None, :]  # (up, taps)
    window = np.kaiser(2 * taps + 1, KAISER_BETA)  # sampled finely, looked up by distance
    window_at = np.interp(distance / half, np.linspace(-1.0, 1.0, len(window)), window, left=0.0, right=0.0)
    kernels = 2.0 * cutoff * np.sinc(2.0 * cutoff * distance) * window_at
    kernels /= kernels.sum(axis=1, keepdims=True)
    return kernels.astype(np.float32), half


class StreamingResampler:
    """Feeds audio at `input_rate` in pieces, returns `output_rate` float32 as soon as it can."""

    def __init__(self, input_rate: int, output_rate: int = SAMPLE_RATE) -> None:
        divisor = math.gcd(input_rate, output_rate)
        self.input_rate, self.output_rate = input_rate, output_rate
        self._up, self._down = output_rate // divisor, input_rate // divisor
        self._passthrough = self._up == self._down
        if not self._passthrough:
            self._kernels, self._half = phase_kernels(self._up, self._down)
            self._taps = self._kernels.shape[1]
        self._history = np.zeros(0 if self._passthrough else self._half - 1, np.float32)
        self._history_start = 1 - getattr(self, "_half", 1)  # input index of _history[0]
        self._received = 0  # input samples so far
        self._emitted = 0  # output samples so far

    @property
    def delay_s(self) -> float:
        """Input an output sample waits for beyond its own time: the kernel's right half."""
        return 0.0 if self._passthrough else (self._half + 1) / self.input_rate

    def inputs_needed(self, outputs: int) -> int:
        """Input samples that must have arrived before the first `outputs` samples come out."""
        if self._passthrough or outputs <= 0:
            return max(outputs, 0)
        return (outputs - 1) * self._down // self._up + self._half + 1

    def push(self, samples: np.ndarray) -> np.ndarray:
        samples = np.ascontiguousarray(samples, dtype=np.float32)
        if self._passthrough:
            return samples
        self._history = np.concatenate([self._history, samples])
        self._received += len(samples)
        return self._emit(self._ready_outputs(self._received))

    def flush(self) -> np.ndarray:
        """The outputs still waiting for samples after the end: the end is padded with silence."""
        if self._passthrough:
            return np.zeros(0, np.float32)
        self._history = np.concatenate([self._history, np.zeros(self._taps, np.float32)])
        total = math.ceil(self._received * self._up / self._down)
        return self._emit(total)

    def _ready_outputs(self, available: int) -> int:
        """How many outputs exist in total once input indices < `available` are known: output n
        needs inputs up to floor(n * down / up) + half."""
        last_base = available - 1 - self._half
        return 0 if last_base < 0 else last_base * self._up // self._down + 1

    def _emit(self, end: int) -> np.ndarray:
        pieces = [np.zeros(0, np.float32)]
        for start in range(self._emitted, end, BLOCK_OUTPUTS):  # blocks keep the gather in cache
            pieces.append(self._resample(np.arange(start, min(end, start + BLOCK_OUTPUTS))))
        self._emitted = max(end, self._emitted)
        self._drop_consumed()
        return np.concatenate(pieces)

    def _resample(self, outputs: np.ndarray) -> np.ndarray:
        base, phase = np.divmod(outputs * self._down, self._up)
        first = base - self._half + 1 - self._history_start  # (n,) index into _history
        window = self._history[first[:, None] + np.arange(self._taps)[None, :]]  # (n, taps)
        return np.einsum("nt,nt->n", window, self._kernels[phase]).astype(np.float32)

    def _drop_consumed(self) -> None:
        next_first = (self._emitted * self._down) // self._up - self._half + 1
        keep_from = max(0, next_first - self._history_start)
        self._history = self._history[keep_from:]
        self._history_start += keep_from


def resample_track(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """A whole track at another rate, offline (zero-phase polyphase: unlike the streaming filter it
    adds no delay, so two tracks resampled apart stay aligned)."""
    if rate == target:
        return samples
    divisor = math.gcd(rate, target)
    return resample_poly(samples, target // divisor, rate // divisor).astype(np.float32)
