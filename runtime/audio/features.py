"""Streaming log-mel features: 80 bands every 10 ms from 25 ms Hann windows.

Feature frame h is computed from the window that ends at input sample (h + 1) * HOP_LENGTH (the
stream starts with silence before its first sample), so features are causal and frame h is ready
as soon as that sample has arrived. Every operation is row-wise (per-frame FFT, products in
fixed-shape blocks, per-row reductions), so a frame's values do not depend on how many frames are
computed together: any chunking of the audio, and any batch of sessions, gives bit-identical features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.audio.constants import (
    HOP_LENGTH,
    MEL_FMAX_HZ,
    MEL_FMIN_HZ,
    N_FFT,
    N_MELS,
    SAMPLE_RATE,
    WINDOW_LENGTH,
)
from runtime.numerics import as_product_matrix, row_block_matmul

SILENCE_FLOOR = 1e-10  # power floor before the log: -100 dB


@dataclass(frozen=True)
class FeatureBlock:
    """Features of consecutive hops [start_hop, start_hop + len)."""

    start_hop: int
    log_mel: np.ndarray  # (n, N_MELS) float32, log10 of mel power
    energy_db: np.ndarray  # (n,) float32, frame energy in dB relative to full scale

    def __len__(self) -> int:
        return len(self.energy_db)


def mel_frequencies(n_mels: int = N_MELS) -> np.ndarray:
    """Centre frequencies (Hz) of the mel bands, HTK mel scale."""
    mel_low, mel_high = (2595.0 * np.log10(1.0 + f / 700.0) for f in (MEL_FMIN_HZ, MEL_FMAX_HZ))
    mels = np.linspace(mel_low, mel_high, n_mels + 2)
    return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)


def mel_filterbank() -> np.ndarray:
    """(N_FFT // 2 + 1, N_MELS) triangular filters, each normalised to unit area."""
    edges = mel_frequencies()  # n_mels + 2 edges: band m spans edges[m]..edges[m + 2]
    bins = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    low, centre, high = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - low) / (centre - low)
    falling = (high - bins[None, :]) / (high - centre)
    triangles = np.maximum(0.0, np.minimum(rising, falling))  # (n_mels, n_bins)
    triangles /= np.maximum(triangles.sum(axis=1, keepdims=True), 1e-12)
    return np.ascontiguousarray(triangles.T, dtype=np.float32)


class StreamingLogMel:
    """Push 16 kHz samples in any pieces; get the features of every completed hop. `push_many`
    analyses many sessions' hops in one pass (one FFT call, one product)."""

    def __init__(self) -> None:
        self._pending = np.zeros(WINDOW_LENGTH - HOP_LENGTH, np.float32)  # pre-roll silence
        self.hops_done = 0

    def push(self, samples: np.ndarray) -> FeatureBlock:
        return StreamingLogMel.push_many([self], [samples])[0]

    @staticmethod
    def push_many(extractors: list[StreamingLogMel], samples: list[np.ndarray]) -> list[FeatureBlock]:
        starts = [extractor.hops_done for extractor in extractors]
        frames = [extractor._take_frames(piece) for extractor, piece in zip(extractors, samples, strict=True)]
        log_mel, energy_db = analyse_frames(np.concatenate(frames) if len(frames) > 1 else frames[0])
        bounds = np.cumsum([0] + [len(f) for f in frames])
        return [FeatureBlock(start, log_mel[low:high], energy_db[low:high])
                for start, low, high in zip(starts, bounds[:-1], bounds[1:], strict=True)]

    def _take_frames(self, samples: np.ndarray) -> np.ndarray:
        """(n, WINDOW_LENGTH) windows of the hops these samples complete (views of one buffer)."""
        pending = np.concatenate([self._pending, np.asarray(samples, np.float32)])
        count = max(0, (len(pending) - (WINDOW_LENGTH - HOP_LENGTH)) // HOP_LENGTH)
        step = pending.itemsize  # sliding_window_view(...)[::HOP_LENGTH] without its checks
        frames = np.ndarray((count, WINDOW_LENGTH), np.float32, pending, strides=(HOP_LENGTH * step, step))
        self._pending = pending[count * HOP_LENGTH:]
        self.hops_done += count
        return frames


_WINDOW = np.hanning(WINDOW_LENGTH + 2)[1:-1].astype(np.float32)  # no zero ends
_FILTERS = None  # the mel filterbank as a product matrix, made on first use


def analyse_frames(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """((n, N_MELS) log-mel, (n,) energy dB) of (n, WINDOW_LENGTH) frames, every row on its own."""
    global _FILTERS
    if _FILTERS is None:
        _FILTERS = as_product_matrix(mel_filterbank())
    if len(frames) == 0:
        return np.zeros((0, N_MELS), np.float32), np.zeros(0, np.float32)
    spectrum = np.fft.rfft(frames * _WINDOW, n=N_FFT)  # (n, N_FFT/2 + 1) complex64
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    mel_power = row_block_matmul(power, _FILTERS)  # (n, N_MELS)
    log_mel = np.log10(np.maximum(mel_power, SILENCE_FLOOR)).astype(np.float32)
    energy = np.mean(np.square(frames), axis=1)
    energy_db = (10.0 * np.log10(np.maximum(energy, SILENCE_FLOOR))).astype(np.float32)
    return log_mel, energy_db
