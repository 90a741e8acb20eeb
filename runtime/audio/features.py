"""Streaming log-mel features: 80 bands every 10 ms from 25 ms Hann windows.

Feature frame h is computed from the window that ends at input sample (h + 1) * HOP_LENGTH (the
stream starts with silence before its first sample), so features are causal and frame h is ready
as soon as that sample has arrived. Every operation is row-wise (per-frame FFT, einsum rather than
BLAS matmul, per-row reductions), so a frame's values do not depend on how many frames are
computed together: any chunking of the audio gives bit-identical features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from runtime.audio.constants import (
    HOP_LENGTH,
    MEL_FMAX_HZ,
    MEL_FMIN_HZ,
    N_FFT,
    N_MELS,
    SAMPLE_RATE,
    WINDOW_LENGTH,
)

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
    """Push 16 kHz samples in any pieces; get the features of every completed hop."""

    def __init__(self) -> None:
        self._pending = np.zeros(WINDOW_LENGTH - HOP_LENGTH, np.float32)  # pre-roll silence
        self._window = np.hanning(WINDOW_LENGTH + 2)[1:-1].astype(np.float32)  # no zero ends
        self._filters = mel_filterbank()
        self.hops_done = 0

    def push(self, samples: np.ndarray) -> FeatureBlock:
        pending = np.concatenate([self._pending, np.asarray(samples, np.float32)])
        count = max(0, (len(pending) - (WINDOW_LENGTH - HOP_LENGTH)) // HOP_LENGTH)
        if count == 0:
            self._pending = pending
            return FeatureBlock(self.hops_done, np.zeros((0, N_MELS), np.float32), np.zeros(0, np.float32))
        frames = sliding_window_view(pending, WINDOW_LENGTH)[::HOP_LENGTH][:count]  # (n, W)
        self._pending = pending[count * HOP_LENGTH:]
        block = FeatureBlock(self.hops_done, *self._analyse(frames))
        self.hops_done += count
        return block

    def _analyse(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        spectrum = np.fft.rfft(frames * self._window, n=N_FFT)  # (n, N_FFT/2 + 1) complex64
        power = spectrum.real**2 + spectrum.imag**2
        mel_power = np.einsum("nf,fm->nm", power, self._filters)  # (n, N_MELS)
        log_mel = np.log10(np.maximum(mel_power, SILENCE_FLOOR)).astype(np.float32)
        energy = np.mean(np.square(frames), axis=1)
        energy_db = (10.0 * np.log10(np.maximum(energy, SILENCE_FLOOR))).astype(np.float32)
        return log_mel, energy_db
