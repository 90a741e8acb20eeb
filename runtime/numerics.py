"""Streaming filters and products whose results do not depend on how a stream is chunked.

BLAS matrix products pick different kernels (and so different rounding) for different row counts,
which would make frames depend on chunk sizes and on which sessions were batched together:
`rowwise_matmul` uses einsum's fixed summation order instead (slow: no SIMD blocking), and
`row_block_matmul` runs the rows in blocks of ROW_BLOCK through one batched product of fixed-shape
blocks (BLAS speed; every row comes out of a product of the same shape, in any position). The filters
carry their state between calls, so filtering a signal in pieces gives exactly what filtering it
whole gives, and `StreamingIir.push_many` runs many sessions' filters in one call, channel by channel.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.signal import lfilter, lfilter_zi

try:  # lfilter's C core: the public wrapper's argument checks cost 3x the filtering on our tiny blocks
    from scipy.signal._sigtools import _linear_filter
except ImportError:  # a SciPy that moved it: the public function gives the same numbers
    _linear_filter = None


def rowwise_matmul(rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """(n, k) @ (k, m) with each output row independent of n (bit-exact under any chunking)."""
    return np.einsum("nk,km->nm", rows, matrix)


ROW_BLOCK = 8  # rows per fixed-shape block: a lone session's few hops pad to little (7 us per block)


def row_block_matmul(rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """(n, k) float32 @ (k, m) float32 → (n, m), each output row bit-identical whatever n is and
    whatever the other rows hold. The rows are zero-padded to whole blocks of ROW_BLOCK and
    multiplied as one (blocks, ROW_BLOCK, k) stack: numpy runs every block through BLAS at the one
    shape, in one call (measured on this project's machines: one bit pattern per row at every
    position, in stacks of 1 to 40 blocks; tests/test_engine.py pins it for every product the engine
    runs). Not torch: its tiny products stall for milliseconds when its thread pool meets a busy CPU.
    einsum gives the same guarantee at a tenth of the speed."""
    count, width = rows.shape
    padded = row_blocks(count, width)
    padded[:count] = rows
    return row_block_product(padded, count, matrix)


def row_blocks(count: int, width: int) -> np.ndarray:
    """A zeroed (whole blocks of ROW_BLOCK, width) float32 buffer for `count` rows, for callers that
    write their rows straight into it (`row_block_product`) rather than copying them in."""
    return np.zeros((-(-count // ROW_BLOCK) * ROW_BLOCK, width), np.float32)


def row_block_product(padded: np.ndarray, count: int, matrix: np.ndarray) -> np.ndarray:
    """The first `count` rows of `padded` (from `row_blocks`) @ matrix, as `row_block_matmul`."""
    blocks = len(padded) // ROW_BLOCK
    product = np.matmul(padded.reshape(blocks, ROW_BLOCK, padded.shape[1]), matrix)
    return product.reshape(blocks * ROW_BLOCK, matrix.shape[1])[:count]  # no -1: n may be 0


def stacked(arrays: list[np.ndarray]) -> np.ndarray:
    """np.stack of per-session arrays on a new first axis; one session's as a view. Paid dozens of
    times per pass, so the cheapest form: np.stack's own cost was a fifth of a lone session's time,
    and for 64 sessions np.array (which, like np.stack, refuses arrays of different shapes) takes a
    third of np.stack's."""
    return arrays[0][None] if len(arrays) == 1 else np.array(arrays)


def as_product_matrix(matrix: np.ndarray) -> np.ndarray:
    """A weight matrix as `row_block_matmul` takes it: contiguous float32, read-only (shared)."""
    product = np.array(matrix, np.float32, order="C", copy=True)
    product.flags.writeable = False
    return product


def blocked_matmul(matrix, columns, block: int):
    """torch: (M, K) @ (K, N) computed `block` columns at a time, the last block padded with zeros, so
    every column comes out of a product of one fixed shape: a frame rendered alone and the same frame
    in a batch of any size get the same bits. (BLAS picks its kernel, and so its rounding, by shape;
    a product is memory-bound on the matrix here, so a few padded columns cost next to nothing.)"""
    import torch

    count = columns.shape[1]
    padded = torch.nn.functional.pad(columns, (0, -count % block))
    blocks = [matrix @ padded[:, start:start + block] for start in range(0, padded.shape[1], block)]
    return torch.cat(blocks, dim=1)[:, :count]


def blocked_rows_matmul(rows, matrix, block: int):
    """torch: (N, K) @ (K, M) computed `block` rows at a time, the last block padded with zeros: every
    row comes out of a product of one fixed shape (`blocked_matmul`'s reason), and a large matrix is
    read once per block rather than once per few rows (memory-bound: the warp's 478 × 4,715 basis
    took 0.35 ms for one frame's 2 rows, 0.44 ms for 8)."""
    import torch

    count = rows.shape[0]
    if count == 0:
        return rows.new_zeros((0, matrix.shape[1]))
    padded = torch.nn.functional.pad(rows, (0, 0, 0, -count % block))
    return torch.cat([padded[start:start + block] @ matrix for start in range(0, len(padded), block)])[:count]


class StreamingFir:
    """Causal FIR filter over (n, channels) blocks: y[j] = sum_k taps[k] * x[j - k]."""

    def __init__(self, taps: np.ndarray, channels: int) -> None:
        self._taps = np.asarray(taps, np.float32)
        self._history = np.zeros((len(taps) - 1, channels), np.float32)

    def push(self, block: np.ndarray) -> np.ndarray:
        padded = np.concatenate([self._history, block.astype(np.float32)])  # (k - 1 + n, c)
        count = len(block)
        output = np.zeros((count, padded.shape[1]), np.float32)
        for k, tap in enumerate(self._taps):  # a few taps: elementwise, so order is fixed
            start = len(self._taps) - 1 - k
            output += tap * padded[start:start + count]
        self._history = padded[count:] if len(self._taps) > 1 else self._history
        return output


class StreamingIir:
    """IIR filter (scipy's lfilter) over (n, channels) blocks, state carried between calls."""

    def __init__(self, b: np.ndarray, a: np.ndarray, channels: int, initial: float = 0.0) -> None:
        self._b, self._a, steady = _iir_design(coefficients(b), coefficients(a))
        self._state = np.repeat((steady * initial)[:, None], channels, axis=1)  # (order, c)

    def push(self, block: np.ndarray) -> np.ndarray:
        if len(block) == 0:
            return np.zeros((0, self._state.shape[1]), np.float32)
        block = np.ascontiguousarray(block, dtype=np.float64)
        if _linear_filter is not None:
            output, self._state = _linear_filter(self._b, self._a, block, 0, self._state)
        else:
            output, self._state = lfilter(self._b, self._a, block, axis=0, zi=self._state)
        return output.astype(np.float32)

    @staticmethod
    def push_many(filters: list[StreamingIir], blocks: np.ndarray) -> np.ndarray:
        """(n, S, channels) blocks through S filters of the same coefficients (one per session) in
        one call: the channels side by side. Each channel's recursion is its own, so a session's
        output is what its filter alone gives."""
        count, sessions, channels = blocks.shape
        if sessions == 1:
            return filters[0].push(blocks[:, 0])[:, None]
        if count == 0:
            return np.zeros(blocks.shape, np.float32)
        first = filters[0]
        state = np.concatenate([f._state for f in filters], axis=1)  # (order, S * channels)
        flat = np.ascontiguousarray(blocks.reshape(count, sessions * channels), dtype=np.float64)
        if _linear_filter is not None:
            output, state = _linear_filter(first._b, first._a, flat, 0, state)
        else:
            output, state = lfilter(first._b, first._a, flat, axis=0, zi=state)
        # One copy to (S, order, channels) makes every session's state a contiguous view: a slice
        # and a copy per session cost more than the filtering.
        by_session = np.ascontiguousarray(state.reshape(len(state), sessions, channels).transpose(1, 0, 2))
        for f, own in zip(filters, by_session, strict=True):
            f._state = own
        return output.astype(np.float32).reshape(count, sessions, channels)


def coefficients(values: np.ndarray) -> tuple[float, ...]:
    """A filter's coefficients as a tuple of floats: hashable (a design cache's key) and, handed out of
    a cache, unchangeable by any caller."""
    return tuple(np.asarray(values, np.float64).ravel().tolist())


@functools.lru_cache(maxsize=256)
def _iir_design(b: tuple[float, ...], a: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(b, a, the state a unit input holds steady) as the C core wants them (a[0] == 1), read-only and
    shared: every session opens a dozen filters from the same few designs, and solving for the steady
    state was most of the cost of opening one."""
    b_array, a_array = np.array(b), np.array(a)
    b_array, a_array = b_array / a_array[0], a_array / a_array[0]
    # An FIR filter (a == [1]) holds its last len(b) - 1 inputs, a gain nothing.
    steady = lfilter_zi(b_array, a_array) if max(len(a_array), len(b_array)) > 1 else np.zeros(0)
    for array in (b_array, a_array, steady):
        array.setflags(write=False)
    return b_array, a_array, steady


def one_pole(time_constant_s: float, step_s: float, channels: int, initial: float = 0.0) -> StreamingIir:
    """Exponential smoothing with the given time constant (unity gain at DC)."""
    decay = float(np.exp(-step_s / time_constant_s))
    return StreamingIir([1.0 - decay], [1.0, -decay], channels, initial)


def bump_filter(peak_s: float, step_s: float, channels: int) -> StreamingIir:
    """Three cascaded one-pole low-passes: an impulse becomes a smooth bump that starts with zero
    slope, peaks after `peak_s` and decays; scaled so an impulse of 1 peaks at 1."""
    b, a = _bump_design(peak_s, step_s)
    return StreamingIir(b, a, channels)


@functools.lru_cache(maxsize=64)
def _bump_design(peak_s: float, step_s: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """bump_filter's (b, a), once per shape: its scale comes from an impulse response."""
    decay = float(np.exp(-step_s / (peak_s / 2.0)))  # a triple pole peaks at twice its time constant
    b = np.array([(1.0 - decay) ** 3])
    a = np.array([1.0, -3.0 * decay, 3.0 * decay**2, -(decay**3)])
    peak = float(impulse_response(b, a, int(30 * peak_s / step_s) + 10).max())
    return coefficients(b / peak), coefficients(a)


def impulse_response(b: np.ndarray, a: np.ndarray, length: int) -> np.ndarray:
    """(length,) float64: the filter's output for a unit impulse (for scaling filters at build time)."""
    impulse = np.zeros((length, 1))
    impulse[0] = 1.0
    return StreamingIir(b, a, 1).push(impulse)[:, 0].astype(np.float64)


def hann_taps(length: int) -> np.ndarray:
    """Symmetric smoothing kernel of odd `length`, summing to 1 (group delay (length - 1) / 2)."""
    taps = np.hanning(length + 2)[1:-1]
    return (taps / taps.sum()).astype(np.float32)


def hermite_step(low: float, high: float, values):
    """0 below `low`, 1 above `high`, the cubic 3t² − 2t³ between (C1 at both ends). Works on
    numpy arrays and torch tensors alike."""
    t = ((values - low) / (high - low)).clip(0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def smoothstep(progress: np.ndarray) -> np.ndarray:
    """Cosine ease from 0 to 1 over progress 0..1 (C1: no velocity jump at either end)."""
    clipped = np.clip(progress, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * clipped)
